//! `strata image check`: obtain (scan report, image facts) → evaluate the
//! policies → render → exit code (0 passed, 1 a `fail` policy violated).

use std::path::Path;

use strata_match::ScanReport;
use strata_policy::policy::{ImageFacts, PolicySet, evaluate};
use strata_policy::{Date, Filter};

use crate::cli::CheckArgs;
use crate::commands::{gate, output, remote, scan};
use crate::failure::Failure;

pub(crate) fn run(args: &CheckArgs, cache: &Path) -> Result<u8, Failure> {
    let targets = output::targets(&args.output, &strata_report::check::FORMATS, "table")?;
    let client = remote::Client::from_options(&args.source.remote)?;
    // A bad policy file is refused before anything is downloaded. With a
    // server and no --policy, the server's policies apply.
    let policies = match &client {
        Some(client) if args.policy.is_empty() => {
            only_categories(remote::policies(client)?, &args.categories)?
        }
        _ => policies(&args.policy, &args.categories)?,
    };
    let (report, facts) = obtain(args, cache, client.as_ref())?;
    let result = evaluate(&policies, &report, &facts, Date::today_utc());
    let color = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none();
    for target in &targets {
        let text = strata_report::check::render(
            &result,
            &target.format,
            color,
            env!("CARGO_PKG_VERSION"),
        )?;
        output::write(target, &text)?;
    }
    // The reason a build failed is printed even with --quiet: it is the answer.
    if !args.quiet || !result.passed {
        eprintln!("{}", result.reason);
    }
    Ok(result.exit_code())
}

/// The policy files given (or the built-in set), only the `--categories` ones.
pub(crate) fn policies(
    paths: &[std::path::PathBuf],
    categories: &[String],
) -> Result<PolicySet, Failure> {
    let set = if paths.is_empty() {
        PolicySet::builtin()?
    } else {
        PolicySet::load(paths).map_err(|e| {
            Failure::from(e).hint("`strata policy validate FILE` checks a policy file")
        })?
    };
    only_categories(set, categories)
}

/// The set narrowed to `--categories`; none left is an error.
fn only_categories(set: PolicySet, categories: &[String]) -> Result<PolicySet, Failure> {
    let set = set.with_categories(categories);
    if set.policies().is_empty() {
        return Err(Failure::from(anyhow::anyhow!(
            "no policy to evaluate{}",
            if categories.is_empty() {
                String::new()
            } else {
                format!(" in the categories {}", categories.join(", "))
            }
        ))
        .hint("`strata policy list` shows the policies and their categories"));
    }
    Ok(set)
}

/// The scan report and image facts to check: a scan as `image scan` makes it
/// (locally, or on the server), ignore file and VEX applied, no severity filter.
fn obtain(
    args: &CheckArgs,
    cache: &Path,
    client: Option<&remote::Client>,
) -> Result<(ScanReport, ImageFacts), Failure> {
    let request = scan::Request::new(&args.image, &args.image_options, &args.source, args.quiet);
    let mut report = scan::unfiltered(&request, "checking", client, cache)?;
    scan::unsupported_os(&report, false, args.quiet)?;
    gate::suppress(
        &mut report,
        &Filter::default(),
        args.ignore_file.as_deref(),
        &args.vex,
        args.quiet,
    )?;
    let facts = ImageFacts::from_report(&report);
    Ok((report, facts))
}
