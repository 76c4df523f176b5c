//! Klar's whitelist file (`WHITELIST_FILE`, Klar's `klar.go` and
//! `whitelist-example.yaml`):
//!
//! ```yaml
//! general:            # vulnerability names ignored in every image
//!   - CVE-2017-9671
//! images:             # per image name (Klar's parsed name: no registry, no tag)
//!   library/alpine:
//!     - CVE-2018-6485
//! ```
//!
//! Matching (`filterWhitelist` in `main.go`): a vulnerability is dropped when
//! its `Name` is, exactly and case-sensitively, in `general` or in the list of
//! the image's name as Klar's `docker.NewImage` parses the argument — which
//! for Docker Hub official images is `library/<name>` (`alpine:3.8` →
//! `library/alpine`), so an `alpine:` key never matches there, in Klar as here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

/// A parsed whitelist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Whitelist {
    /// Names ignored everywhere.
    pub(crate) general: BTreeSet<String>,
    /// Names ignored per image name.
    pub(crate) images: BTreeMap<String, BTreeSet<String>>,
}

impl Whitelist {
    /// Parses the YAML as Klar's `yaml.v2` `Unmarshal` does: only the first
    /// document; keys other than `general` and `images` ignored (non-strict,
    /// so repeated keys are allowed too, the last list winning); scalars of any
    /// type read as their text, `~` as an empty name; a wrong shape (`general:`
    /// not a list…) is an error, which Klar reports and exits 2 on.
    pub(crate) fn parse(yaml: &str) -> Result<Whitelist, String> {
        let Some(document) = serde_yaml_ng::Deserializer::from_str(yaml).next() else {
            return Ok(Whitelist::default());
        };
        // Klar's message: "could not unmarshal <yaml error>".
        let parsed = Option::<WhitelistYaml>::deserialize(document)
            .map_err(|e| format!("could not unmarshal {e}"))?;
        let parsed = parsed.unwrap_or_default();
        Ok(Whitelist {
            general: names(parsed.general),
            images: parsed
                .images
                .into_iter()
                .map(|(image, list)| (image, names(list)))
                .collect(),
        })
    }

    /// Whether Klar drops a vulnerability named `name` found in the image
    /// Klar would call `image_name` (see [`klar_image_name`]).
    pub(crate) fn is_whitelisted(&self, name: &str, image_name: &str) -> bool {
        self.general.contains(name)
            || self
                .images
                .get(image_name)
                .is_some_and(|names| names.contains(name))
    }
}

/// The image name Klar's `docker.NewImage` derives from its argument, which is
/// the key of `images:` in the whitelist: the repository path without registry,
/// port, tag or digest, with `library/` before a single-word Docker Hub name.
///
/// A port of Klar's scanner, quirks included: the first part is a registry
/// only when it is `localhost` or contains a `.` (so `registry:5000/app` is the
/// name `library/registry` in Klar), and a multi-byte last character never
/// closes the last part (Klar compares byte offsets).
pub(crate) fn klar_image_name(argument: &str) -> String {
    #[derive(PartialEq)]
    enum State {
        Initial,
        Name,
        Port,
        Tag,
    }
    let last = argument.len().saturating_sub(1);
    let mut state = State::Initial;
    let mut start = 0;
    let mut name: Option<String> = None;
    let mut name_parts: Vec<&str> = Vec::new();
    for (offset, c) in argument.char_indices() {
        let is_last = offset == last;
        if !(matches!(c, ':' | '/' | '@') || is_last) {
            continue;
        }
        // At the last byte the part includes it, separator or not.
        let end = if is_last { offset + 1 } else { offset };
        let part = argument.get(start..end).unwrap_or_default();
        start = end + 1;
        match state {
            State::Initial => {
                if part == "localhost" || part.contains('.') {
                    state = if c == ':' { State::Port } else { State::Name };
                } else if c == '/' {
                    // First word of a multi-part name: read it again with the rest.
                    start = 0;
                    state = State::Name;
                } else {
                    state = State::Tag;
                    name = Some(format!("library/{part}"));
                }
            }
            State::Tag => {}
            State::Port => state = State::Name,
            State::Name => {
                if c == ':' || c == '@' {
                    state = State::Tag;
                }
                name_parts.push(part);
            }
        }
    }
    name.unwrap_or_else(|| name_parts.join("/"))
}

/// Klar's `vulnerabilitiesWhitelistYAML`, read leniently like yaml.v2.
#[derive(Default)]
struct WhitelistYaml {
    general: Vec<Option<String>>,
    images: BTreeMap<String, Vec<Option<String>>>,
}

fn names(list: Vec<Option<String>>) -> BTreeSet<String> {
    list.into_iter().map(Option::unwrap_or_default).collect()
}

impl<'de> Deserialize<'de> for WhitelistYaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevel)
    }
}

struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = WhitelistYaml;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping with `general` and `images`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = WhitelistYaml::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                // yaml.v2 replaces a slice field when the key repeats.
                "general" => {
                    out.general = map
                        .next_value::<Option<Vec<Option<String>>>>()?
                        .unwrap_or_default();
                }
                // …and decodes into the same map, a repeated image replacing its list.
                "images" => {
                    if let Some(images) = map.next_value::<Option<Images>>()? {
                        for (image, list) in images.0 {
                            out.images.insert(image, list.unwrap_or_default());
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// The `images` mapping, repeated keys allowed (in order).
struct Images(Vec<(String, Option<Vec<Option<String>>>)>);

impl<'de> Deserialize<'de> for Images {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ImagesVisitor;
        impl<'de> Visitor<'de> for ImagesVisitor {
            type Value = Images;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of image names to lists")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Images, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Images(entries))
            }
        }
        deserializer.deserialize_map(ImagesVisitor)
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

    #[test]
    fn parses_klars_example_file() {
        // whitelist-example.yaml from Klar's repository.
        let w = Whitelist::parse(
            "general:\n  - RHSA-2018:1345\nimages:\n  centos:\n    - RHSA-2017:2479\n    - RHSA-2018:0805\n  alpine:\n    - CVE-2017-9671\n  fluent/fluent-bit:\n    - CVE-2017-14062\n    - CVE-2018-6485\n",
        )
        .unwrap();
        assert!(w.is_whitelisted("RHSA-2018:1345", "anything"));
        assert!(w.is_whitelisted("CVE-2017-14062", "fluent/fluent-bit"));
        assert!(w.is_whitelisted("CVE-2017-9671", "alpine"));
        assert!(!w.is_whitelisted("CVE-2017-9671", "library/alpine"));
        assert!(!w.is_whitelisted("CVE-2017-14062", "centos"));
        // Exact, case-sensitive names.
        assert!(!w.is_whitelisted("rhsa-2018:1345", "x"));
        assert!(!w.is_whitelisted("RHSA-2018:134", "x"));
    }

    #[test]
    fn empty_and_partial_files() {
        for empty in ["", "# nothing\n", "~", "---\n", "other: 1\n"] {
            assert_eq!(
                Whitelist::parse(empty).unwrap(),
                Whitelist::default(),
                "{empty:?}"
            );
        }
        let w = Whitelist::parse("general: ~\nimages:\n  app: ~\n").unwrap();
        assert!(w.general.is_empty());
        assert_eq!(w.images.get("app"), Some(&BTreeSet::new()));
        // Keys are case-sensitive, as yaml.v2's lower-cased field names.
        assert!(
            Whitelist::parse("General: [CVE-1]")
                .unwrap()
                .general
                .is_empty()
        );
    }

    #[test]
    fn scalars_are_read_as_text_and_repeats_allowed() {
        let w = Whitelist::parse(
            "general: [CVE-1, 123, 1.0, true, ~]\ngeneral: [CVE-2]\nimages:\n  a: [X]\n  a: [Y]\nimages:\n  b: [Z]\n",
        )
        .unwrap();
        // The repeated `general` replaced the first one.
        assert_eq!(w.general, BTreeSet::from(["CVE-2".to_owned()]));
        assert!(w.is_whitelisted("Y", "a") && !w.is_whitelisted("X", "a"));
        assert!(w.is_whitelisted("Z", "b"));
        let w = Whitelist::parse("general: [CVE-1, 123, 1.0, true, ~]").unwrap();
        assert_eq!(
            w.general,
            ["", "1.0", "123", "CVE-1", "true"]
                .map(str::to_owned)
                .into_iter()
                .collect()
        );
        // Only the first document counts.
        let w = Whitelist::parse("general: [A]\n---\ngeneral: [B]\n").unwrap();
        assert!(w.is_whitelisted("A", "x") && !w.is_whitelisted("B", "x"));
    }

    #[test]
    fn wrong_shapes_are_errors() {
        for bad in [
            "general: CVE-1",
            "- CVE-1",
            "images: [CVE-1]",
            "images:\n  app: CVE-1",
            "general: [",
        ] {
            let err = Whitelist::parse(bad).unwrap_err();
            assert!(err.starts_with("could not unmarshal "), "{bad:?}: {err}");
        }
    }

    #[test]
    fn image_names_as_klar_parses_them() {
        for (argument, name) in [
            ("alpine", "library/alpine"),
            ("alpine:3.8", "library/alpine"),
            ("alpine@sha256:abcd", "library/alpine"),
            ("fluent/fluent-bit:1.0", "fluent/fluent-bit"),
            ("fluent/fluent-bit", "fluent/fluent-bit"),
            ("quay.io/coreos/clair", "coreos/clair"),
            ("quay.io/coreos/clair:v2.1.8", "coreos/clair"),
            ("registry.example.com:5000/team/app:1.2", "team/app"),
            ("localhost/app", "app"),
            ("localhost:5000/app@sha256:ab", "app"),
            ("docker.io/library/debian:12", "library/debian"),
            ("docker.io/alpine:3", "alpine"),
            // Klar's quirk: a registry without a dot is read as the name.
            ("registry:5000/app", "library/registry"),
            ("", ""),
        ] {
            assert_eq!(klar_image_name(argument), name, "{argument}");
        }
    }
}
