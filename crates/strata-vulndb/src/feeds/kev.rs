//! CISA Known Exploited Vulnerabilities catalog
//! (`https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json`,
//! schema `https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json`).
//!
//! `{title, catalogVersion, dateReleased, count, vulnerabilities: [{cveID, vendorProject,
//! product, vulnerabilityName, dateAdded, shortDescription, requiredAction, dueDate,
//! knownRansomwareCampaignUse, notes, cwes}]}`. We keep `cveID`, `dateAdded` (required,
//! `YYYY-MM-DD`), `dueDate` and `knownRansomwareCampaignUse` (`Known` or `Unknown`).
//!
//! Each entry is captured raw and deserialised on its own, so a bad entry is a [`Skipped`]
//! and the rest is kept. A `count` that disagrees with the list (truncated copies of the
//! catalog exist) is recorded as a note in `skipped`, not an error. A repeated `cveID`
//! keeps its first entry.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::{FeedError, Kev, Parsed, Skipped};

use super::nvd::{check_date, normalize_cve_id, short};

const FEED: &str = "cisa-kev";

/// Parses the KEV catalog JSON.
pub fn parse(bytes: &[u8]) -> Result<Parsed<(String, Kev)>, FeedError> {
    let mut state = State {
        out: Parsed {
            records: Vec::new(),
            skipped: Vec::new(),
        },
        seen: HashSet::new(),
        entries: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let info = DocSeed { state: &mut state }
        .deserialize(&mut de)
        .and_then(|info| de.end().map(|()| info))
        .map_err(|e| err(&format!("not a KEV catalog: {}", short(&e.to_string()))))?;
    if !info.saw_vulnerabilities {
        return Err(err("no \"vulnerabilities\" array"));
    }
    if let Some(count) = info.count
        && usize::try_from(count).ok() != Some(state.entries)
    {
        let version = info
            .catalog_version
            .as_deref()
            .map(short)
            .unwrap_or_default();
        state.out.skipped.push(Skipped {
            record: format!("catalog {version}").trim_end().to_owned(),
            reason: format!(
                "\"count\" is {count} but the list holds {} entries (truncated copy?)",
                state.entries
            ),
        });
    }
    Ok(state.out)
}

fn err(reason: &str) -> FeedError {
    FeedError {
        feed: FEED.to_owned(),
        reason: reason.to_owned(),
    }
}

#[derive(Default)]
struct DocInfo {
    count: Option<u64>,
    catalog_version: Option<String>,
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
                // Informational only: a wrong type here is ignored rather than fatal.
                "count" => info.count = map.next_value::<Lenient<u64>>()?.0,
                "catalogVersion" => info.catalog_version = map.next_value::<Lenient<String>>()?.0,
                "vulnerabilities" => {
                    if info.saw_vulnerabilities {
                        return Err(de::Error::custom("duplicate \"vulnerabilities\" key"));
                    }
                    info.saw_vulnerabilities = true;
                    map.next_value_seed(EntriesSeed {
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

/// A value of type `T`, or `None` when it has another type (read via raw JSON).
struct Lenient<T>(Option<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Ok(Lenient(serde_json::from_str(raw.get()).ok()))
    }
}

struct EntriesSeed<'a> {
    state: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of KEV entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            let index = self.state.entries;
            self.state.entries = index.saturating_add(1);
            self.state.entry(index, raw.get());
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    date_added: String,
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(rename = "cveID")]
    cve_id: String,
}

struct State {
    out: Parsed<(String, Kev)>,
    seen: HashSet<String>,
    /// Entries in the list, good or bad (compared with `count`).
    entries: usize,
}

impl State {
    fn skip(&mut self, record: String, reason: String) {
        self.out.skipped.push(Skipped { record, reason });
    }

    fn entry(&mut self, index: usize, raw: &str) {
        let entry = match serde_json::from_str::<Entry>(raw) {
            Ok(e) => e,
            Err(e) => {
                let name = serde_json::from_str::<IdOnly>(raw)
                    .map(|i| short(i.cve_id.trim()))
                    .unwrap_or_else(|_| format!("vulnerabilities[{index}]"));
                self.skip(name, format!("malformed entry: {}", short(&e.to_string())));
                return;
            }
        };
        let Some(cve) = normalize_cve_id(&entry.cve_id) else {
            self.skip(
                format!("vulnerabilities[{index}]"),
                format!("not a CVE id: {:?}", short(&entry.cve_id)),
            );
            return;
        };
        let date_added = entry.date_added.trim();
        if check_date(date_added).is_none() {
            self.skip(
                cve,
                format!("dateAdded {:?} is not YYYY-MM-DD", short(date_added)),
            );
            return;
        }
        let due_date = match entry.due_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) if check_date(d).is_some() => Some(d.to_owned()),
            Some(d) => {
                self.skip(
                    format!("{cve} dueDate"),
                    format!("{:?} is not YYYY-MM-DD; dropped", short(d)),
                );
                None
            }
        };
        // The schema allows exactly "Known" and "Unknown".
        let ransomware = match entry
            .known_ransomware_campaign_use
            .as_deref()
            .map(str::trim)
        {
            Some(k) if k.eq_ignore_ascii_case("known") => true,
            None => false,
            Some(k) if k.eq_ignore_ascii_case("unknown") => false,
            Some(k) => {
                self.skip(
                    format!("{cve} knownRansomwareCampaignUse"),
                    format!("unexpected value {:?}; read as Unknown", short(k)),
                );
                false
            }
        };
        if !self.seen.insert(cve.clone()) {
            self.skip(cve, "duplicate entry; kept the first".to_owned());
            return;
        }
        let kev = Kev {
            date_added: date_added.to_owned(),
            due_date,
            ransomware,
        };
        self.out.records.push((cve, kev));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shared(rel: &str) -> PathBuf {
        let s = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        s.ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(rel)
    }

    fn kev(added: &str, due: &str, ransomware: bool) -> Kev {
        Kev {
            date_added: added.into(),
            due_date: Some(due.into()),
            ransomware,
        }
    }

    #[test]
    fn claircore_sample() {
        let p =
            parse(&std::fs::read(shared("feeds/kev/claircore-kev-sample.json")).unwrap()).unwrap();
        assert!(p.skipped.is_empty(), "{:?}", p.skipped); // count 2 = 2 entries
        assert_eq!(
            p.records,
            [
                (
                    "CVE-2017-3066".to_owned(),
                    kev("2025-02-24", "2025-03-17", false)
                ),
                (
                    "CVE-2021-44228".to_owned(),
                    kev("2021-12-10", "2021-12-24", true)
                ),
            ]
        );
    }

    #[test]
    fn vunnel_truncated_catalog() {
        let p = parse(&std::fs::read(shared("feeds/kev/vunnel-kev-catalog-subset.json")).unwrap())
            .unwrap();
        assert_eq!(
            p.records,
            [
                (
                    "CVE-2025-0108".to_owned(),
                    kev("2025-02-18", "2025-03-11", false)
                ),
                (
                    "CVE-2024-53704".to_owned(),
                    kev("2025-02-18", "2025-03-11", false)
                ),
                (
                    "CVE-2024-57727".to_owned(),
                    kev("2025-02-13", "2025-03-06", false)
                ),
            ]
        );
        assert_eq!(
            p.skipped,
            [Skipped {
                record: "catalog 2025.02.19".into(),
                reason: "\"count\" is 1273 but the list holds 3 entries (truncated copy?)".into(),
            }]
        );
    }

    fn catalog(entries: &str) -> Vec<u8> {
        format!(
            r#"{{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2025.01.01","dateReleased":"2025-01-01T00:00:00.000Z","vulnerabilities":[{entries}]}}"#
        )
        .into_bytes()
    }

    fn entry(id: &str, added: &str, due: &str, ransom: &str) -> String {
        format!(
            r#"{{"cveID":"{id}","vendorProject":"V","product":"P","vulnerabilityName":"N","dateAdded":"{added}","shortDescription":"D","requiredAction":"A","dueDate":"{due}","knownRansomwareCampaignUse":"{ransom}","notes":"","cwes":[]}}"#
        )
    }

    #[test]
    fn bad_entries_are_skipped() {
        let entries = [
            entry("CVE-2024-0001", "2024-01-01", "2024-01-22", "Known"),
            r#"{"cveID":123,"dateAdded":"2024-01-01"}"#.to_owned(),
            r#"{"cveID":"CVE-2024-0002","dateAdded":20240101}"#.to_owned(),
            r#"{"cveID":"CVE-2024-0003"}"#.to_owned(),
            entry("CVE-2024-0004", "yesterday", "2024-01-22", "Unknown"),
            entry("CVE-2024-0005", "2024-02-30", "tomorrow", "Maybe"),
            entry("not-a-cve", "2024-01-01", "2024-01-22", "Unknown"),
            entry(&"CVE-2024-1".repeat(100_000), "2024-01-01", "2024-01-22", "Unknown"),
            entry("CVE-2024-0001", "2023-01-01", "2023-01-22", "Unknown"),
            r#"{"cveID":"CVE-2024-0006","dateAdded":"2024-01-01","dueDate":null,"knownRansomwareCampaignUse":null,"cwes":"x"}"#.to_owned(),
            "null".to_owned(),
            "[]".to_owned(),
            entry(" cve-2024-0007 ", "2024-01-01", "", "known"),
        ];
        let p = parse(&catalog(&entries.join(","))).unwrap();
        assert_eq!(
            p.records,
            [
                (
                    "CVE-2024-0001".to_owned(),
                    kev("2024-01-01", "2024-01-22", true)
                ),
                (
                    "CVE-2024-0005".to_owned(),
                    Kev {
                        date_added: "2024-02-30".into(),
                        due_date: None,
                        ransomware: false
                    }
                ),
                (
                    "CVE-2024-0006".to_owned(),
                    Kev {
                        date_added: "2024-01-01".into(),
                        due_date: None,
                        ransomware: false
                    }
                ),
                (
                    "CVE-2024-0007".to_owned(),
                    Kev {
                        date_added: "2024-01-01".into(),
                        due_date: None,
                        ransomware: true
                    }
                ),
            ]
        );
        let names: Vec<_> = p.skipped.iter().map(|s| s.record.as_str()).collect();
        assert_eq!(
            names,
            [
                "vulnerabilities[1]",
                "CVE-2024-0002",
                "CVE-2024-0003",
                "CVE-2024-0004",
                "CVE-2024-0005 dueDate",
                "CVE-2024-0005 knownRansomwareCampaignUse",
                "vulnerabilities[6]",
                "vulnerabilities[7]",
                "CVE-2024-0001",
                "vulnerabilities[10]",
                "vulnerabilities[11]",
            ]
        );
        assert!(p.skipped[8].reason.contains("duplicate"));
        assert!(
            p.skipped
                .iter()
                .all(|s| s.record.len() < 200 && s.reason.len() < 400)
        );
    }

    #[test]
    fn whole_document_errors() {
        for bad in [
            &b""[..],
            b"[]",
            b"null",
            b"{}",
            br#"{"count":1}"#,
            br#"{"vulnerabilities":{}}"#,
            br#"{"vulnerabilities":"x"}"#,
            br#"{"vulnerabilities":[],"vulnerabilities":[]}"#,
            br#"{"vulnerabilities":[{"cveID":"CVE-2024-0001","dateAdded":"2024-01-01"}"#,
            br#"{"vulnerabilities":[]}{}"#,
            br#"{"vulnerabilities":[NaN]}"#,
            b"<html>Access Denied</html>",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let sample = std::fs::read(shared("feeds/kev/claircore-kev-sample.json")).unwrap();
        assert!(parse(&sample[..sample.len() - 10]).is_err());
    }

    #[test]
    fn count_is_informational() {
        // Wrong types or absurd values for count/catalogVersion never fail the catalog.
        for header in [
            r#""count":"many","catalogVersion":7,"#,
            r#""count":1e999999,"#,
            r#""count":-1,"#,
            r#""count":18446744073709551615,"#,
            r#""count":{"deep":[[[[]]]]},"#,
        ] {
            let doc = format!(
                r#"{{{header}"vulnerabilities":[{}]}}"#,
                entry("CVE-2024-0001", "2024-01-01", "2024-01-22", "Unknown")
            );
            let p = parse(doc.as_bytes()).unwrap_or_else(|e| panic!("{header}: {e}"));
            assert_eq!(p.records.len(), 1, "{header}");
        }
        let p = parse(&catalog("")).unwrap();
        assert!(p.records.is_empty() && p.skipped.is_empty());
        // count larger and smaller than the list.
        let doc = format!(
            r#"{{"count":0,"vulnerabilities":[{}]}}"#,
            entry("CVE-2024-0001", "2024-01-01", "2024-01-22", "Unknown")
        );
        let p = parse(doc.as_bytes()).unwrap();
        assert_eq!(p.skipped[0].record, "catalog");
        assert!(p.skipped[0].reason.contains("is 0 but the list holds 1"));
    }
}
