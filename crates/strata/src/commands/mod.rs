//! One module per subcommand; each returns the process exit status.

mod cache;
mod image;
mod output;
mod sbom;
mod vercmp;

use crate::cli::{CacheCommand, Cli, Command, ImageCommand};
use crate::failure::Failure;

/// Runs the chosen subcommand.
pub(crate) fn run(cli: &Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::Image(ImageCommand::Inspect(args)) => {
            image::inspect(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Sbom(args) => sbom::run(args, &image::cache_dir(cli.cache_dir.as_deref())),
        Command::Cache(CacheCommand::Prune(args)) => {
            cache::prune(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Vercmp(args) => vercmp::run(args),
    }
}
