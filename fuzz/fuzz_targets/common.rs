// Shared body of the version fuzz targets: the input is `A\0B` (or just `A`).
// Parsing, comparing and range checks must never panic; a parsed version must
// display as text that parses back equal, and compare equal to itself.

use strata_version::{Range, Scheme, Version, compare};

pub fn run(scheme: Scheme, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\0').unwrap_or((text, "1.0"));
    let _ = compare(scheme, a, b);
    let range = Range::parse(scheme, b);
    if let Ok(version) = Version::parse(scheme, a) {
        assert_eq!(version.partial_cmp(&version), Some(std::cmp::Ordering::Equal));
        let shown = version.to_string();
        let again = Version::parse(scheme, &shown).expect("display parses back");
        assert!(again == version, "{a:?} displays as {shown:?}, which parses to another version");
        if let Ok(range) = range {
            let _ = range.contains(&version);
            let _ = range.to_string();
        }
    }
}
