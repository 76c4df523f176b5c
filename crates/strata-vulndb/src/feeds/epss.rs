//! FIRST EPSS daily scores (`https://epss.empiricalsecurity.com/epss_scores-current.csv.gz`,
//! formerly `https://epss.cyentia.com/…`), documented at <https://www.first.org/epss/data_stats>.
//!
//! The CSV starts with a comment line carrying the model and the score date,
//! `#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000`, then the header
//! `cve,epss,percentile`, then one row per CVE: `CVE-1999-0001,0.00383,0.73075` (EPSS
//! probability of exploitation activity in the next 30 days, and its percentile; both 0–1).
//!
//! Read line by line (also straight out of the gzip stream): memory is the output plus one
//! line. Columns are found by header name. A bad row is a [`Skipped`] named by line number
//! (1-based, counting the comment line). Values outside [0, 1], `NaN`/`inf` spellings and
//! over-long lines are rejected; a repeated CVE keeps its first row.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader};

use crate::{Epss, FeedError, Parsed, Skipped};

use super::nvd::{GZIP_MAGIC, check_date, gunzip, normalize_cve_id, short};

const FEED: &str = "epss";

/// Most bytes [`parse_gz`] will decompress. The full file is ~10 MB for ~300k CVEs.
pub const MAX_DECOMPRESSED: u64 = 256 << 20;

/// Longest line accepted; real rows are ~30 bytes.
const MAX_LINE: usize = 4096;

/// Parses the decompressed EPSS CSV.
pub fn parse(bytes: &[u8]) -> Result<Parsed<(String, Epss)>, FeedError> {
    if bytes.starts_with(&GZIP_MAGIC) {
        return Err(err("input is gzip-compressed; use parse_gz"));
    }
    parse_reader(bytes)
}

/// Parses `epss_scores-*.csv.gz`, decompressing as it reads and failing once more than
/// [`MAX_DECOMPRESSED`] bytes come out.
pub fn parse_gz(bytes: &[u8]) -> Result<Parsed<(String, Epss)>, FeedError> {
    parse_gz_limited(bytes, MAX_DECOMPRESSED)
}

fn parse_gz_limited(bytes: &[u8], limit: u64) -> Result<Parsed<(String, Epss)>, FeedError> {
    let reader = gunzip(bytes, limit).map_err(|e| err(&e.reason))?;
    parse_reader(BufReader::with_capacity(64 * 1024, reader))
}

fn err(reason: &str) -> FeedError {
    FeedError {
        feed: FEED.to_owned(),
        reason: reason.to_owned(),
    }
}

enum Line {
    Eof,
    Text,
    TooLong,
}

/// Reads one line (without `\n` / `\r\n`) into `buf`, never buffering more than
/// `MAX_LINE + 1` bytes of it.
fn next_line<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let n = io::Read::take(&mut *r, MAX_LINE as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(Line::Eof);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Line::Text);
    }
    if buf.len() > MAX_LINE {
        r.skip_until(b'\n')?;
        return Ok(Line::TooLong);
    }
    Ok(Line::Text) // the last line, without a newline
}

struct Columns {
    cve: usize,
    epss: usize,
    percentile: usize,
    count: usize,
}

fn header(line: &str) -> Result<Columns, String> {
    let names: Vec<String> = line
        .split(',')
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    let find = |name: &str| -> Result<usize, String> {
        let mut at = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_str() == name)
            .map(|(i, _)| i);
        match (at.next(), at.next()) {
            (Some(i), None) => Ok(i),
            (None, _) => Err(format!("header {:?} has no {name:?} column", short(line))),
            (Some(_), Some(_)) => Err(format!("header {:?} repeats {name:?}", short(line))),
        }
    };
    Ok(Columns {
        cve: find("cve")?,
        epss: find("epss")?,
        percentile: find("percentile")?,
        count: names.len(),
    })
}

/// `score_date:2025-02-20T00:00:00+0000` in the comment line → `2025-02-20`.
fn score_date(comment: &str) -> Option<String> {
    comment.trim_start_matches('#').split(',').find_map(|kv| {
        let (k, v) = kv.split_once(':')?;
        if k.trim() != "score_date" {
            return None;
        }
        let date = v.trim().get(..10)?;
        check_date(date)?;
        Some(date.to_owned())
    })
}

/// A probability or percentile: a finite decimal in [0, 1]. Rust's float parser also
/// accepts `NaN`, `inf` and `infinity`; they fail the finiteness check.
fn unit_interval(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    let x: f64 = s.parse().ok()?;
    (x.is_finite() && (0.0..=1.0).contains(&x)).then_some(x + 0.0) // -0 → 0
}

fn parse_reader<R: BufRead>(mut r: R) -> Result<Parsed<(String, Epss)>, FeedError> {
    let mut out = Parsed {
        records: Vec::new(),
        skipped: Vec::new(),
    };
    let mut buf = Vec::with_capacity(128);
    let mut line_no = 0usize;
    let mut columns: Option<Columns> = None;
    let mut date: Option<String> = None;
    let mut saw_comment = false;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let skip = |out: &mut Parsed<(String, Epss)>, line_no: usize, reason: String| {
        out.skipped.push(Skipped {
            record: format!("line {line_no}"),
            reason,
        });
    };

    loop {
        let kind = next_line(&mut r, &mut buf).map_err(|e| err(&format!("reading: {e}")))?;
        line_no = line_no.saturating_add(1);
        match kind {
            Line::Eof => break,
            Line::TooLong => {
                if columns.is_none() {
                    return Err(err(&format!(
                        "line {line_no} is longer than {MAX_LINE} bytes"
                    )));
                }
                skip(&mut out, line_no, format!("longer than {MAX_LINE} bytes"));
                continue;
            }
            Line::Text => {}
        }
        let bytes = if line_no == 1 {
            buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf)
        } else {
            &buf
        };
        let Ok(line) = std::str::from_utf8(bytes) else {
            if columns.is_none() {
                return Err(err(&format!("line {line_no} is not UTF-8 text")));
            }
            skip(&mut out, line_no, "not UTF-8".to_owned());
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let Some(cols) = &columns else {
            if line.starts_with('#') {
                // Comment lines before the header; the first carries the score date.
                saw_comment = true;
                if date.is_none() {
                    date = score_date(line);
                }
                continue;
            }
            columns = Some(header(line).map_err(|e| err(&format!("line {line_no}: {e}")))?);
            if date.is_none() {
                let why = if saw_comment {
                    "the comment line has no valid score_date"
                } else {
                    "no #model_version/score_date comment line"
                };
                skip(
                    &mut out,
                    1,
                    format!("{why}; scores are kept without a date"),
                );
            }
            continue;
        };

        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != cols.count {
            skip(
                &mut out,
                line_no,
                format!("{} fields, the header has {}", fields.len(), cols.count),
            );
            continue;
        }
        let field = |i: usize| fields.get(i).copied().unwrap_or_default();
        let Some(cve) = normalize_cve_id(field(cols.cve)) else {
            skip(
                &mut out,
                line_no,
                format!("not a CVE id: {:?}", short(field(cols.cve))),
            );
            continue;
        };
        let (Some(score), Some(percentile)) = (
            unit_interval(field(cols.epss)),
            unit_interval(field(cols.percentile)),
        ) else {
            skip(
                &mut out,
                line_no,
                format!(
                    "{cve}: epss {:?} / percentile {:?} not numbers in [0, 1]",
                    short(field(cols.epss)),
                    short(field(cols.percentile))
                ),
            );
            continue;
        };
        if let Some(first) = seen.get(&cve) {
            skip(
                &mut out,
                line_no,
                format!("{cve}: duplicate of line {first}; kept the first"),
            );
            continue;
        }
        seen.insert(cve.clone(), line_no);
        out.records.push((
            cve,
            Epss {
                score,
                percentile,
                date: date.clone(),
            },
        ));
    }
    if columns.is_none() {
        return Err(err("no header line (expected cve,epss,percentile)"));
    }
    Ok(out)
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

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn epss(score: f64, percentile: f64, date: &str) -> Epss {
        Epss {
            score,
            percentile,
            date: Some(date.to_owned()),
        }
    }

    #[test]
    fn vunnel_sample() {
        let bytes = std::fs::read(shared("feeds/epss/vunnel-epss-example-1.csv")).unwrap();
        let p = parse(&bytes).unwrap();
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let ids: Vec<_> = p.records.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CVE-1999-0001",
                "CVE-1999-0002",
                "CVE-1999-0003",
                "CVE-1999-0004",
                "CVE-1999-0005"
            ]
        );
        assert_eq!(p.records[0].1, epss(0.00383, 0.73075, "2025-02-20"));
        assert_eq!(p.records[4].1, epss(0.91963, 0.99214, "2025-02-20"));
        assert_eq!(parse_gz(&gz(&bytes)).unwrap(), p);
    }

    #[test]
    fn claircore_sample() {
        // Ends without a final newline.
        let bytes = std::fs::read(shared("feeds/epss/claircore-epss-sample.csv")).unwrap();
        assert_ne!(bytes.last(), Some(&b'\n'));
        let p = parse(&bytes).unwrap();
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        assert_eq!(p.records.len(), 29);
        let get = |id: &str| &p.records.iter().find(|(i, _)| i == id).unwrap().1;
        assert_eq!(*get("CVE-1999-0005"), epss(0.91963, 0.99030, "2024-10-25"));
        assert_eq!(*get("CVE-2022-34668"), epss(0.00311, 0.70519, "2024-10-25"));
        assert_eq!(
            p.records.last().unwrap(),
            &(
                "CVE-2024-9987".to_owned(),
                epss(0.00043, 0.09778, "2024-10-25")
            )
        );
        assert_eq!(parse_gz(&gz(&bytes)).unwrap(), p);
    }

    #[test]
    fn bad_rows_are_skipped_by_line_number() {
        let csv = "\u{feff}#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000\r\n\
                   cve,epss,percentile\r\n\
                   CVE-2024-0001,0.5,0.9\r\n\
                   CVE-2024-0002,NaN,0.5\n\
                   CVE-2024-0003,inf,0.5\n\
                   CVE-2024-0004,0.5,Infinity\n\
                   CVE-2024-0005,1.5,0.5\n\
                   CVE-2024-0006,-0.1,0.5\n\
                   CVE-2024-0007,1e400,0.5\n\
                   CVE-2024-0008,,0.5\n\
                   CVE-2024-0009,0.1\n\
                   CVE-2024-0010,0.1,0.2,0.3\n\
                   GHSA-aaaa-bbbb-cccc,0.1,0.2\n\
                   \n\
                   CVE-2024-0001,0.7,0.95\n\
                   cve-2024-0011 , 1 , 0\n\
                   CVE-2024-0012,0.00000000000000000001,1.0\n";
        let p = parse(csv.as_bytes()).unwrap();
        let got: Vec<_> = p
            .records
            .iter()
            .map(|(id, e)| (id.as_str(), e.score, e.percentile))
            .collect();
        assert_eq!(
            got,
            [
                ("CVE-2024-0001", 0.5, 0.9),
                ("CVE-2024-0011", 1.0, 0.0),
                ("CVE-2024-0012", 1e-20, 1.0)
            ]
        );
        assert!(
            p.records
                .iter()
                .all(|(_, e)| e.date.as_deref() == Some("2025-02-20"))
        );
        let lines: Vec<_> = p.skipped.iter().map(|s| s.record.as_str()).collect();
        assert_eq!(
            lines,
            [
                "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10", "line 11",
                "line 12", "line 13", "line 15"
            ]
        );
        assert!(p.skipped[10].reason.contains("duplicate of line 3"));
        assert!(p.skipped[7].reason.contains("2 fields"));
    }

    #[test]
    fn header_and_comment_variants() {
        // Columns found by name, no comment line: no date, and a note says so.
        let p = parse(b"percentile,cve,epss\n0.25,CVE-2024-0001,0.125\n").unwrap();
        assert_eq!(
            p.records,
            [(
                "CVE-2024-0001".to_owned(),
                Epss {
                    score: 0.125,
                    percentile: 0.25,
                    date: None
                }
            )]
        );
        assert_eq!(p.skipped.len(), 1);
        assert!(p.skipped[0].reason.contains("no #model_version"));
        // A comment without score_date, or with a bad one.
        for c in [
            "#model_version:v2023.03.01",
            "#score_date:2025-13-40T00:00:00+0000",
            "#score_date",
        ] {
            let p = parse(format!("{c}\ncve,epss,percentile\nCVE-2024-0001,0.1,0.2\n").as_bytes())
                .unwrap();
            assert_eq!(p.records[0].1.date, None);
            assert!(p.skipped[0].reason.contains("no valid score_date"), "{c}");
        }
        // Whole-document errors.
        for bad in [
            &b""[..],
            b"\n\n",
            b"#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000\n",
            b"CVE-2024-0001,0.1,0.2\n",
            b"cve,epss\nCVE-2024-0001,0.1\n",
            b"cve,epss,percentile,epss\n",
            b"{\"not\":\"csv\"}",
            &[0xff, 0xfe, 0x00, 0x63],
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        // A header-only file is an empty, valid list.
        assert!(parse(b"cve,epss,percentile\n").unwrap().records.is_empty());
    }

    #[test]
    fn hostile_lines() {
        let mut csv = b"#score_date:2025-02-20T00:00:00+0000\ncve,epss,percentile\n".to_vec();
        csv.extend(std::iter::repeat_n(b'A', 10 << 20)); // a 10 MiB line
        csv.extend(b"\nCVE-2024-0001,0.1,0.2\n");
        csv.extend(b"CVE-2024-0002,\xff\xfe,0.2\n");
        csv.extend(format!("CVE-2024-0003,0.{},0.2\n", "1".repeat(100)).as_bytes());
        csv.extend(b"CVE-2024-0004,0.1,0.2"); // last line, no newline
        let p = parse(&csv).unwrap();
        let ids: Vec<_> = p.records.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["CVE-2024-0001", "CVE-2024-0004"]);
        let lines: Vec<_> = p
            .skipped
            .iter()
            .map(|s| (s.record.as_str(), s.reason.len() < 300))
            .collect();
        assert_eq!(
            lines,
            [("line 3", true), ("line 5", true), ("line 6", true)]
        );
        // An over-long comment before the header is fatal.
        let mut long = b"#".to_vec();
        long.extend(std::iter::repeat_n(b'x', 10_000));
        long.extend(b"\ncve,epss,percentile\n");
        assert!(parse(&long).is_err());
    }

    #[test]
    fn gzip_bomb_and_truncation() {
        let mut csv = b"cve,epss,percentile\n".to_vec();
        for _ in 0..200_000 {
            csv.extend(b"CVE-2024-0001,0.1,0.2\n");
        }
        let bomb = gz(&csv);
        let e = parse_gz_limited(&bomb, 1 << 20).unwrap_err();
        assert!(e.reason.contains("exceeds the limit"), "{e}");
        let p = parse_gz_limited(&bomb, 16 << 20).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.skipped.len(), 200_000); // one note for the missing date + duplicates
        let sample = gz(&std::fs::read(shared("feeds/epss/claircore-epss-sample.csv")).unwrap());
        assert!(parse_gz(&sample[..sample.len() - 4]).is_err());
        assert!(parse_gz(&sample[..20]).is_err());
        assert!(parse_gz(b"cve,epss,percentile\n").is_err());
        assert!(parse(&sample).unwrap_err().reason.contains("parse_gz"));
    }
}
