//! One module per subcommand; each returns the process exit status.

mod cache;
mod check;
pub(crate) mod db;
mod explain;
mod gate;
mod image;
pub(crate) mod klar;
mod output;
mod policy;
mod remote;
mod sbom;
mod scan;
mod server;
mod vercmp;

use crate::cli::{CacheCommand, Cli, Command, DbCommand, ImageCommand, PolicyCommand};
use crate::failure::Failure;

/// Runs the chosen subcommand.
pub(crate) fn run(cli: &Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::Image(ImageCommand::Inspect(args)) => {
            image::inspect(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Image(ImageCommand::Scan(args)) => {
            scan::run(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Sbom(args) => sbom::run(args, &image::cache_dir(cli.cache_dir.as_deref())),
        Command::Cache(CacheCommand::Prune(args)) => {
            cache::prune(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Db(command) => {
            let cache = image::cache_dir(cli.cache_dir.as_deref());
            match command {
                DbCommand::Status(args) => db::status(args, &cache),
                DbCommand::Update(args) => db::update_command(args, &cache),
                DbCommand::Export(args) => db::export(args, &cache),
                DbCommand::Import(args) => db::import(args, &cache),
                DbCommand::Push(args) => db::push(args, &cache),
                DbCommand::Pull(args) => db::pull(args, &cache),
            }
        }
        Command::Explain(args) => explain::run(args, &image::cache_dir(cli.cache_dir.as_deref())),
        Command::Klar(args) => Ok(klar::run(
            &args.args,
            &image::cache_dir(cli.cache_dir.as_deref()),
        )),
        Command::Vercmp(args) => vercmp::run(args),
        Command::Server(args) => server::run(args),
        Command::Whoami(args) => remote::whoami(args),
        Command::Image(ImageCommand::Check(args)) => {
            check::run(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Policy(command) => match command {
            PolicyCommand::List(args) => policy::list(args),
            PolicyCommand::Show(args) => policy::show(args),
            PolicyCommand::Validate(args) => policy::validate(args),
        },
    }
}

/// The cache directory when no flags were parsed (Klar mode): `STRATA_CACHE_DIR`, else the default.
pub(crate) fn cache_dir_from_env() -> std::path::PathBuf {
    let flag = std::env::var_os("STRATA_CACHE_DIR").map(std::path::PathBuf::from);
    image::cache_dir(flag.as_deref())
}
