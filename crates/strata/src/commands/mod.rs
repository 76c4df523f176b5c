//! One module per subcommand; each returns the process exit status.

mod vercmp;

use crate::cli::{Cli, Command};
use crate::failure::Failure;

/// Runs the chosen subcommand.
pub(crate) fn run(cli: &Cli) -> Result<u8, Failure> {
    match &cli.command {
        Command::Vercmp(args) => vercmp::run(args),
    }
}
