//! The `strata` command line: thin glue over the library crates.

mod cli;
mod commands;
mod config;
mod failure;
// Klar-compatible mode: built and tested here, wired into the CLI separately.
#[allow(dead_code, unused_imports)]
mod klar;

use std::process::ExitCode;

use failure::Failure;

/// Exit status: the command succeeded, or the gate passed.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit status: anything went wrong (bad input, unreachable registry, missing DB…).
pub(crate) const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(failure) => return report(&failure, false),
    };
    match commands::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => report(&failure, cli.verbose),
    }
}

fn report(failure: &Failure, verbose: bool) -> ExitCode {
    eprint!("{}", failure.render(verbose));
    ExitCode::from(EXIT_ERROR)
}
