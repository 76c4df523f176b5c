//! `strata server` (the service) and `strata server token …` (offline token
//! management on the data dir).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use strata_server::tokens::{self, Role};

use crate::EXIT_OK;
use crate::cli::server::{DataDir, LogFormat, ServerArgs, ServerCommand, TokenCommand};
use crate::commands::{db, image};
use crate::failure::Failure;

pub(crate) fn run(args: &ServerArgs) -> Result<u8, Failure> {
    match &args.command {
        Some(ServerCommand::Token(command)) => token(command),
        None => serve(args),
    }
}

/// `--data-dir`, else `$XDG_DATA_HOME/strata/server`, else `~/.local/share/strata/server`.
fn data_dir(flag: &DataDir) -> PathBuf {
    flag.data_dir
        .clone()
        .or_else(|| {
            std::env::var_os("XDG_DATA_HOME")
                .filter(|d| !d.is_empty())
                .map(|d| PathBuf::from(d).join("strata/server"))
        })
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/strata/server"))
        })
        .unwrap_or_else(|| PathBuf::from("strata-server"))
}

/// `6h`, `30m`, `90s`, `1d`; `0` for never.
fn interval(text: &str) -> Result<Option<Duration>, Failure> {
    let text = text.trim();
    if text == "0" {
        return Ok(None);
    }
    let invalid = || {
        Failure::from(anyhow::anyhow!(
            "--update-interval {text:?}: expected e.g. 6h, 30m, 1d, or 0"
        ))
    };
    let split = text.len().saturating_sub(1);
    let number: u64 = text
        .get(..split)
        .and_then(|n| n.parse().ok())
        .ok_or_else(invalid)?;
    let unit = match text.get(split..) {
        Some("s") => 1,
        Some("m") => 60,
        Some("h") => 3600,
        Some("d") => 86_400,
        _ => return Err(invalid()),
    };
    if number == 0 {
        return Ok(None);
    }
    Ok(Some(Duration::from_secs(
        number.saturating_mul(unit).max(60),
    )))
}

fn init_logging(format: LogFormat, level: &str) -> Result<(), Failure> {
    let level: tracing::Level = level.parse().map_err(|_| {
        Failure::from(anyhow::anyhow!(
            "--log-level {level:?}: one of error, warn, info, debug, trace"
        ))
    })?;
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_ansi(false);
    let result = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|e| Failure::from(anyhow::anyhow!("cannot set up logging: {e}")))
}

fn serve(args: &ServerArgs) -> Result<u8, Failure> {
    init_logging(args.log_format, &args.log_level)?;
    let data_dir = data_dir(&args.data);
    let fallback: Option<strata_server::Fallback> = if args.no_bundled_db {
        None
    } else {
        Some(Arc::new(|dir: &Path| {
            db::import_bundled(dir)
                .map(drop)
                .map_err(|f| f.render(false).trim().to_owned())
        }))
    };
    let config = strata_server::Config {
        listen: args.listen.clone(),
        data_dir,
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        update_interval: interval(&args.update_interval)?,
        update: db::update_options(&args.feeds, &[], false)?,
        fallback,
        scans: strata_server::ScanSettings {
            workers: args
                .workers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
                .max(1),
            queue: args.queue,
            registry: strata_image::registry::RegistryOptions {
                ca_certs: args.ca_cert.clone(),
                insecure_registries: args.insecure_registry.clone(),
                ..Default::default()
            },
            limits: strata_image::Limits::default(),
        },
        clair_listen: args.clair_v1_listen.clone(),
        clair_allow: args.clair_v1_allow.clone(),
    };
    let runtime = image::runtime()?;
    runtime.block_on(strata_server::serve(config, shutdown()))?;
    Ok(EXIT_OK)
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

fn token(command: &TokenCommand) -> Result<u8, Failure> {
    match command {
        TokenCommand::Create(args) => {
            let role = Role::parse(&args.role).ok_or_else(|| {
                Failure::from(anyhow::anyhow!("unknown role {:?}", args.role))
                    .hint("roles: admin, analyst, ci")
            })?;
            let expires = args
                .expires
                .as_deref()
                .map(tokens::parse_expiry)
                .transpose()?
                .flatten();
            let created = tokens::create_offline(&data_dir(&args.data), &args.name, role, expires)?;
            eprintln!(
                "token {:?} (role {}, expires {}): shown once, store it now",
                created.info.name,
                role.as_str(),
                created.info.expires_at.as_deref().unwrap_or("never")
            );
            println_stdout(&format!("{}\n", created.token))?;
        }
        TokenCommand::List(args) => {
            let mut out = format!(
                "{:<24} {:<8} {:<21} {:<21} {}\n",
                "NAME", "ROLE", "CREATED", "EXPIRES", "LAST USED"
            );
            for t in tokens::list_offline(&data_dir(&args.data))? {
                out.push_str(&format!(
                    "{:<24} {:<8} {:<21} {:<21} {}\n",
                    t.name,
                    t.role.as_str(),
                    t.created_at,
                    t.expires_at.as_deref().unwrap_or("never"),
                    t.last_used_at.as_deref().unwrap_or("never")
                ));
            }
            println_stdout(&out)?;
        }
        TokenCommand::Revoke(args) => {
            if !tokens::revoke_offline(&data_dir(&args.data), &args.name)? {
                return Err(
                    Failure::from(anyhow::anyhow!("no token named {:?}", args.name))
                        .hint("`strata server token list` shows the tokens"),
                );
            }
            eprintln!("token {:?} revoked", args.name);
        }
    }
    Ok(EXIT_OK)
}

fn println_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to stdout")?;
    Ok(())
}
