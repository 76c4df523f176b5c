//! The bytes Go's `encoding/json` `Encoder` writes for Klar's `jsonOutput`, as
//! built by Go 1.13 (Klar's Dockerfile): struct fields in declaration order,
//! map keys sorted, `omitempty` honoured, HTML-safe string escaping, and a
//! trailing newline (`Encoder.Encode`). serde_json escapes differently (`<`,
//! `\b`…), hence this small writer.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use strata_report::clair::{ClairVulnerability, NvdMetadata};

/// `{"LayerCount":N,"Vulnerabilities":{"High":[…],…}}\n`; `groups` are keyed by
/// severity word, so the `BTreeMap` order is Go's sorted-key order.
pub(super) fn klar_json(
    layer_count: usize,
    groups: &BTreeMap<&str, Vec<&ClairVulnerability>>,
) -> String {
    let mut out = format!("{{\"LayerCount\":{layer_count},\"Vulnerabilities\":{{");
    for (i, (severity, vulnerabilities)) in groups.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, severity);
        out.push_str(":[");
        for (j, v) in vulnerabilities.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write_vulnerability(&mut out, v);
        }
        out.push(']');
    }
    out.push_str("}}\n");
    out
}

/// Klar's `clair.Vulnerability`: every field but `FeatureName`/`FeatureVersion`
/// is `omitempty`; those two have a malformed tag (`json:"FeatureName",omitempty`)
/// whose `omitempty` Go never sees, so they are always written. `FixedIn` is
/// never filled by the layer API and is omitted.
fn write_vulnerability(out: &mut String, v: &ClairVulnerability) {
    out.push('{');
    let mut first = true;
    let mut field = |out: &mut String, name: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        write_string(out, name);
        out.push(':');
    };
    for (name, value) in [
        ("Name", &v.name),
        ("NamespaceName", &v.namespace_name),
        ("Description", &v.description),
        ("Link", &v.link),
    ] {
        if !value.is_empty() {
            field(out, name);
            write_string(out, value);
        }
    }
    field(out, "Severity");
    write_string(out, v.severity.as_str());
    if let Some(metadata) = &v.metadata {
        field(out, "Metadata");
        write_metadata(out, metadata);
    }
    if !v.fixed_by.is_empty() {
        field(out, "FixedBy");
        write_string(out, &v.fixed_by);
    }
    field(out, "FeatureName");
    write_string(out, &v.feature_name);
    field(out, "FeatureVersion");
    write_string(out, &v.feature_version);
    out.push('}');
}

/// Klar decodes `Metadata` into `map[string]interface{}`, so Go re-encodes it
/// with sorted keys and float64 numbers.
fn write_metadata(out: &mut String, m: &NvdMetadata) {
    out.push_str("{\"NVD\":{\"CVSSv2\":{\"PublishedDateTime\":");
    write_string(out, &m.published_date_time);
    out.push_str(",\"Score\":");
    write_float(out, m.v2_score);
    out.push_str(",\"Vectors\":");
    write_string(out, &m.v2_vectors);
    out.push_str("},\"CVSSv3\":{\"ExploitabilityScore\":");
    write_float(out, m.v3_exploitability_score);
    out.push_str(",\"ImpactScore\":");
    write_float(out, m.v3_impact_score);
    out.push_str(",\"Score\":");
    write_float(out, m.v3_score);
    out.push_str(",\"Vectors\":");
    write_string(out, &m.v3_vectors);
    out.push_str("}}}");
}

/// Go's `encodeState.string` with `escapeHTML` (the `Encoder` default): `"` and
/// `\` escaped, `\n` `\r` `\t` short, other controls as `\u00xx` (Go < 1.22 had
/// no `\b`/`\f`), `<` `>` `&` and U+2028/U+2029 as `\u…`.
pub(super) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u00{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's float64 encoding: shortest round-trip digits, plain notation unless the
/// magnitude is below 1e-6 or from 1e21 on (then `1e-7`, `1e+21`). Go refuses
/// NaN and infinities; the model's scores are finite, and 0 stands in otherwise.
pub(super) fn write_float(out: &mut String, f: f64) {
    let f = if f.is_finite() { f } else { 0.0 };
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => {
                let _ = write!(out, "{mantissa}e+{exp}");
            }
            _ => out.push_str(&text),
        }
    } else {
        let _ = write!(out, "{f}");
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    fn string(s: &str) -> String {
        let mut out = String::new();
        write_string(&mut out, s);
        out
    }

    fn float(f: f64) -> String {
        let mut out = String::new();
        write_float(&mut out, f);
        out
    }

    #[test]
    fn strings_escaped_like_go() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("a \"q\" \\ b"), r#""a \"q\" \\ b""#);
        assert_eq!(string("l1\nl2\r\t"), r#""l1\nl2\r\t""#);
        assert_eq!(
            string("<a href=x>&amp;"),
            r#""\u003ca href=x\u003e\u0026amp;""#
        );
        assert_eq!(
            string("\u{8}\u{c}\u{1}\u{1f}\u{7f}"),
            "\"\\u0008\\u000c\\u0001\\u001f\u{7f}\""
        );
        assert_eq!(string("a\u{2028}b\u{2029}"), r#""a\u2028b\u2029""#);
        assert_eq!(string("glibc ≥ 2.36 — ü"), "\"glibc ≥ 2.36 — ü\"");
    }

    #[test]
    fn floats_formatted_like_go() {
        assert_eq!(float(5.0), "5");
        assert_eq!(float(7.5), "7.5");
        assert_eq!(float(9.8), "9.8");
        assert_eq!(float(0.0), "0");
        assert_eq!(float(3.9), "3.9");
        assert_eq!(float(1e-7), "1e-7");
        assert_eq!(float(1e21), "1e+21");
        assert_eq!(float(123456.5), "123456.5");
        assert_eq!(float(f64::NAN), "0");
    }
}
