//! Each criterion on a finding or on the image facts.

use strata_match::Finding;

use crate::date::Date;
use crate::filter::has_fixed_version;

use super::facts::ImageFacts;
use super::model::Criteria;

/// Whether `finding` meets every finding criterion of `criteria`.
pub(crate) fn finding_matches(criteria: &Criteria, finding: &Finding, today: Date) -> bool {
    let published_days = published(finding).map(|date| days_between(date, today));
    criteria
        .severity_at_least
        .is_none_or(|threshold| finding.severity >= threshold)
        && criteria
            .cvss_at_least
            .is_none_or(|threshold| highest_cvss(finding).is_some_and(|score| score >= threshold))
        && criteria
            .fixable
            .is_none_or(|want| has_fixed_version(finding) == want)
        // The data carries no fix date: the advisory's publication date
        // stands for it (OSV/GHSA advisories are published with the fixed
        // version). A finding with no fix, or no date, does not meet it.
        && criteria.days_since_fix_at_least.is_none_or(|days| {
            has_fixed_version(finding) && published_days.is_some_and(|age| age >= i64::from(days))
        })
        && criteria
            .days_since_published_at_least
            .is_none_or(|days| published_days.is_some_and(|age| age >= i64::from(days)))
        && criteria
            .epss_at_least
            .is_none_or(|threshold| finding.epss.as_ref().is_some_and(|e| e.score >= threshold))
        && criteria
            .in_kev
            .is_none_or(|want| finding.kev.is_some() == want)
        && (criteria.cves.is_empty() || names_one_of(finding, &criteria.cves))
        && (criteria.packages.is_empty()
            || criteria.packages.iter().any(|pattern| {
                let names = std::iter::once(finding.package.name.as_str())
                    .chain(finding.package.source_name.as_deref());
                let ecosystem = finding.package.ecosystem.split(':').next().unwrap_or("");
                pattern
                    .ecosystem
                    .as_deref()
                    .is_none_or(|want| want.trim().eq_ignore_ascii_case(ecosystem))
                    && names.into_iter().any(|name| pattern.name.is_match(name))
            }))
}

/// The highest CVSS base score of any source.
pub(crate) fn highest_cvss(finding: &Finding) -> Option<f64> {
    finding
        .cvss
        .iter()
        .filter_map(|c| c.score)
        .fold(None, |best, score| {
            Some(best.map_or(score, |b: f64| b.max(score)))
        })
}

fn published(finding: &Finding) -> Option<Date> {
    date_of(finding.published.as_deref()?)
}

/// The date part of an RFC 3339 time (or a bare date).
pub(crate) fn date_of(text: &str) -> Option<Date> {
    Date::parse(text.trim().get(0..10)?)
}

/// Whole days from `from` to `to`.
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    to.days_since_epoch() - from.days_since_epoch()
}

fn names_one_of(finding: &Finding, ids: &[String]) -> bool {
    std::iter::once(&finding.id)
        .chain(&finding.aliases)
        .any(|id| ids.iter().any(|want| want.trim().eq_ignore_ascii_case(id)))
}

/// One image criterion that holds, in words.
pub(crate) struct Fact {
    pub(crate) criterion: &'static str,
    pub(crate) message: String,
}

/// The image criteria of `criteria`: `None` when one of them does not hold
/// (the policy is not violated), else the facts that hold (empty when the
/// policy has no image criterion).
pub(crate) fn image_facts(
    criteria: &Criteria,
    facts: &ImageFacts,
    today: Date,
) -> Option<Vec<Fact>> {
    let mut held = Vec::new();
    let mut hold = |criterion: &'static str, message: Option<String>| -> Option<()> {
        held.push(Fact {
            criterion,
            message: message?,
        });
        Some(())
    };
    if !criteria.os.is_empty() {
        let (id, version) = facts.os.as_ref()?;
        let version = version.as_deref().unwrap_or("");
        let is = criteria.os.iter().any(|want| {
            let (want_id, want_version) = want.split_once(':').unwrap_or((want, ""));
            want_id.trim().eq_ignore_ascii_case(id)
                && (want_version.is_empty() || want_version.trim() == version)
        });
        hold(
            "os",
            is.then(|| {
                format!("the image's OS is {id} {version}")
                    .trim_end()
                    .to_owned()
            }),
        )?;
    }
    if let Some(days) = criteria.image_age_days_at_least {
        // No creation time, no age: the criterion does not hold.
        let created = facts.created.as_deref().and_then(date_of)?;
        let age = days_between(created, today);
        hold(
            "image_age_days_at_least",
            (age >= i64::from(days)).then(|| {
                format!("the image was created on {created}, {age} days ago (limit: {days} days)")
            }),
        )?;
    }
    if let Some(want) = criteria.runs_as_root {
        let root = facts.runs_as_root();
        let user = match facts.user.as_deref().map(str::trim) {
            None | Some("") => "no USER is set".to_owned(),
            Some(user) => format!("USER is `{user}`"),
        };
        hold(
            "runs_as_root",
            (root == want).then(|| {
                if root {
                    format!("the image runs as root ({user})")
                } else {
                    format!("the image does not run as root ({user})")
                }
            }),
        )?;
    }
    if !criteria.required_labels.is_empty() {
        let missing: Vec<&String> = criteria
            .required_labels
            .iter()
            .filter(|label| !has_label(facts, label))
            .collect();
        if missing.is_empty() {
            return None;
        }
        for label in missing {
            hold(
                "required_labels",
                Some(format!("the required label `{label}` is missing")),
            )?;
        }
    }
    if !criteria.disallowed_labels.is_empty() {
        let present: Vec<&String> = criteria
            .disallowed_labels
            .iter()
            .filter(|label| has_label(facts, label))
            .collect();
        if present.is_empty() {
            return None;
        }
        for label in present {
            hold(
                "disallowed_labels",
                Some(format!("the image has the disallowed label `{label}`")),
            )?;
        }
    }
    if let Some(limit) = criteria.layer_count_above {
        let count = facts.layer_count;
        hold(
            "layer_count_above",
            (count > usize::try_from(limit).unwrap_or(usize::MAX))
                .then(|| format!("the image has {count} layers (limit: {limit})")),
        )?;
    }
    if let Some(want) = criteria.unscanned_components {
        let some = !facts.unscanned.is_empty();
        let message = if some {
            let shown: Vec<&str> = facts.unscanned.iter().take(3).map(String::as_str).collect();
            let more = facts.unscanned.len().saturating_sub(shown.len());
            format!(
                "{} component(s) not checked for vulnerabilities: {}{}",
                facts.unscanned.len(),
                shown.join("; "),
                if more > 0 {
                    format!("; … {more} more")
                } else {
                    String::new()
                }
            )
        } else {
            "every component was checked for vulnerabilities".to_owned()
        };
        hold("unscanned_components", (some == want).then_some(message))?;
    }
    Some(held)
}

/// `KEY` present, or `KEY=VALUE` present with that value.
fn has_label(facts: &ImageFacts, label: &str) -> bool {
    match label.split_once('=') {
        Some((key, value)) => facts.labels.get(key.trim()).is_some_and(|v| v == value),
        None => facts.labels.contains_key(label.trim()),
    }
}
