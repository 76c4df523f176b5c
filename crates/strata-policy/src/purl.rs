//! Package URLs as match patterns: how ignore entries and VEX statements name
//! the package they are about.
//!
//! A pattern matches a package when type, namespace and name are equal (after
//! the purl spec's per-type normalisation, and PEP 503 for PyPI names), its
//! version is absent or equal, every qualifier it has is present in the
//! package with the same value, and its subpath is absent or equal. That is
//! what Trivy (`purl.PackageURL.Match`) and OpenVEX (`go-vex`
//! `PurlMatches`) do: a pattern without a version covers every version; a
//! package's own qualifiers (`arch`, `distro`) never stop a match unless the
//! pattern asks for them.

use std::collections::BTreeMap;
use std::fmt;

use packageurl::PackageUrl;

/// A parsed, normalised Package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
    text: String,
}

impl Purl {
    /// Parses `text`; the error says what is wrong with it.
    pub(crate) fn parse(text: &str) -> Result<Purl, String> {
        let parsed: PackageUrl<'_> = text
            .trim()
            .parse()
            .map_err(|e| format!("`{text}` is not a package URL: {e}"))?;
        let ty = parsed.ty().to_owned();
        let mut name = parsed.name().to_owned();
        if ty == "pypi" {
            name = pep503(&name);
        }
        Ok(Purl {
            namespace: parsed
                .namespace()
                .filter(|ns| !ns.is_empty())
                .map(str::to_owned),
            version: parsed
                .version()
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
            qualifiers: parsed
                .qualifiers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            subpath: parsed
                .subpath()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            ty,
            name,
            text: text.trim().to_owned(),
        })
    }

    /// Whether this pattern covers `package` (see the module docs).
    pub(crate) fn matches(&self, package: &Purl) -> bool {
        self.ty == package.ty
            && self.namespace == package.namespace
            && self.name == package.name
            && self
                .version
                .as_ref()
                .is_none_or(|v| Some(v) == package.version.as_ref())
            && self
                .subpath
                .as_ref()
                .is_none_or(|s| Some(s) == package.subpath.as_ref())
            && self
                .qualifiers
                .iter()
                .all(|(k, v)| package.qualifiers.get(k) == Some(v))
    }

    /// The type (`deb`, `pypi`, `oci`…).
    pub(crate) fn ty(&self) -> &str {
        &self.ty
    }

    /// The name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The namespace, when there is one.
    pub(crate) fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The version, when there is one.
    pub(crate) fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The qualifiers.
    pub(crate) fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }

    /// The subpath, when there is one.
    pub(crate) fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// PEP 503: PyPI names compare lowercased with runs of `-`, `_` and `.` as one
/// `-` (`Zope.Interface` is `zope-interface`). The purl spec only folds `_`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purl(text: &str) -> Purl {
        Purl::parse(text).unwrap()
    }

    fn matches(pattern: &str, package: &str) -> bool {
        purl(pattern).matches(&purl(package))
    }

    const LIBC6: &str = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12";

    #[test]
    fn version_is_compared_only_when_the_pattern_has_one() {
        assert!(matches("pkg:pypi/urllib3@1.23", "pkg:pypi/urllib3@1.23"));
        assert!(!matches("pkg:pypi/urllib3@1.23", "pkg:pypi/urllib3@1.24"));
        assert!(matches("pkg:pypi/urllib3", "pkg:pypi/urllib3@1.24"));
        assert!(!matches("pkg:pypi/urllib3@1.23", "pkg:pypi/urllib3"));
        assert!(!matches("pkg:pypi/requests", "pkg:pypi/urllib3@1.23"));
        assert!(!matches("pkg:npm/urllib3@1.23", "pkg:pypi/urllib3@1.23"));
    }

    #[test]
    fn qualifiers_are_compared_only_when_the_pattern_has_them() {
        // Percent-encoded `+` in the version is decoded on both sides.
        assert!(matches("pkg:deb/debian/libc6@2.36-9+deb12u4", LIBC6));
        assert!(matches("pkg:deb/debian/libc6?arch=amd64", LIBC6));
        assert!(!matches("pkg:deb/debian/libc6?arch=arm64", LIBC6));
        assert!(!matches("pkg:deb/debian/libc6?distro=debian-11", LIBC6));
        assert!(!matches("pkg:deb/debian/libc6?epoch=1", LIBC6));
        assert!(!matches("pkg:deb/ubuntu/libc6", LIBC6), "namespace differs");
    }

    #[test]
    fn subpath_is_compared_only_when_the_pattern_has_one() {
        let package = "pkg:golang/golang.org/x/net@v0.23.0#http2";
        assert!(matches("pkg:golang/golang.org/x/net@v0.23.0", package));
        assert!(matches("pkg:golang/golang.org/x/net#http2", package));
        assert!(!matches("pkg:golang/golang.org/x/net#html", package));
    }

    #[test]
    fn names_are_normalised_per_type() {
        assert!(matches(
            "pkg:PyPI/Zope.Interface@5.0",
            "pkg:pypi/zope-interface@5.0"
        ));
        assert!(matches(
            "pkg:pypi/typing_extensions",
            "pkg:pypi/typing-extensions@4.0"
        ));
        assert!(matches(
            "pkg:npm/%40babel/Core",
            "pkg:npm/%40babel/core@7.24.0"
        ));
        assert!(matches("pkg:deb/Debian/LibC6", LIBC6));
        // Maven is case-sensitive.
        assert!(!matches(
            "pkg:maven/org.apache.commons/Commons-Text",
            "pkg:maven/org.apache.commons/commons-text@1.10.0"
        ));
    }

    #[test]
    fn bad_purls_are_refused_with_the_text() {
        let err = Purl::parse("urllib3@1.23").unwrap_err();
        assert!(err.contains("`urllib3@1.23`"), "{err}");
        assert!(Purl::parse("pkg:pypi/").is_err());
    }
}
