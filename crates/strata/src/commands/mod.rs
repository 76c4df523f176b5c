//! One module per subcommand; each returns the process exit status.

mod image;
mod vercmp;

use crate::cli::{Cli, Command, ImageCommand};
use crate::failure::Failure;

/// Runs the chosen subcommand.
pub(crate) fn run(cli: &Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::Image(ImageCommand::Inspect(args)) => {
            image::inspect(args, &image::cache_dir(cli.cache_dir.as_deref()))
        }
        Command::Vercmp(args) => vercmp::run(args),
    }
}
