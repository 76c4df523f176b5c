//! `strata vercmp`: compare versions or test ranges, one pair or a stream of lines.

use std::cmp::Ordering;
use std::io::{BufRead, Write};

use anyhow::Context as _;
use strata_version::{Range, Scheme, Version, compare, satisfies};

use crate::EXIT_OK;
use crate::cli::VercmpArgs;
use crate::failure::Failure;

pub(crate) fn run(args: &VercmpArgs) -> Result<u8, Failure> {
    match (&args.a, &args.b) {
        (Some(a), Some(b)) => {
            let answer = answer(args.scheme, args.range, a, b)?;
            write_line(&mut std::io::stdout().lock(), answer)?;
            Ok(EXIT_OK)
        }
        (None, None) => stream(args.scheme, args.range),
        _ => Err(Failure::from(anyhow::anyhow!(
            "vercmp needs two arguments (or none, to read lines from stdin)"
        ))
        .hint(if args.range {
            "strata vercmp SCHEME --range VERSION 'RANGE'"
        } else {
            "strata vercmp SCHEME A B"
        })),
    }
}

/// `<`, `=`, `>`, or with `range` set `in` / `out`.
fn answer(
    scheme: Scheme,
    range: bool,
    a: &str,
    b: &str,
) -> Result<&'static str, strata_version::Error> {
    if range {
        let strict =
            Version::parse(scheme, a).and_then(|v| Ok(Range::parse(scheme, b)?.contains(&v)));
        let inside = match strict {
            Ok(inside) => inside,
            Err(error) => {
                // Some references answer "no" to invalid input; say so, then do the same.
                let inside = satisfies(scheme, a, b)?;
                eprintln!("warning: {error} (answered `out`, as the {scheme} reference does)");
                inside
            }
        };
        return Ok(if inside { "in" } else { "out" });
    }
    Ok(match compare(scheme, a, b)? {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    })
}

/// Reads `A B` (or `VERSION RANGE…`) lines and answers each in order; a line that
/// cannot be answered prints `error: …` in its place so output stays aligned with
/// input. Blank lines and `#` comments are skipped.
fn stream(scheme: Scheme, range: bool) -> Result<u8, Failure> {
    let stdin = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    for (number, line) in stdin.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read line {} of stdin", number + 1))?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let result = split(line, range)
            .map_err(|reason| format!("line {}: {reason}", number + 1))
            .and_then(|(a, b)| answer(scheme, range, a, b).map_err(|e| e.to_string()));
        match result {
            Ok(answer) => write_line(&mut out, answer)?,
            Err(message) => write_line(&mut out, &format!("error: {message}"))?,
        }
    }
    Ok(EXIT_OK)
}

/// `A B` for comparisons; `VERSION RANGE…` (range = rest of the line) for ranges.
fn split(line: &str, range: bool) -> Result<(&str, &str), &'static str> {
    let (first, rest) = line.split_once(char::is_whitespace).ok_or(if range {
        "expected `VERSION RANGE`"
    } else {
        "expected `A B`"
    })?;
    let rest = rest.trim();
    if !range && rest.contains(char::is_whitespace) {
        return Err("expected exactly two versions");
    }
    Ok((first, rest))
}

fn write_line(out: &mut impl Write, text: &str) -> Result<(), Failure> {
    match writeln!(out, "{text}") {
        // A closed pipe (`| head`) is the reader's choice, not our error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(i32::from(EXIT_OK))
        }
        result => result
            .context("cannot write to stdout")
            .map_err(Failure::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pairs_and_ranges() {
        assert_eq!(split("1.0 2.0", false), Ok(("1.0", "2.0")));
        assert_eq!(
            split("1.2.3 >= 1.0 < 2.0", true),
            Ok(("1.2.3", ">= 1.0 < 2.0"))
        );
        assert!(split("1.0", false).is_err());
        assert!(split("1.0 2.0 3.0", false).is_err());
    }
}
