//! NVD CVE JSON 2.0: the yearly/modified feeds
//! (`https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-YYYY.json.gz`, `…-modified.json.gz`)
//! and pages of the CVE API 2.0 (`https://services.nvd.nist.gov/rest/json/cves/2.0`).
//!
//! Both are `{resultsPerPage, startIndex, totalResults, format: "NVD_CVE", version: "2.0",
//! timestamp, vulnerabilities: [{cve: {...}}]}` with the same per-CVE record
//! (<https://nvd.nist.gov/developers/vulnerabilities>, schema
//! `https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema`). From each record we
//! keep the id, `published` and the CVSS metrics (`metrics.cvssMetricV40/V31/V30/V2`) as
//! [`Enrichment`]; everything else (descriptions, configurations, references…) is skipped
//! by serde without being materialised.
//!
//! Streaming: the document is walked with a serde visitor; each element of
//! `vulnerabilities` is captured as raw JSON and deserialised on its own into typed structs,
//! so one bad record becomes a [`Skipped`] and the rest is kept, and no `Value` tree of the
//! ~100 MB year feed is ever built. [`parse_gz`] decompresses while parsing (never holding
//! the whole decompressed document) and stops at 2 GiB.
//!
//! What ends up in `Parsed::skipped`: whole records that could not be used (rejected CVEs,
//! malformed records, bad ids, duplicates) named by CVE id, and notes about single metrics or
//! fields that were dropped or repaired, named `CVE-… cvssMetricV31[1]` / `CVE-… published`.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::{Cvss, CvssVersion, Enrichment, FeedError, Parsed, Skipped};

const FEED: &str = "nvd";

/// Most bytes [`parse_gz`] will decompress. The largest year feed is a few hundred MB
/// uncompressed; anything above this is treated as a decompression bomb.
pub const MAX_DECOMPRESSED: u64 = 2 << 30;

/// Longest CVSS vector accepted. A v4.0 vector with every optional metric is ~350 bytes.
const MAX_VECTOR_LEN: usize = 1024;
/// Longest metric `source` accepted (an e-mail address or an org UUID in practice).
const MAX_SOURCE_LEN: usize = 256;

/// Parses a decompressed NVD CVE JSON 2.0 document (year feed, modified feed or API page).
pub fn parse(bytes: &[u8]) -> Result<Parsed<Enrichment>, FeedError> {
    if bytes.starts_with(&GZIP_MAGIC) {
        return Err(err("input is gzip-compressed; use parse_gz"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    run(&mut de)
}

/// Parses a gzip-compressed NVD feed (`nvdcve-2.0-*.json.gz`), decompressing as it goes
/// and failing once more than [`MAX_DECOMPRESSED`] bytes come out.
pub fn parse_gz(bytes: &[u8]) -> Result<Parsed<Enrichment>, FeedError> {
    parse_gz_limited(bytes, MAX_DECOMPRESSED)
}

fn parse_gz_limited(bytes: &[u8], limit: u64) -> Result<Parsed<Enrichment>, FeedError> {
    let reader = BufReader::with_capacity(64 * 1024, gunzip(bytes, limit)?);
    let mut de = serde_json::Deserializer::from_reader(reader);
    run(&mut de)
}

fn run<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
) -> Result<Parsed<Enrichment>, FeedError> {
    let mut state = State::default();
    let doc = DocSeed { state: &mut state }
        .deserialize(&mut *de)
        .and_then(|doc| de.end().map(|()| doc))
        .map_err(|e| {
            err(&format!(
                "not an NVD CVE JSON 2.0 document: {}",
                short(&e.to_string())
            ))
        })?;
    if let Some(format) = &doc.format
        && format != "NVD_CVE"
    {
        return Err(err(&format!(
            "format is {:?}, expected \"NVD_CVE\"",
            short(format)
        )));
    }
    if let Some(version) = &doc.version
        && !version.starts_with("2.")
    {
        return Err(err(&format!(
            "version is {:?}, expected 2.x",
            short(version)
        )));
    }
    if !doc.saw_vulnerabilities {
        return Err(err(
            "no \"vulnerabilities\" array (an NVD 1.1 \"CVE_Items\" feed is not supported)",
        ));
    }
    Ok(state.finish())
}

fn err(reason: &str) -> FeedError {
    FeedError {
        feed: FEED.to_owned(),
        reason: reason.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Top-level walk.

#[derive(Default)]
struct DocInfo {
    format: Option<String>,
    version: Option<String>,
    saw_vulnerabilities: bool,
}

struct DocSeed<'a> {
    state: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = DocInfo;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<DocInfo, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = DocInfo;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with a \"vulnerabilities\" array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DocInfo, A::Error> {
        let mut info = DocInfo::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => info.format = map.next_value()?,
                "version" => info.version = map.next_value()?,
                "vulnerabilities" => {
                    if info.saw_vulnerabilities {
                        return Err(de::Error::custom("duplicate \"vulnerabilities\" key"));
                    }
                    info.saw_vulnerabilities = true;
                    map.next_value_seed(VulnsSeed {
                        state: &mut *self.state,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(info)
    }
}

struct VulnsSeed<'a> {
    state: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for VulnsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for VulnsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of {\"cve\": {...}} records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        // Each element is captured raw (a bounded copy of one record) and parsed on its own,
        // so a bad record does not abort the document.
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.state.record(index, raw.get());
            index = index.saturating_add(1);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// One record, typed. Unknown fields are ignored (serde's default).

#[derive(Deserialize)]
struct Item {
    cve: CveRecord,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CveRecord {
    id: String,
    published: Option<String>,
    last_modified: Option<String>,
    vuln_status: Option<String>,
    metrics: Option<Metrics>,
}

#[derive(Deserialize, Default)]
struct Metrics {
    #[serde(rename = "cvssMetricV40")]
    v40: Option<Vec<Metric>>,
    #[serde(rename = "cvssMetricV31")]
    v31: Option<Vec<Metric>>,
    #[serde(rename = "cvssMetricV30")]
    v30: Option<Vec<Metric>>,
    #[serde(rename = "cvssMetricV2")]
    v2: Option<Vec<Metric>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    source: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    version: Option<String>,
    vector_string: Option<String>,
    #[serde(default)]
    base_score: Score,
}

/// `baseScore` read leniently: a non-number becomes `Invalid` (the metric is kept and the
/// score recomputed from the vector) instead of failing the whole CVE record.
#[derive(Default, Debug, Clone, Copy, PartialEq)]
enum Score {
    #[default]
    Missing,
    Number(f64),
    Invalid,
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Score, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Score;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Score, E> {
                Ok(Score::Number(v))
            }
            #[allow(clippy::cast_precision_loss)] // only compared against 0..=10
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Score, E> {
                Ok(Score::Number(v as f64))
            }
            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Score, E> {
                Ok(Score::Number(v as f64))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Score, E> {
                Ok(Score::Missing)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Score, E> {
                Ok(Score::Invalid)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Score, E> {
                Ok(Score::Invalid)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Score, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Score::Invalid)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Score, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Score::Invalid)
            }
        }
        d.deserialize_any(V)
    }
}

/// Only the id, to name a record that failed to deserialise.
#[derive(Deserialize)]
struct IdOnly {
    cve: IdOnlyInner,
}
#[derive(Deserialize)]
struct IdOnlyInner {
    id: String,
}

// ---------------------------------------------------------------------------------------
// Accumulation.

#[derive(Default)]
struct State {
    records: Vec<Enrichment>,
    /// `lastModified` of each kept record (same index as `records`), for duplicates.
    modified: Vec<Option<String>>,
    by_id: HashMap<String, usize>,
    skipped: Vec<Skipped>,
}

impl State {
    fn skip(&mut self, record: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            record: record.into(),
            reason: reason.into(),
        });
    }

    fn record(&mut self, index: usize, raw: &str) {
        let item = match serde_json::from_str::<Item>(raw) {
            Ok(item) => item,
            Err(e) => {
                let name = serde_json::from_str::<IdOnly>(raw)
                    .map(|i| short(&i.cve.id))
                    .unwrap_or_else(|_| format!("vulnerabilities[{index}]"));
                self.skip(name, format!("malformed record: {}", short(&e.to_string())));
                return;
            }
        };
        let cve = item.cve;
        let Some(id) = normalize_cve_id(&cve.id) else {
            self.skip(
                format!("vulnerabilities[{index}]"),
                format!("not a CVE id: {:?}", short(&cve.id)),
            );
            return;
        };
        // API 2.0 `vulnStatus`: Received, Awaiting Analysis, Undergoing Analysis, Analyzed,
        // Modified, Deferred, Rejected. A rejected CVE is not a vulnerability.
        if cve
            .vuln_status
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("rejected"))
        {
            self.skip(id, "rejected by NVD (vulnStatus \"Rejected\")");
            return;
        }

        let published = match cve.published.as_deref() {
            None => None,
            Some(p) => {
                let n = normalize_timestamp(p);
                if n.is_none() {
                    self.skip(
                        format!("{id} published"),
                        format!("not a timestamp: {:?}", short(p)),
                    );
                }
                n
            }
        };
        let last_modified = cve.last_modified.as_deref().and_then(normalize_timestamp);

        let metrics = cve.metrics.unwrap_or_default();
        let mut cvss = Vec::new();
        for (key, version, list) in [
            ("cvssMetricV40", CvssVersion::V4_0, metrics.v40),
            ("cvssMetricV31", CvssVersion::V3_1, metrics.v31),
            ("cvssMetricV30", CvssVersion::V3_0, metrics.v30),
            ("cvssMetricV2", CvssVersion::V2, metrics.v2),
        ] {
            let mut primary = Vec::new();
            let mut secondary = Vec::new();
            for (i, metric) in list.unwrap_or_default().into_iter().enumerate() {
                let is_primary = metric
                    .kind
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case("primary"));
                match self.metric(&id, key, i, version, metric) {
                    Some(c) if is_primary => primary.push(c),
                    Some(c) => secondary.push(c),
                    None => {}
                }
            }
            // Newest CVSS version first; within a version the `Primary` scorer (the NVD, or
            // the CNA when the NVD has not scored it) before `Secondary` ones.
            for c in primary.into_iter().chain(secondary) {
                if !cvss.contains(&c) {
                    cvss.push(c);
                }
            }
        }

        let enrichment = Enrichment {
            cve: id.clone(),
            cvss,
            published,
            epss: None,
            kev: None,
        };
        match self.by_id.get(&id).copied() {
            None => {
                self.by_id.insert(id, self.records.len());
                self.records.push(enrichment);
                self.modified.push(last_modified);
            }
            Some(at) => {
                // The same CVE twice (e.g. concatenated pages): keep the later `lastModified`,
                // the first one on a tie.
                let old = self.modified.get(at).cloned().flatten();
                if last_modified.is_some() && last_modified > old {
                    if let (Some(r), Some(m)) =
                        (self.records.get_mut(at), self.modified.get_mut(at))
                    {
                        *r = enrichment;
                        *m = last_modified;
                    }
                    self.skip(
                        id,
                        "duplicate record: an earlier copy was replaced by this newer one",
                    );
                } else {
                    self.skip(
                        id,
                        "duplicate record: kept the earlier copy (same or newer lastModified)",
                    );
                }
            }
        }
    }

    /// One CVSS metric, or `None` (with a note) when it cannot be used.
    fn metric(
        &mut self,
        id: &str,
        key: &str,
        i: usize,
        version: CvssVersion,
        metric: Metric,
    ) -> Option<Cvss> {
        let name = || format!("{id} {key}[{i}]");
        let data = metric.cvss_data;
        let expected = match version {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        };
        if let Some(v) = &data.version
            && v.trim() != expected
        {
            self.skip(
                name(),
                format!("cvssData.version {:?} under {key}", short(v)),
            );
            return None;
        }
        let Some(vector) = data.vector_string.map(|v| v.trim().to_owned()) else {
            self.skip(name(), "no vectorString");
            return None;
        };
        if let Err(why) = check_vector(&vector, version) {
            self.skip(
                name(),
                format!("bad vectorString {:?}: {why}", short(&vector)),
            );
            return None;
        }
        let source = match metric.source.as_deref().map(str::trim) {
            None | Some("") => "unknown".to_owned(),
            Some(s) if s.len() > MAX_SOURCE_LEN || s.chars().any(char::is_control) => {
                self.skip(name(), format!("unusable source {:?}", short(s)));
                return None;
            }
            Some(s) => map_source(s),
        };
        let score = match data.base_score {
            Score::Number(s) if (0.0..=10.0).contains(&s) => Some(s),
            other => {
                let computed = score_vector(&vector, version);
                let what = match other {
                    Score::Number(s) if s.abs() < 1e6 => format!("baseScore {s} is outside 0–10"),
                    Score::Number(s) => format!("baseScore {s:e} is outside 0–10"),
                    Score::Invalid => "baseScore is not a number".to_owned(),
                    Score::Missing => "no baseScore".to_owned(),
                };
                let outcome = match computed {
                    Some(c) => format!("; computed {c} from the vector"),
                    None => "; the vector could not be scored".to_owned(),
                };
                self.skip(name(), format!("{what}{outcome}"));
                computed
            }
        };
        Some(Cvss {
            version,
            vector,
            score,
            source,
        })
    }

    fn finish(self) -> Parsed<Enrichment> {
        Parsed {
            records: self.records,
            skipped: self.skipped,
        }
    }
}

/// `nvd@nist.gov` is the NVD itself; every other source (a CNA's e-mail address, or an
/// ADP's UUID such as CISA-ADP's `134c704f-9b21-4f2e-91b3-4a467353bcc0`) is kept as given.
fn map_source(source: &str) -> String {
    if source.eq_ignore_ascii_case("nvd@nist.gov") {
        "nvd".to_owned()
    } else {
        source.to_owned()
    }
}

/// Shape check of a vector for its metric list: v3.x/v4.0 vectors carry their own
/// `CVSS:x.y/` prefix (which must agree), v2 vectors are bare (`AV:N/AC:L/Au:N/…`).
fn check_vector(vector: &str, version: CvssVersion) -> Result<(), &'static str> {
    if vector.is_empty() {
        return Err("empty");
    }
    if vector.len() > MAX_VECTOR_LEN {
        return Err("too long");
    }
    if !vector.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("not printable ASCII");
    }
    let prefix = match version {
        CvssVersion::V2 => {
            return if vector.starts_with("CVSS:") {
                Err("a v3/v4 vector under v2")
            } else {
                Ok(())
            };
        }
        CvssVersion::V3_0 => "CVSS:3.0/",
        CvssVersion::V3_1 => "CVSS:3.1/",
        CvssVersion::V4_0 => "CVSS:4.0/",
    };
    if vector.starts_with(prefix) {
        Ok(())
    } else {
        Err("prefix does not match the version")
    }
}

/// Base score computed from a vector (RustSec's `cvss` crate), when the feed gives none.
pub(crate) fn score_vector(vector: &str, version: CvssVersion) -> Option<f64> {
    if vector.len() > MAX_VECTOR_LEN {
        return None;
    }
    let score = match version {
        CvssVersion::V2 => cvss::v2::Vector::from_str(vector).ok()?.score().value(),
        CvssVersion::V3_0 | CvssVersion::V3_1 => {
            cvss::v3::Vector::from_str(vector).ok()?.score().value()
        }
        CvssVersion::V4_0 => cvss::v4::Vector::from_str(vector).ok()?.score().value(),
    };
    (score.is_finite() && (0.0..=10.0).contains(&score)).then_some(score)
}

// ---------------------------------------------------------------------------------------
// Helpers shared with the EPSS and KEV parsers.

pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A gzip decoder (multi-member, like `gunzip`) that fails once more than `limit` bytes
/// have come out, so a bomb costs at most `limit` bytes of work and never that much memory.
pub(crate) fn gunzip(bytes: &[u8], limit: u64) -> Result<impl Read + '_, FeedError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Err(FeedError {
            feed: FEED.to_owned(),
            reason: "not gzip data (no 1f 8b magic)".to_owned(),
        });
    }
    Ok(Limited {
        inner: flate2::read::MultiGzDecoder::new(bytes),
        remaining: limit,
        limit,
    })
}

struct Limited<R> {
    inner: R,
    remaining: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // At the limit: fine if the stream ends here, an error if anything follows.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "decompressed data exceeds the limit of {} bytes",
                    self.limit
                ))),
            };
        }
        let max = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let buf = buf.get_mut(..max).unwrap_or_default();
        let n = self.inner.read(buf)?;
        self.remaining = self.remaining.saturating_sub(n as u64);
        Ok(n)
    }
}

/// `CVE-YYYY-NNNN…` (four-digit year, at least four digits of sequence), trimmed and
/// upper-cased; `None` for anything else.
pub(crate) fn normalize_cve_id(id: &str) -> Option<String> {
    let id = id.trim();
    if id.len() > 32 {
        return None;
    }
    let upper = id.to_ascii_uppercase();
    let rest = upper.strip_prefix("CVE-")?;
    let (year, seq) = rest.split_once('-')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (year.len() == 4 && digits(year) && seq.len() >= 4 && digits(seq)).then_some(upper)
}

/// An NVD timestamp as RFC 3339. The NVD writes `2023-10-12T19:15:11.747` with no zone;
/// its times are UTC (the API's date parameters default to GMT), so `Z` is appended when
/// no offset is given. `None` when it is not `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`.
pub(crate) fn normalize_timestamp(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() > 40 || !s.is_ascii() {
        return None;
    }
    let (date, time) = s.split_once(['T', 't', ' '])?;
    check_date(date)?;
    let num = |t: &str, max: u32| -> Option<()> {
        (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) && t.parse::<u32>().ok()? <= max)
            .then_some(())
    };
    let hms = time.get(..8)?;
    let mut parts = hms.split(':');
    num(parts.next()?, 23)?;
    num(parts.next()?, 59)?;
    num(parts.next()?, 60)?;
    let mut rest = time.get(8..)?;
    let mut frac = "";
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return None;
        }
        frac = r.get(..n)?;
        rest = r.get(n..)?;
    }
    let zone = match rest {
        "" | "Z" | "z" => "Z".to_owned(),
        z => {
            let sign = z.get(..1)?;
            let body = z.get(1..)?;
            if sign != "+" && sign != "-" {
                return None;
            }
            let (hh, mm) = match body.len() {
                5 if body.get(2..3) == Some(":") => (body.get(..2)?, body.get(3..)?),
                4 => (body.get(..2)?, body.get(2..)?),
                _ => return None,
            };
            num(hh, 23)?;
            num(mm, 59)?;
            format!("{sign}{hh}:{mm}")
        }
    };
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Some(format!("{date}T{hms}{frac}{zone}"))
}

/// Checks a `YYYY-MM-DD` date (month 1–12, day 1–31).
pub(crate) fn check_date(date: &str) -> Option<()> {
    let b = date.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y = date.get(..4)?;
    let m = date.get(5..7)?;
    let d = date.get(8..)?;
    if ![y, m, d]
        .iter()
        .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (m, d) = (m.parse::<u32>().ok()?, d.parse::<u32>().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some(())
}

/// At most 120 characters of untrusted text, for names and reasons.
pub(crate) fn short(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;

    fn shared(rel: &str) -> PathBuf {
        let s = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        s.ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(rel)
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(shared(rel)).expect(rel)
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn find<'a>(p: &'a Parsed<Enrichment>, id: &str) -> &'a Enrichment {
        p.records
            .iter()
            .find(|e| e.cve == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    }

    fn cvss(version: CvssVersion, vector: &str, score: f64, source: &str) -> Cvss {
        Cvss {
            version,
            vector: vector.into(),
            score: Some(score),
            source: source.into(),
        }
    }

    #[test]
    fn full_api_page() {
        let p = parse(&read("feeds/nvd/api-2.0/vunnel-full-page.json")).unwrap();
        assert_eq!(p.records.len(), 38);
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let first = &p.records[0];
        assert_eq!(first.cve, "CVE-2023-27314");
        assert_eq!(first.published.as_deref(), Some("2023-10-12T19:15:11.747Z"));
        let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
        assert_eq!(
            first.cvss,
            vec![
                cvss(CvssVersion::V3_1, v, 7.5, "nvd"),
                cvss(CvssVersion::V3_1, v, 7.5, "security-alert@netapp.com"),
            ]
        );
        assert!(first.epss.is_none() && first.kev.is_none());
        // NVD (Primary) and the CNA (Secondary) disagree; both kept, Primary first.
        let e = find(&p, "CVE-2021-29913");
        assert_eq!(
            e.cvss,
            vec![
                cvss(
                    CvssVersion::V3_1,
                    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:L/A:N",
                    7.1,
                    "nvd"
                ),
                cvss(
                    CvssVersion::V3_1,
                    "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:C/C:H/I:L/A:N",
                    6.5,
                    "psirt@us.ibm.com"
                ),
            ]
        );
        // Oracle is the Primary scorer for its own CVE.
        assert_eq!(
            find(&p, "CVE-2023-22068").cvss,
            vec![cvss(
                CvssVersion::V3_1,
                "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:H",
                4.9,
                "secalert_us@oracle.com"
            )]
        );
        // Awaiting analysis without any metric.
        let e = find(&p, "CVE-2023-43250");
        assert!(e.cvss.is_empty());
        assert_eq!(e.published.as_deref(), Some("2023-10-18T16:15:08.790Z"));
        assert_eq!(find(&p, "CVE-2023-5642").cvss[0].score, Some(9.8));
        assert_eq!(p.records.last().unwrap().cve, "CVE-2023-20261");
    }

    #[test]
    fn single_entry_v31_and_v2() {
        let p = parse(&read("feeds/nvd/api-2.0/vunnel-single-entry.json")).unwrap();
        assert_eq!(p.records.len(), 1);
        let e = &p.records[0];
        assert_eq!(e.cve, "CVE-2022-1576");
        assert_eq!(e.published.as_deref(), Some("2022-07-11T13:15:08.503Z"));
        assert_eq!(
            e.cvss,
            vec![
                cvss(
                    CvssVersion::V3_1,
                    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
                    6.5,
                    "nvd"
                ),
                cvss(CvssVersion::V2, "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "nvd"),
            ]
        );
    }

    #[test]
    fn per_cve_samples() {
        let dir = shared("feeds/nvd/api-2.0/per-cve");
        let mut all = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let p = parse(&std::fs::read(&path).unwrap()).unwrap();
            assert!(p.skipped.is_empty(), "{path:?}: {:?}", p.skipped);
            assert_eq!(p.records.len(), 1, "{path:?}");
            let stem = path.file_stem().unwrap().to_str().unwrap();
            assert_eq!(p.records[0].cve, stem);
            all.extend(p.records);
        }
        assert_eq!(all.len(), 23);
        let get = |id: &str| all.iter().find(|e| e.cve == id).unwrap();

        // xz backdoor: Red Hat (Secondary) listed first in the file, NVD Primary sorted first;
        // the `ssvcV203` metric is not CVSS and is ignored.
        let xz = get("CVE-2024-3094");
        let v = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H";
        assert_eq!(
            xz.cvss,
            vec![
                cvss(CvssVersion::V3_1, v, 10.0, "nvd"),
                cvss(CvssVersion::V3_1, v, 10.0, "secalert@redhat.com"),
            ]
        );
        assert_eq!(xz.published.as_deref(), Some("2024-03-29T17:15:21.150Z"));

        let webp = get("CVE-2023-4863");
        assert_eq!(
            webp.cvss,
            vec![cvss(
                CvssVersion::V3_1,
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
                8.8,
                "nvd"
            )]
        );
        assert_eq!(webp.published.as_deref(), Some("2023-09-12T15:15:24.327Z"));

        // v3.1 + v3.0 (Ubuntu, Secondary) + v2, newest version first.
        let e = get("CVE-2016-1585");
        assert_eq!(
            e.cvss,
            vec![
                cvss(
                    CvssVersion::V3_1,
                    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    9.8,
                    "nvd"
                ),
                cvss(
                    CvssVersion::V3_0,
                    "CVSS:3.0/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:L/A:L",
                    3.9,
                    "security@ubuntu.com"
                ),
                cvss(CvssVersion::V2, "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "nvd"),
            ]
        );
        // v2 only.
        assert_eq!(
            get("CVE-2014-1424").cvss,
            vec![cvss(
                CvssVersion::V2,
                "AV:N/AC:L/Au:N/C:N/I:P/A:P",
                6.4,
                "nvd"
            )]
        );
        // Already-zoned timestamp kept as is.
        assert_eq!(
            get("CVE-2023-5341").published.as_deref(),
            Some("2023-11-19T10:15:49.433Z")
        );
        // Only a CNA (Secondary) score.
        assert_eq!(
            get("CVE-2024-47177").cvss,
            vec![cvss(
                CvssVersion::V3_1,
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H",
                9.0,
                "security-advisories@github.com"
            )]
        );
    }

    /// The `cvss` crate agrees with every score the NVD gives in the samples, so the
    /// fallback for a missing `baseScore` is sound.
    #[test]
    fn computed_scores_match_nvd() {
        let mut files = vec![
            shared("feeds/nvd/api-2.0/vunnel-full-page.json"),
            shared("feeds/nvd/api-2.0/vunnel-single-entry.json"),
        ];
        for e in std::fs::read_dir(shared("feeds/nvd/api-2.0/per-cve")).unwrap() {
            files.push(e.unwrap().path());
        }
        let mut n = 0;
        for f in files {
            for e in parse(&std::fs::read(&f).unwrap()).unwrap().records {
                for c in e.cvss {
                    assert_eq!(
                        score_vector(&c.vector, c.version),
                        c.score,
                        "{} {}",
                        e.cve,
                        c.vector
                    );
                    n += 1;
                }
            }
        }
        assert!(n > 80, "{n}");
    }

    /// A year-feed-shaped `.json.gz` built mechanically from the API page (same records).
    #[test]
    fn year_feed_gz() {
        let page = read("feeds/nvd/api-2.0/vunnel-full-page.json");
        let mut doc: serde_json::Value = serde_json::from_slice(&page).unwrap();
        let n = doc["vulnerabilities"].as_array().unwrap().len();
        doc["resultsPerPage"] = n.into();
        doc["startIndex"] = 0.into();
        doc["totalResults"] = n.into();
        doc["timestamp"] = "2023-10-18T18:04:18.493".into();
        let year = serde_json::to_vec(&doc).unwrap();
        let from_gz = parse_gz(&gz(&year)).unwrap();
        let from_page = parse(&page).unwrap();
        assert_eq!(from_gz, from_page);
        assert_eq!(from_gz.records.len(), 38);
        assert_eq!(
            find(&from_gz, "CVE-2023-45109").cvss[1].source,
            "audit@patchstack.com"
        );
        // gzip data given to `parse`, plain JSON given to `parse_gz`: clear errors.
        assert!(parse(&gz(&year)).unwrap_err().reason.contains("parse_gz"));
        assert!(parse_gz(&year).unwrap_err().reason.contains("gzip"));
    }

    fn doc(vulns: &str) -> Vec<u8> {
        format!(
            r#"{{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"NVD_CVE","version":"2.0","timestamp":"2024-01-01T00:00:00.000","vulnerabilities":[{vulns}]}}"#
        )
        .into_bytes()
    }

    fn rec(id: &str, extra: &str) -> String {
        format!(
            r#"{{"cve":{{"id":"{id}","published":"2024-01-02T03:04:05.678","lastModified":"2024-01-03T00:00:00.000","vulnStatus":"Analyzed"{extra}}}}}"#
        )
    }

    const V4: &str = r#","metrics":{"cvssMetricV40":[{"source":"cna@vuldb.com","type":"Secondary","cvssData":{"version":"4.0","vectorString":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N","baseScore":9.3,"baseSeverity":"CRITICAL"}}]}"#;

    #[test]
    fn cvss_v4_and_rejected() {
        let rejected = r#"{"cve":{"id":"CVE-2023-0001","published":"2023-01-01T00:00:00.000","vulnStatus":"Rejected","descriptions":[{"lang":"en","value":"Rejected reason: duplicate"}],"metrics":{}}}"#;
        let p = parse(&doc(&format!("{},{rejected}", rec("CVE-2024-0001", V4)))).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(
            p.records[0].cvss,
            vec![cvss(
                CvssVersion::V4_0,
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
                "cna@vuldb.com"
            )]
        );
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].record, "CVE-2023-0001");
        assert!(p.skipped[0].reason.contains("Rejected"));
    }

    #[test]
    fn whole_document_errors() {
        for bad in [
            &b""[..],
            b"not json",
            b"[]",
            b"42",
            b"{}",
            br#"{"CVE_data_type":"CVE","CVE_Items":[]}"#,
            br#"{"format":"NVD_CVE","vulnerabilities":{}}"#,
            br#"{"format":"NVD_CVE","vulnerabilities":null}"#,
            br#"{"format":"NVD_CPE","version":"2.0","vulnerabilities":[]}"#,
            br#"{"format":"NVD_CVE","version":"1.1","vulnerabilities":[]}"#,
            br#"{"format":"NVD_CVE","vulnerabilities":[],"vulnerabilities":[]}"#,
            br#"{"format":"NVD_CVE","vulnerabilities":[]} trailing"#,
            br#"{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2024-0001"}}"#,
            &[0xff, 0xfe, b'{', b'}'],
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        // Empty but well-formed: fine.
        let p = parse(br#"{"format":"NVD_CVE","version":"2.0","vulnerabilities":[]}"#).unwrap();
        assert_eq!(p, Parsed::default());
        // Truncated JSON (cut in the middle of the real page).
        let page = read("feeds/nvd/api-2.0/vunnel-full-page.json");
        assert!(parse(&page[..page.len() / 2]).is_err());
    }

    #[test]
    fn bad_records_are_skipped_and_the_rest_kept() {
        let good = rec("CVE-2024-0002", "");
        let records = [
            r#"{"cve":{"id":42}}"#.to_owned(), // wrong type
            r#"{"cve":{"id":"CVE-2024-0003","published":12}}"#.to_owned(), // wrong type
            r#"{"nocve":{}}"#.to_owned(),      // no cve
            "17".to_owned(),                   // not an object
            "null".to_owned(),
            rec("GHSA-xxxx-yyyy-zzzz", ""),        // not a CVE id
            rec(&"CVE-2024-1".repeat(10_000), ""), // huge id
            rec("CVE-2024-0004", r#","metrics":{"cvssMetricV31":"nope"}"#), // wrong type
            rec(
                "CVE-2024-0005",
                r#","metrics":{"cvssMetricV31":[{"cvssData":{"vectorString":["x"]}}]}"#,
            ),
            good.clone(),
        ];
        let p = parse(&doc(&records.join(","))).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].cve, "CVE-2024-0002");
        assert_eq!(
            p.records[0].published.as_deref(),
            Some("2024-01-02T03:04:05.678Z")
        );
        assert_eq!(p.skipped.len(), 9, "{:#?}", p.skipped);
        assert_eq!(p.skipped[0].record, "vulnerabilities[0]");
        assert_eq!(p.skipped[1].record, "CVE-2024-0003");
        assert!(p.skipped[1].reason.starts_with("malformed record"));
        assert!(
            p.skipped
                .iter()
                .all(|s| s.record.len() < 200 && s.reason.len() < 400)
        );
    }

    #[test]
    fn bad_metrics_are_dropped_or_repaired() {
        let m = |data: &str| {
            format!(r#"{{"source":"nvd@nist.gov","type":"Primary","cvssData":{data}}}"#)
        };
        let v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        let long = format!("CVSS:3.1/{}", "A".repeat(5000));
        let list = [
            // [0..5] bad or missing baseScore: recomputed from the vector (9.8), then the
            // identical copies are deduplicated.
            m(&format!(
                r#"{{"version":"3.1","vectorString":"{v31}","baseScore":"NaN"}}"#
            )),
            m(&format!(
                r#"{{"version":"3.1","vectorString":"{v31}","baseScore":1e300}}"#
            )),
            m(&format!(
                r#"{{"version":"3.1","vectorString":"{v31}","baseScore":-1}}"#
            )),
            m(&format!(r#"{{"version":"3.1","vectorString":"{v31}"}}"#)),
            m(&format!(
                r#"{{"version":"3.1","vectorString":"{v31}","baseScore":"Infinity"}}"#
            )),
            // [5..10] dropped: version mismatch (twice), no/empty/too long vector.
            m(r#"{"version":"3.0","vectorString":"CVSS:3.0/AV:N","baseScore":5}"#),
            m(r#"{"version":"3.1","vectorString":"CVSS:3.0/AV:N","baseScore":5}"#),
            m(r#"{"version":"3.1","baseScore":5}"#),
            m(r#"{"version":"3.1","vectorString":"","baseScore":5}"#),
            m(&format!(
                r#"{{"version":"3.1","vectorString":"{long}","baseScore":5}}"#
            )),
            // [10] unparseable vector but scored by the feed: kept as given.
            m(r#"{"version":"3.1","vectorString":"CVSS:3.1/AV:N/bogus","baseScore":5}"#),
            // [11] unparseable and unscored: kept without a score.
            m(r#"{"version":"3.1","vectorString":"CVSS:3.1/AV:N/bogus","baseScore":{"a":[1]}}"#),
            // [12] control characters in the source: dropped.
            format!(
                r#"{{"source":"a\u0000b","cvssData":{{"version":"3.1","vectorString":"{v31}","baseScore":9.8}}}}"#
            ),
        ];
        let extra = format!(r#","metrics":{{"cvssMetricV31":[{}]}}"#, list.join(","));
        let p = parse(&doc(&rec("CVE-2024-0006", &extra))).unwrap();
        assert_eq!(p.records.len(), 1);
        let got: Vec<_> = p.records[0]
            .cvss
            .iter()
            .map(|c| (c.vector.as_str(), c.score))
            .collect();
        assert_eq!(
            got,
            vec![
                (v31, Some(9.8)),
                ("CVSS:3.1/AV:N/bogus", Some(5.0)),
                ("CVSS:3.1/AV:N/bogus", None)
            ]
        );
        let notes: Vec<_> = p.skipped.iter().map(|s| s.record.as_str()).collect();
        let want: Vec<_> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]
            .iter()
            .map(|i| format!("CVE-2024-0006 cvssMetricV31[{i}]"))
            .collect();
        assert_eq!(notes, want, "{:#?}", p.skipped);
        assert_eq!(
            p.skipped[0].reason,
            "baseScore is not a number; computed 9.8 from the vector"
        );
        assert_eq!(
            p.skipped[1].reason,
            "baseScore 1e300 is outside 0–10; computed 9.8 from the vector"
        );
        assert_eq!(
            p.skipped[3].reason,
            "no baseScore; computed 9.8 from the vector"
        );
        assert!(p.skipped[5].reason.contains("cvssData.version"));
        assert!(p.skipped[6].reason.contains("prefix"));
        assert_eq!(p.skipped[7].reason, "no vectorString");
        assert!(p.skipped[9].reason.contains("too long"));
        assert!(p.skipped[10].reason.contains("could not be scored"));
        assert!(p.skipped[11].reason.contains("unusable source"));
        assert!(p.skipped.iter().all(|s| s.reason.len() < 400));
    }

    #[test]
    fn missing_source_and_secondary_order() {
        let extra = r#","metrics":{"cvssMetricV2":[{"type":"Secondary","cvssData":{"version":"2.0","vectorString":"AV:N/AC:L/Au:N/C:P/I:P/A:P","baseScore":7.5}}],"cvssMetricV31":[{"source":"a@b","type":"Secondary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H","baseScore":7.8}},{"source":"NVD@NIST.GOV","type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8}}]}"#;
        let p = parse(&doc(&rec("CVE-2024-0007", extra))).unwrap();
        let got: Vec<_> = p.records[0]
            .cvss
            .iter()
            .map(|c| (c.version, c.source.as_str(), c.score))
            .collect();
        assert_eq!(
            got,
            vec![
                (CvssVersion::V3_1, "nvd", Some(9.8)),
                (CvssVersion::V3_1, "a@b", Some(7.8)),
                (CvssVersion::V2, "unknown", Some(7.5)),
            ]
        );
        assert!(p.skipped.is_empty());
    }

    #[test]
    fn duplicates_keep_the_newest() {
        let older = rec("CVE-2024-0008", "");
        let newer = older
            .replace("2024-01-03T00:00:00.000", "2024-02-01T00:00:00.000")
            .replace(
                r#""published":"2024-01-02T03:04:05.678""#,
                r#""published":"2024-01-02T03:04:05.999""#,
            );
        let p = parse(&doc(&format!(
            "{older},{},{newer},{older}",
            rec("CVE-2024-0009", "")
        )))
        .unwrap();
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].cve, "CVE-2024-0008");
        assert_eq!(
            p.records[0].published.as_deref(),
            Some("2024-01-02T03:04:05.999Z")
        );
        assert_eq!(p.records[1].cve, "CVE-2024-0009");
        assert_eq!(p.skipped.len(), 2);
        assert!(p.skipped.iter().all(|s| s.record == "CVE-2024-0008"));
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            normalize_timestamp("2023-10-12T19:15:11.747").as_deref(),
            Some("2023-10-12T19:15:11.747Z")
        );
        assert_eq!(
            normalize_timestamp("2023-10-12T19:15:11").as_deref(),
            Some("2023-10-12T19:15:11Z")
        );
        assert_eq!(
            normalize_timestamp("2023-10-12T19:15:11+0100").as_deref(),
            Some("2023-10-12T19:15:11+01:00")
        );
        assert_eq!(
            normalize_timestamp("2023-10-12T19:15:11.5-05:00").as_deref(),
            Some("2023-10-12T19:15:11.5-05:00")
        );
        for bad in [
            "",
            "2023-10-12",
            "2023-13-12T00:00:00",
            "2023-10-12T24:00:00",
            "2023-10-12T19:15",
            "2023-10-12T19:15:11.",
            "2023-10-12T19:15:11Zjunk",
            "2023-10-12T19:15:11.1234567890",
            "２０２３-10-12T00:00:00",
        ] {
            assert_eq!(normalize_timestamp(bad), None, "{bad}");
        }
        let p = parse(&doc(
            &rec("CVE-2024-0010", "").replace("2024-01-02T03:04:05.678", "yesterday")
        ))
        .unwrap();
        assert_eq!(p.records[0].published, None);
        assert_eq!(p.skipped[0].record, "CVE-2024-0010 published");
    }

    #[test]
    fn hostile_json() {
        // Deep nesting is skipped iteratively by serde_json (no stack overflow), whether in an
        // unknown field or in a lenient one (baseScore → invalid; the metric has no vector).
        let deep = format!(
            r#"{{"cve":{{"id":"CVE-2024-0011","x":{}{}}}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(parse(&doc(&deep)).unwrap().records[0].cve, "CVE-2024-0011");
        let deep = rec(
            "CVE-2024-0016",
            &format!(
                r#","metrics":{{"cvssMetricV31":[{{"cvssData":{{"baseScore":{}{}}}}}]}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        );
        let p = parse(&doc(&deep)).unwrap();
        assert!(p.records[0].cvss.is_empty());
        assert_eq!(p.skipped[0].record, "CVE-2024-0016 cvssMetricV31[0]");
        let deep_top = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(deep_top.as_bytes()).is_err());
        // A number too large for f64 makes that record malformed; the document stands.
        let huge = rec(
            "CVE-2024-0012",
            r#","metrics":{"cvssMetricV31":[{"cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N","baseScore":1e999}}]}"#,
        );
        let p = parse(&doc(&format!("{huge},{}", rec("CVE-2024-0017", "")))).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.skipped[0].record, "CVE-2024-0012");
        assert!(
            p.skipped[0].reason.contains("number out of range"),
            "{:?}",
            p.skipped
        );
        // NaN / Infinity literals are not JSON.
        assert!(
            parse(&doc(&rec(
                "CVE-2024-0013",
                r#","metrics":{"cvssMetricV31":[{"cvssData":{"baseScore":NaN}}]}"#
            )))
            .is_err()
        );
        // A huge unknown field is skipped without trouble.
        let big = rec(
            "CVE-2024-0014",
            &format!(
                r#","descriptions":[{{"lang":"en","value":"{}"}}]"#,
                "x".repeat(5_000_000)
            ),
        );
        let p = parse(&doc(&big)).unwrap();
        assert_eq!(p.records[0].cve, "CVE-2024-0014");
        // Lowercase / padded ids are normalised.
        let p = parse(&doc(&rec(" cve-2024-0015 ", ""))).unwrap();
        assert_eq!(p.records[0].cve, "CVE-2024-0015");
    }

    #[test]
    fn gzip_bomb_and_truncation() {
        // 16 MiB of zeros inside a JSON string compresses to ~16 KiB; a 1 MiB limit stops it.
        let mut json = br#"{"format":"NVD_CVE","vulnerabilities":[],"pad":""#.to_vec();
        json.extend(std::iter::repeat_n(b'0', 16 << 20));
        json.extend(br#""}"#);
        let bomb = gz(&json);
        assert!(bomb.len() < 1 << 20);
        let e = parse_gz_limited(&bomb, 1 << 20).unwrap_err();
        assert!(e.reason.contains("exceeds the limit"), "{e}");
        assert!(parse_gz_limited(&bomb, 32 << 20).is_ok());
        // Exactly at the limit is fine.
        let small = gz(br#"{"format":"NVD_CVE","vulnerabilities":[]}"#);
        assert!(parse_gz_limited(&small, 41).is_ok());
        assert!(parse_gz_limited(&small, 40).is_err());
        // Truncated or corrupted archives.
        let page = gz(&read("feeds/nvd/api-2.0/vunnel-full-page.json"));
        assert!(parse_gz(&page[..page.len() - 8]).is_err()); // no trailer
        assert!(parse_gz(&page[..page.len() / 2]).is_err());
        let mut corrupt = page.clone();
        let n = corrupt.len();
        corrupt[n - 6] ^= 0xff; // CRC
        assert!(parse_gz(&corrupt).is_err());
        assert!(parse_gz(&[0x1f, 0x8b]).is_err());
        assert!(parse_gz(b"").is_err());
    }

    #[test]
    fn cve_ids() {
        assert_eq!(
            normalize_cve_id("CVE-2024-3094").as_deref(),
            Some("CVE-2024-3094")
        );
        assert_eq!(
            normalize_cve_id("CVE-2021-1234567").as_deref(),
            Some("CVE-2021-1234567")
        );
        for bad in [
            "",
            "CVE-2024-123",
            "CVE-24-1234",
            "CVE-2024-12a4",
            "GHSA-1",
            "CVE-2024-",
            "CVE--1234",
            "CVE-2024-1234-1",
        ] {
            assert_eq!(normalize_cve_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn weird_vectors_do_not_panic_the_scorer() {
        for v in [
            "CVSS:4.0/",
            "CVSS:4.0/AV:N",
            "CVSS:4.0/AV:N/AV:N",
            "CVSS:4.0/AV:X/AC:X/AT:X/PR:X/UI:X/VC:X/VI:X/VA:X/SC:X/SI:X/SA:X",
            "CVSS:3.1/",
            "CVSS:3.1//",
            "CVSS:3.1/AV:N:N",
            "AV:",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X/RL:X/RC:X",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/MAV:P/S:P/AU:Y/R:U/V:C/RE:H/U:Red",
        ] {
            for version in [
                CvssVersion::V2,
                CvssVersion::V3_0,
                CvssVersion::V3_1,
                CvssVersion::V4_0,
            ] {
                let _ = score_vector(v, version);
            }
        }
        assert_eq!(
            score_vector(
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                CvssVersion::V4_0
            ),
            Some(9.3)
        );
    }
}
