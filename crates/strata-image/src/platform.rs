//! Platforms (`os/arch[/variant]`) and the choice of one in a multi-arch index.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// An OCI platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Platform {
    /// `linux`, `windows`…
    pub os: String,
    /// GOARCH spelling: `amd64`, `arm64`, `arm`…
    pub architecture: String,
    /// `v8`, `v7`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// The platform of the machine we run on (`linux/amd64` on x86-64 Linux).
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            "arm" => "arm",
            other => other,
        };
        let os = match std::env::consts::OS {
            "macos" => "linux", // containers on a Mac run Linux images
            other => other,
        };
        Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: None,
        }
    }

    /// Whether an index entry for `self` satisfies a request for `wanted`. A request
    /// without a variant accepts any; `arm64` without a variant means `v8`.
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        let normal = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_owned()),
            (_, v) => v.map(str::to_owned),
        };
        self.os == wanted.os
            && self.architecture == wanted.architecture
            && (wanted.variant.is_none() || normal(self) == normal(wanted))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let valid =
            |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        match parts.as_slice() {
            [os, arch] if valid(os) && valid(arch) => Ok(Platform {
                os: (*os).to_owned(),
                architecture: (*arch).to_owned(),
                variant: None,
            }),
            [os, arch, variant] if valid(os) && valid(arch) && valid(variant) => Ok(Platform {
                os: (*os).to_owned(),
                architecture: (*arch).to_owned(),
                variant: Some((*variant).to_owned()),
            }),
            _ => Err(Error::invalid(
                format!("platform {s:?}"),
                "expected os/arch or os/arch/variant, e.g. linux/arm64/v8",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        s.parse().unwrap()
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(p("linux/arm64/v8").to_string(), "linux/arm64/v8");
        assert!("linux".parse::<Platform>().is_err());
        assert!("linux/amd64/v1/x".parse::<Platform>().is_err());
    }

    #[test]
    fn matching() {
        assert!(p("linux/arm64/v8").satisfies(&p("linux/arm64")));
        assert!(p("linux/arm64").satisfies(&p("linux/arm64/v8")));
        assert!(!p("linux/arm/v6").satisfies(&p("linux/arm/v7")));
        assert!(!p("linux/amd64").satisfies(&p("linux/arm64")));
    }
}
