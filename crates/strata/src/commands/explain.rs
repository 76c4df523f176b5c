//! `strata explain ID --image REF`: why an advisory matched a package of the
//! image, or why it did not (not in the data, another release, version outside
//! the range, left to the distro's advisories).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use strata_catalog::Scope;
use strata_match::{affects, describe_range, lookup_of};
use strata_version::Version;

use crate::EXIT_OK;
use crate::cli::ExplainArgs;
use crate::commands::scan;
use crate::failure::Failure;

pub(crate) fn run(args: &ExplainArgs, cache: &Path) -> Result<u8, Failure> {
    let db = scan::scan_db(cache, args.skip_db_update, &args.feeds, false)?;
    let info = scan::db_info(&db, cache)?;
    let input = scan::Input {
        image: &args.image,
        image_options: &args.image_options,
        scope: Scope::Squashed,
        no_cache: false,
        base_image: None,
    };
    let report = scan::report(&input, cache, &db, info)?;
    let id = args.id.trim();
    let mut out = String::new();
    let matched: Vec<_> = report
        .findings
        .iter()
        .filter(|f| {
            f.id.eq_ignore_ascii_case(id) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
        })
        .collect();
    for finding in &matched {
        let _ = writeln!(
            out,
            "{id} MATCHES {} {} ({})",
            finding.package.name, finding.package.version, finding.package.ecosystem
        );
        let _ = writeln!(
            out,
            "  advisory:  {} from {} ({})",
            finding.id, finding.source, finding.namespace
        );
        let _ = writeln!(out, "  why:       {}", finding.matched_by);
        let _ = writeln!(
            out,
            "  fix:       {} {}",
            serde_json::to_string(&finding.fix_state)
                .unwrap_or_default()
                .trim_matches('"'),
            finding.fixed_versions.join(", ")
        );
        let _ = writeln!(
            out,
            "  severity:  {:?}{}",
            finding.severity,
            finding
                .severity_source
                .as_deref()
                .map_or_else(String::new, |s| format!(" (from {s})"))
        );
        if let Some(layer) = &finding.layer {
            let _ = writeln!(
                out,
                "  layer:     {} {}{}",
                layer.index,
                layer.diff_id.as_deref().unwrap_or(""),
                if layer.in_base_image {
                    " (base image)"
                } else {
                    ""
                }
            );
            if let Some(created_by) = &layer.created_by {
                let _ = writeln!(out, "             {created_by}");
            }
        }
        for path in &finding.package.paths {
            let _ = writeln!(out, "  path:      {path}");
        }
    }
    let advisories = db.advisories(id)?;
    if advisories.is_empty() && matched.is_empty() {
        let _ = writeln!(out, "{id} is not in the vulnerability database");
    }
    let inventory = report.inventory.as_ref().context("no inventory")?;
    let entries: Vec<(&strata_vulndb::Advisory, &strata_vulndb::Affected)> = advisories
        .iter()
        .flat_map(|a| a.affected.iter().map(move |e| (a, e)))
        .collect();
    for package in &inventory.packages {
        if matched.iter().any(|f| {
            f.package.name == package.name
                && f.package.version == package.version
                && f.package.paths == package.paths
        }) {
            continue;
        }
        let lookup = lookup_of(package, inventory);
        let named: Vec<_> = entries
            .iter()
            .filter(|(_, e)| match &lookup {
                Ok(l) => l.name == e.package,
                Err(_) => package.name.eq_ignore_ascii_case(&e.package),
            })
            .collect();
        if named.is_empty() {
            continue;
        }
        let label = format!(
            "{} {} ({})",
            package.name, package.version, package.ecosystem
        );
        let lookup = match lookup {
            Err(reason) => {
                let _ = writeln!(out, "{id} does NOT match {label}: {reason}");
                continue;
            }
            Ok(lookup) => lookup,
        };
        let here: Vec<_> = named
            .iter()
            .filter(|(_, e)| {
                strata_vulndb::store::normalize_namespace(&e.namespace) == lookup.namespace
            })
            .collect();
        if here.is_empty() {
            let elsewhere: Vec<&str> = named.iter().map(|(_, e)| e.namespace.as_str()).collect();
            let _ = writeln!(
                out,
                "{id} does NOT match {label}: the data names {} only in {}, not in {}",
                lookup.name,
                elsewhere.join(", "),
                lookup.namespace
            );
            continue;
        }
        for (advisory, affected) in here {
            let why = match Version::parse(lookup.scheme, &lookup.version) {
                Err(e) => format!("version {} cannot be compared: {e}", lookup.version),
                Ok(version) => match affects(
                    affected,
                    affected.versions.iter().map(String::as_str),
                    &version,
                    lookup.scheme,
                ) {
                    Some(_) if advisory.withdrawn.is_some() => {
                        "the advisory is withdrawn".to_owned()
                    }
                    Some(_) => "it matches, but the finding was merged into another id".to_owned(),
                    None => format!(
                        "{} {} is outside the affected ranges ({}); fix state {}",
                        lookup.name,
                        lookup.version,
                        describe(affected),
                        serde_json::to_string(&affected.fix_state)
                            .unwrap_or_default()
                            .trim_matches('"')
                    ),
                },
            };
            let _ = writeln!(
                out,
                "{} does NOT match {label} in {}: {why}",
                advisory.id, lookup.namespace
            );
        }
    }
    if !advisories.is_empty() && matched.is_empty() && !out.contains("does NOT match") {
        let names: Vec<String> = advisories
            .iter()
            .flat_map(|a| &a.affected)
            .map(|a| format!("{} ({})", a.package, a.namespace))
            .collect();
        let _ = writeln!(
            out,
            "{id}: the image has none of the packages it names: {}",
            names.join(", ")
        );
    }
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .context("cannot write to stdout")?;
    Ok(EXIT_OK)
}

/// An entry's ranges and listed versions in words.
fn describe(affected: &strata_vulndb::Affected) -> String {
    let mut parts: Vec<String> = affected
        .ranges
        .iter()
        .filter(|r| r.kind != strata_vulndb::RangeKind::Git)
        .map(describe_range)
        .collect();
    if !affected.versions.is_empty() {
        parts.push(format!("{} listed versions", affected.versions.len()));
    }
    if parts.is_empty() {
        "no range".to_owned()
    } else {
        parts.join("; ")
    }
}
