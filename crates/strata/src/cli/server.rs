//! Flags of `strata server`, its token commands, `strata whoami`, and the
//! options every command uses to reach a server.

use std::path::PathBuf;

use clap::Subcommand;

use super::FeedOptions;

pub(crate) const SERVER_ABOUT: &str = "\
Run Strata as a service: it keeps the vulnerability database fresh in the background,
scans images on request (a bounded worker pool; identical requests share one scan; layers
already indexed are never fetched again), keeps the history, and answers CI pipelines that
hold an API token. State lives in --data-dir (SQLite: history, tokens, layer cache, DB).

Bootstrap: `strata server token create --name admin --role admin` prints a token once.
API: /api/v1 (OpenAPI at /api/v1/openapi.json), /healthz, /readyz, /metrics.
Klar: --clair-v1-listen :6060 serves the Clair v1 API Klar speaks.";

/// Arguments of `strata server`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServerArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ServerCommand>,

    /// Address to serve the API on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(crate) listen: String,

    #[command(flatten)]
    pub(crate) data: DataDir,

    /// TLS certificate chain (PEM): serve HTTPS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,

    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,

    /// Time between vulnerability database updates (e.g. 6h, 30m; 0 = only on
    /// request, or at start when there is no database).
    #[arg(long, value_name = "DURATION", default_value = "6h")]
    pub(crate) update_interval: String,

    /// Scans that run at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub(crate) workers: Option<usize>,

    /// Scans that may wait for a worker; beyond that requests get 429.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub(crate) queue: usize,

    /// Serve the Clair v1 API (for Klar) on this address, e.g. :6060.
    #[arg(long, value_name = "ADDR")]
    pub(crate) clair_v1_listen: Option<String>,

    /// Networks allowed to use the Clair v1 API (CIDR, repeatable; default: any).
    /// Klar cannot send a Strata token: limit it to your CI runners.
    #[arg(long, value_name = "CIDR", value_delimiter = ',')]
    pub(crate) clair_v1_allow: Vec<String>,

    /// Extra CA certificate (PEM) to trust for registries (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Vec<PathBuf>,

    /// Registry host that may be reached over plain HTTP (repeatable; loopback hosts always may).
    #[arg(long, value_name = "HOST", value_delimiter = ',')]
    pub(crate) insecure_registry: Vec<String>,

    /// Do not fall back to the snapshot bundled with Strata when no feed can be
    /// fetched (the server then stays not ready until an update succeeds).
    #[arg(long)]
    pub(crate) no_bundled_db: bool,

    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,

    /// Log level: error, warn, info, debug.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub(crate) log_level: String,

    #[command(flatten)]
    pub(crate) feeds: FeedOptions,
}

/// `--data-dir`.
#[derive(Debug, clap::Args)]
pub(crate) struct DataDir {
    /// The server's state directory. Default: $XDG_DATA_HOME/strata/server, else
    /// ~/.local/share/strata/server.
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ServerCommand {
    /// Manage API tokens on the data dir (works with the server stopped or running).
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token and print it (shown once: only its hash is stored).
    Create(TokenCreateArgs),
    /// List tokens (name, role, created, expiry, last use; never secrets).
    List(TokenListArgs),
    /// Revoke a token.
    Revoke(TokenRevokeArgs),
}

/// Arguments of `strata server token create`.
#[derive(Debug, clap::Args)]
pub(crate) struct TokenCreateArgs {
    /// Unique name (letters, digits, '-', '_', '.').
    #[arg(long)]
    pub(crate) name: String,

    /// admin (everything), analyst (read reports and history), ci (request scans, read reports).
    #[arg(long)]
    pub(crate) role: String,

    /// Lifetime, e.g. 90d, 12h (default: never expires).
    #[arg(long, value_name = "DURATION")]
    pub(crate) expires: Option<String>,

    #[command(flatten)]
    pub(crate) data: DataDir,
}

/// Arguments of `strata server token list`.
#[derive(Debug, clap::Args)]
pub(crate) struct TokenListArgs {
    #[command(flatten)]
    pub(crate) data: DataDir,
}

/// Arguments of `strata server token revoke`.
#[derive(Debug, clap::Args)]
pub(crate) struct TokenRevokeArgs {
    /// The token's name.
    pub(crate) name: String,

    #[command(flatten)]
    pub(crate) data: DataDir,
}

/// How a command reaches a Strata server.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RemoteOptions {
    /// The Strata server (https://strata.example:8080): scan there instead of locally.
    #[arg(long, value_name = "URL")]
    pub(crate) endpoint: Option<String>,

    /// API token for the server; prefer STRATA_API_TOKEN or --api-token-file.
    #[arg(long, value_name = "TOKEN", hide_env_values = true)]
    pub(crate) api_token: Option<String>,

    /// Read the API token from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "api_token")]
    pub(crate) api_token_file: Option<PathBuf>,

    /// CA certificate (PEM) to trust for the server (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) server_ca_cert: Vec<PathBuf>,

    /// Skip TLS verification of the server's certificate.
    #[arg(long)]
    pub(crate) insecure_skip_tls_verify: bool,
}

/// Arguments of `strata whoami`.
#[derive(Debug, clap::Args)]
pub(crate) struct WhoamiArgs {
    #[command(flatten)]
    pub(crate) remote: RemoteOptions,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = WhoamiFormat::Table)]
    pub(crate) format: WhoamiFormat,
}

/// How `whoami` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WhoamiFormat {
    /// Readable lines.
    Table,
    /// The server's JSON.
    Json,
}
