//! One module per subcommand; each returns the process exit status.

mod cache;
pub(crate) mod db;
mod image;
mod output;
mod sbom;
mod vercmp;

use crate::cli::{CacheCommand, Cli, Command, DbCommand, ImageCommand};
use crate::failure::Failure;

/// Runs the chosen subcommand.
pub(crate) fn run(cli: &Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::Image(ImageCommand::Inspect(args)) => {
            image::inspect(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Image(ImageCommand::Scan(_)) => Err(Failure::from(anyhow::anyhow!("wip"))),
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
        Command::Vercmp(args) => vercmp::run(args),
    }
}
