//! Updaters: each source's upstream documents fetched (conditionally, with the
//! validators of the last update), parsed and stored in a new database that is
//! swapped in at the end. A source whose fetch or parse fails keeps the
//! documents of the previous database and is reported with the reason; the
//! other sources still update.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::feeds;
use crate::fetch::{FetchError, FetchOptions, Fetched, Fetcher, Validators};
use crate::store::{Builder, Document, StoreError};
use crate::{Advisory, Enrichment, FeedError, Skipped};

/// OSV ecosystems fetched by default, each from `OSV_BASE/<ECOSYSTEM>/all.zip`.
pub const OSV_ECOSYSTEMS: [&str; 16] = [
    "PyPI",
    "npm",
    "Go",
    "crates.io",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Debian",
    "Ubuntu",
    "Alpine",
    "AlmaLinux",
    "Rocky",
    "Wolfi",
    "Chainguard",
    "Bitnami",
];

const OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com/";
const DEBIAN_TRACKER: &str = "https://security-tracker.debian.org/tracker/data/json";
const ALPINE_SECDB: &str = "https://secdb.alpinelinux.org/";
const WOLFI_SECDB: &str = "https://packages.wolfi.dev/os/security.json";
const CHAINGUARD_SECDB: &str = "https://packages.cgr.dev/chainguard/security.json";
const NVD_FEEDS: &str = "https://nvd.nist.gov/feeds/json/cve/2.0/";
const EPSS: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";
const KEV: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// The first year of NVD's year feeds.
pub const NVD_FIRST_YEAR: i32 = 2002;
/// Skipped records named per source in a report (the rest are counted).
const NAMED_SKIPS: usize = 5;

/// What a source reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An osv.dev `all.zip` of one ecosystem.
    OsvZip,
    /// The Debian security tracker's JSON.
    DebianTracker,
    /// Alpine's secdb: `URL/v3.NN/{main,community}.json` for every release
    /// listed at `URL` (or the configured ones).
    AlpineSecdb {
        /// Releases to read (`v3.18`…); `None`: those listed at the secdb root.
        releases: Option<Vec<String>>,
    },
    /// A secdb document of a rolling distribution (`Wolfi`, `Chainguard`).
    Secdb {
        /// Namespace base.
        namespace: String,
    },
    /// NVD's JSON 2.0 year feeds `URL/nvdcve-2.0-YYYY.json.gz` and `-modified`.
    Nvd {
        /// First year read.
        first_year: i32,
        /// Last year read (the current one by default).
        last_year: i32,
    },
    /// The EPSS scores CSV.
    Epss,
    /// CISA's KEV catalog.
    Kev,
    /// A local directory of OSV JSON/YAML files (`--osv-dir`).
    OsvDir(PathBuf),
}

/// One source: a name, what it reads, and its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `osv:PyPI`, `debian`, `alpine`, `wolfi`, `chainguard`, `nvd`, `epss`, `kev`, `osv-dir`.
    pub name: String,
    /// What it reads.
    pub kind: Kind,
    /// Its upstream URL (a base for Alpine and NVD; the directory for `osv-dir`).
    pub url: String,
}

impl Source {
    /// Whether `--source NAME` selects this source: the exact name, or its
    /// family (`osv` selects every `osv:*`).
    pub fn selected_by(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
            || self
                .name
                .split_once(':')
                .is_some_and(|(family, _)| family.eq_ignore_ascii_case(name))
    }
}

/// The default sources and their upstream URLs; NVD up to `current_year`.
pub fn default_sources(current_year: i32) -> Vec<Source> {
    let mut sources: Vec<Source> = OSV_ECOSYSTEMS
        .iter()
        .map(|ecosystem| Source {
            name: format!("osv:{ecosystem}"),
            kind: Kind::OsvZip,
            url: format!("{OSV_BASE}{ecosystem}/all.zip"),
        })
        .collect();
    let more = [
        ("debian", Kind::DebianTracker, DEBIAN_TRACKER),
        ("alpine", Kind::AlpineSecdb { releases: None }, ALPINE_SECDB),
        (
            "wolfi",
            Kind::Secdb {
                namespace: "Wolfi".into(),
            },
            WOLFI_SECDB,
        ),
        (
            "chainguard",
            Kind::Secdb {
                namespace: "Chainguard".into(),
            },
            CHAINGUARD_SECDB,
        ),
        (
            "nvd",
            Kind::Nvd {
                first_year: NVD_FIRST_YEAR,
                last_year: current_year,
            },
            NVD_FEEDS,
        ),
        ("epss", Kind::Epss, EPSS),
        ("kev", Kind::Kev, KEV),
    ];
    sources.extend(more.into_iter().map(|(name, kind, url)| Source {
        name: name.into(),
        kind,
        url: url.into(),
    }));
    sources
}

/// How an update runs.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Fetching (mirror, timeout, size limit).
    pub fetch: FetchOptions,
    /// Every configured source (the database keeps only these).
    pub sources: Vec<Source>,
    /// Update only the sources selected by these names; the others keep their data.
    pub only: Vec<String>,
    /// Fetch everything again, without conditional requests.
    pub force: bool,
    /// Sources fetched at once.
    pub parallel: usize,
}

/// How one source's update ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOutcome {
    /// The source.
    pub name: String,
    /// Documents replaced.
    pub updated: usize,
    /// Documents unchanged upstream (`304`).
    pub unchanged: usize,
    /// Records stored from the replaced documents.
    pub records: u64,
    /// Records skipped (with the first few named).
    pub skipped: usize,
    /// Warnings naming skipped records.
    pub warnings: Vec<String>,
    /// Why the source failed (it kept the previous data), if it did.
    pub error: Option<String>,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    /// Per source, in configuration order.
    pub sources: Vec<SourceOutcome>,
}

impl UpdateReport {
    /// The sources that failed.
    pub fn failures(&self) -> impl Iterator<Item = &SourceOutcome> {
        self.sources.iter().filter(|s| s.error.is_some())
    }
}

/// An update that could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The database could not be built or swapped in (the previous one still serves).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The fetcher could not be set up (bad mirror URL, TLS…).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// `--source` names nothing configured.
    #[error("no configured source is named {0:?}")]
    UnknownSource(String),
}

/// A fetched and parsed document, ready to store.
struct Parsed {
    document: Document,
    advisories: Vec<Advisory>,
    enrichments: Vec<Enrichment>,
    skipped: Vec<Skipped>,
}

/// One document's fetch result.
enum Got {
    Unchanged(String),
    Parsed(Box<Parsed>),
}

/// Updates the database at `path`: builds a new one from the previous (if any)
/// and swaps it in. `progress` is told about each source as it ends.
pub async fn update(
    path: &Path,
    options: &UpdateOptions,
    now: &str,
    progress: &(dyn Fn(&SourceOutcome) + Sync),
) -> Result<UpdateReport, UpdateError> {
    for name in &options.only {
        if !options.sources.iter().any(|s| s.selected_by(name)) {
            return Err(UpdateError::UnknownSource(name.clone()));
        }
    }
    let fetcher = Fetcher::new(options.fetch.clone())?;
    let mut builder = Builder::new(path, true)?;
    // Documents of sources no longer configured go.
    let configured: BTreeSet<&str> = options.sources.iter().map(|s| s.name.as_str()).collect();
    for stale in builder.sources_other_than(&configured)? {
        for origin in builder.origins(&stale)? {
            builder.remove(&origin)?;
        }
    }
    let chosen: Vec<&Source> = options
        .sources
        .iter()
        .filter(|s| options.only.is_empty() || options.only.iter().any(|n| s.selected_by(n)))
        .collect();
    let mut previous = Vec::with_capacity(chosen.len());
    for source in &chosen {
        let mut validators = Vec::new();
        if !options.force {
            for origin in builder.origins(&source.name)? {
                if let Some(doc) = builder.document(&origin)? {
                    validators.push(doc);
                }
            }
        }
        previous.push(validators);
    }

    // Fetch and parse sources concurrently; store them in order as they finish.
    let parallel = options.parallel.max(1);
    let mut outcomes = Vec::with_capacity(chosen.len());
    let mut pending = chosen.iter().zip(previous).enumerate();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < parallel {
            let Some((index, (source, previous))) = pending.next() else {
                break;
            };
            let fetcher = fetcher.clone();
            let source = (*source).clone();
            let now = now.to_owned();
            running.spawn(async move {
                let result = fetch_source(&fetcher, &source, &previous, &now).await;
                (index, source, result)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, source, result) = match joined {
            Ok(done) => done,
            Err(e) => {
                // A task that panicked: report it against no source in particular.
                outcomes.push((
                    usize::MAX,
                    SourceOutcome {
                        name: "update".into(),
                        error: Some(format!("an update task failed: {e}")),
                        ..empty_outcome("update")
                    },
                ));
                continue;
            }
        };
        let outcome = store_source(&mut builder, &source, result, now)?;
        progress(&outcome);
        outcomes.push((index, outcome));
    }
    outcomes.sort_by_key(|(index, _)| *index);
    builder.finish(now)?;
    Ok(UpdateReport {
        sources: outcomes.into_iter().map(|(_, o)| o).collect(),
    })
}

fn empty_outcome(name: &str) -> SourceOutcome {
    SourceOutcome {
        name: name.to_owned(),
        updated: 0,
        unchanged: 0,
        records: 0,
        skipped: 0,
        warnings: Vec::new(),
        error: None,
    }
}

fn store_source(
    builder: &mut Builder,
    source: &Source,
    result: Result<Vec<Got>, String>,
    now: &str,
) -> Result<SourceOutcome, StoreError> {
    let mut outcome = empty_outcome(&source.name);
    let got = match result {
        Ok(got) => got,
        Err(reason) => {
            outcome.error = Some(reason);
            return Ok(outcome);
        }
    };
    let mut kept = BTreeSet::new();
    for item in got {
        match item {
            Got::Unchanged(origin) => {
                builder.touch(&origin, now)?;
                outcome.unchanged += 1;
                kept.insert(origin);
            }
            Got::Parsed(parsed) => {
                let Parsed {
                    document,
                    advisories,
                    enrichments,
                    skipped,
                } = *parsed;
                builder.replace(&document, &advisories, &enrichments)?;
                outcome.updated += 1;
                outcome.records +=
                    u64::try_from(advisories.len() + enrichments.len()).unwrap_or(u64::MAX);
                outcome.skipped += skipped.len();
                let room = NAMED_SKIPS.saturating_sub(outcome.warnings.len());
                outcome.warnings.extend(
                    skipped.iter().take(room).map(|s| {
                        format!("{}: skipped {}: {}", document.origin, s.record, s.reason)
                    }),
                );
                kept.insert(document.origin);
            }
        }
    }
    // Documents upstream no longer lists (an Alpine release dropped) go.
    for origin in builder.origins(&source.name)? {
        if !kept.contains(&origin) {
            builder.remove(&origin)?;
        }
    }
    Ok(outcome)
}

/// One document to fetch.
struct Wanted {
    origin: String,
    url: String,
    /// Optional documents (an Alpine `community.json` of an old release) may be missing.
    optional: bool,
}

async fn fetch_source(
    fetcher: &Fetcher,
    source: &Source,
    previous: &[Document],
    now: &str,
) -> Result<Vec<Got>, String> {
    if let Kind::OsvDir(dir) = &source.kind {
        let dir = dir.clone();
        let name = source.name.clone();
        let url = source.url.clone();
        let now = now.to_owned();
        return tokio::task::spawn_blocking(move || {
            let parsed = feeds::osv::parse_dir(&dir).map_err(|e| e.to_string())?;
            let document = Document {
                origin: name.clone(),
                source: name,
                url: Some(url),
                fetched_at: Some(now),
                newest_modified: newest_modified(&parsed.records),
                ..Document::default()
            };
            Ok(vec![Got::Parsed(Box::new(Parsed {
                document,
                advisories: parsed.records,
                enrichments: Vec::new(),
                skipped: parsed.skipped,
            }))])
        })
        .await
        .map_err(|e| e.to_string())?;
    }
    let wanted = documents_of(fetcher, source).await?;
    let first_url = wanted.first().map(|w| w.url.clone()).unwrap_or_default();
    let mut got = Vec::with_capacity(wanted.len());
    for want in wanted {
        let validators = previous
            .iter()
            .find(|d| d.origin == want.origin)
            .map(|d| Validators {
                etag: d.etag.clone(),
                last_modified: d.last_modified.clone(),
            });
        let fetched = match fetcher.fetch(&want.url, validators.as_ref()).await {
            Ok(fetched) => fetched,
            Err(e) if want.optional && e.is_not_found() => continue,
            Err(e) => return Err(e.to_string()),
        };
        match fetched {
            Fetched::NotModified => got.push(Got::Unchanged(want.origin)),
            // The upstream URL is stored: a mirror is a way to reach it, not its identity.
            Fetched::Body {
                bytes, validators, ..
            } => {
                let url = want.url.clone();
                let kind = source.kind.clone();
                let origin = want.origin.clone();
                let source_name = source.name.clone();
                let now = now.to_owned();
                let parsed = tokio::task::spawn_blocking(move || {
                    parse_document(&kind, &origin, &bytes).map(
                        |(advisories, enrichments, skipped)| Parsed {
                            document: Document {
                                origin,
                                source: source_name,
                                url: Some(url),
                                fetched_at: Some(now),
                                etag: validators.etag,
                                last_modified: validators.last_modified,
                                records: 0,
                                newest_modified: newest_modified(&advisories),
                            },
                            advisories,
                            enrichments,
                            skipped,
                        },
                    )
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("{}: {}", want.url, e.reason))?;
                got.push(Got::Parsed(Box::new(parsed)));
            }
        }
    }
    if got.is_empty() {
        return Err(format!(
            "{first_url}: not found, nor any other document of {}",
            source.name
        ));
    }
    Ok(got)
}

type Contents = (Vec<Advisory>, Vec<Enrichment>, Vec<Skipped>);

fn parse_document(kind: &Kind, origin: &str, bytes: &[u8]) -> Result<Contents, FeedError> {
    Ok(match kind {
        Kind::OsvZip => {
            let parsed = feeds::osv::parse_zip(bytes, origin)?;
            (parsed.records, Vec::new(), parsed.skipped)
        }
        Kind::DebianTracker => {
            let parsed = feeds::debian::parse_tracker(bytes)?;
            (parsed.records, Vec::new(), parsed.skipped)
        }
        Kind::AlpineSecdb { .. } => {
            let parsed = feeds::alpine::parse_secdb(bytes, "Alpine")?;
            (parsed.records, Vec::new(), parsed.skipped)
        }
        Kind::Secdb { namespace } => {
            let parsed = feeds::alpine::parse_secdb(bytes, namespace)?;
            (parsed.records, Vec::new(), parsed.skipped)
        }
        Kind::Nvd { .. } => {
            let parsed = feeds::nvd::parse(bytes)?;
            (Vec::new(), parsed.records, parsed.skipped)
        }
        Kind::Epss => {
            let parsed = feeds::epss::parse(bytes)?;
            let enrichments = parsed
                .records
                .into_iter()
                .map(|(cve, epss)| Enrichment {
                    cve,
                    epss: Some(epss),
                    ..Enrichment::default()
                })
                .collect();
            (Vec::new(), enrichments, parsed.skipped)
        }
        Kind::Kev => {
            let parsed = feeds::kev::parse(bytes)?;
            let enrichments = parsed
                .records
                .into_iter()
                .map(|(cve, kev)| Enrichment {
                    cve,
                    kev: Some(kev),
                    ..Enrichment::default()
                })
                .collect();
            (Vec::new(), enrichments, parsed.skipped)
        }
        Kind::OsvDir(_) => (Vec::new(), Vec::new(), Vec::new()),
    })
}

fn newest_modified(advisories: &[Advisory]) -> Option<String> {
    advisories
        .iter()
        .filter_map(|a| a.modified.as_deref())
        .filter(|m| !m.starts_with("0001-"))
        .max()
        .map(str::to_owned)
}

/// The documents a source reads.
async fn documents_of(fetcher: &Fetcher, source: &Source) -> Result<Vec<Wanted>, String> {
    let single = |origin: &str| {
        vec![Wanted {
            origin: origin.to_owned(),
            url: source.url.clone(),
            optional: false,
        }]
    };
    Ok(match &source.kind {
        Kind::AlpineSecdb { releases } => {
            let base = with_slash(&source.url);
            let releases = match releases {
                Some(releases) => releases.clone(),
                None => alpine_releases(fetcher, &base).await?,
            };
            releases
                .iter()
                .flat_map(|release| {
                    ["main", "community"].map(|repo| Wanted {
                        origin: format!("{}:{release}/{repo}", source.name),
                        url: format!("{base}{release}/{repo}.json"),
                        // Not every release has a community repository.
                        optional: repo == "community",
                    })
                })
                .collect()
        }
        Kind::Nvd {
            first_year,
            last_year,
        } => {
            let base = with_slash(&source.url);
            let mut wanted: Vec<Wanted> = (*first_year..=*last_year)
                .map(|year| Wanted {
                    origin: format!("{}:{year}", source.name),
                    url: format!("{base}nvdcve-2.0-{year}.json.gz"),
                    // A mirror may carry only some years; none at all is an error.
                    optional: true,
                })
                .collect();
            wanted.push(Wanted {
                origin: format!("{}:modified", source.name),
                url: format!("{base}nvdcve-2.0-modified.json.gz"),
                optional: true,
            });
            wanted
        }
        _ => single(&source.name),
    })
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

/// The releases listed at the secdb root (an HTML index with `v3.NN/` links).
async fn alpine_releases(fetcher: &Fetcher, base: &str) -> Result<Vec<String>, String> {
    let Fetched::Body { bytes, .. } = fetcher.fetch(base, None).await.map_err(|e| e.to_string())?
    else {
        return Err(format!("{base}: the index was not served"));
    };
    let releases = releases_in_index(&String::from_utf8_lossy(&bytes));
    if releases.is_empty() {
        return Err(format!("{base}: the index lists no release (v3.NN/)"));
    }
    Ok(releases)
}

/// `href="v3.18/"` links of a directory index, as release names, in version order.
fn releases_in_index(html: &str) -> Vec<String> {
    let mut releases: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut edge = false;
    for part in html.split("href=").skip(1) {
        let link = part
            .trim_start_matches(['"', '\''])
            .split(['"', '\'', '>', ' '])
            .next()
            .unwrap_or_default()
            .trim_start_matches("./")
            .trim_end_matches('/');
        if link == "edge" {
            edge = true;
        }
        let Some(numbers) = link.strip_prefix('v') else {
            continue;
        };
        if let Some((major, minor)) = numbers.split_once('.')
            && let (Ok(major), Ok(minor)) = (major.parse(), minor.parse())
        {
            releases.insert((major, minor));
        }
    }
    let mut names: Vec<String> = releases
        .into_iter()
        .map(|(major, minor)| format!("v{major}.{minor}"))
        .collect();
    if edge {
        names.push("edge".into());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpine_index_links() {
        // The shape of secdb.alpinelinux.org's index (nginx autoindex).
        let html = r#"<html><head><title>Index of /</title></head><body>
<a href="../">../</a>
<a href="edge/">edge/</a>   01-Jan-2025 00:00  -
<a href="v3.10/">v3.10/</a>  01-Jan-2025 00:00  -
<a href="v3.9/">v3.9/</a>  01-Jan-2025 00:00  -
<a href="license.txt">license.txt</a>
<a href="v3.x/">nonsense</a>
</body></html>"#;
        assert_eq!(releases_in_index(html), ["v3.9", "v3.10", "edge"]);
        assert!(releases_in_index("<html>nothing</html>").is_empty());
    }

    #[test]
    fn source_selection() {
        let sources = default_sources(2026);
        let pypi = sources.iter().find(|s| s.name == "osv:PyPI").unwrap();
        assert!(pypi.selected_by("osv"));
        assert!(pypi.selected_by("OSV:pypi"));
        assert!(!pypi.selected_by("nvd"));
        assert_eq!(
            pypi.url,
            "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
        );
        assert_eq!(sources.len(), OSV_ECOSYSTEMS.len() + 7);
    }
}
