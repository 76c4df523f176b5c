//! The `strata` command line: thin glue over the library crates.

mod cli;
mod commands;
mod config;
mod failure;
mod klar;

use std::process::ExitCode;

use failure::Failure;

/// Exit status: the command succeeded, or the gate passed.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit status: anything went wrong (bad input, unreachable registry, missing DB…).
pub(crate) const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    // Invoked as `klar` (a symlink or a copy): Klar's command line, Klar's rules.
    let mut args = std::env::args();
    let invoked_as = args.next().unwrap_or_default();
    if std::path::Path::new(&invoked_as)
        .file_stem()
        .is_some_and(|name| name == "klar")
    {
        let rest: Vec<String> = args.collect();
        let cache = commands::cache_dir_from_env();
        return ExitCode::from(commands::klar::run(&rest, &cache));
    }
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
