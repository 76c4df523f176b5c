//! .NET applications' NuGet packages: `<app>.deps.json`, the dependency manifest the .NET SDK
//! writes beside an application (dotnet/sdk `documentation/specs/runtime-configuration-file.md`).
//! Its `libraries` object has one `"<Id>/<Version>"` key per library; those of `"type":
//! "package"` are NuGet packages (`project` and `reference` entries are the app itself and
//! framework assemblies).

use serde_json::Value;

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Finds NuGet packages in `.deps.json` files.
#[derive(Debug, Default)]
pub struct DotnetCataloger {
    packages: Vec<Package>,
}

impl DotnetCataloger {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for DotnetCataloger {
    fn name(&self) -> &'static str {
        "dotnet"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        let name = file.path.rsplit('/').next().unwrap_or(file.path);
        name.len() > ".deps.json".len() && name.ends_with(".deps.json")
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        // The format spec's own sample has a trailing comma; accept that, nothing else.
        let root: Value = match serde_json::from_slice(content).or_else(|err| {
            serde_json::from_slice(&without_trailing_commas(content)).map_err(|_| err)
        }) {
            Ok(root) => root,
            Err(err) => return diagnostics.warn(file.path, format!("invalid JSON: {err}")),
        };
        let Some(libraries) = root.get("libraries").and_then(Value::as_object) else {
            return diagnostics.warn(file.path, "no \"libraries\" object");
        };
        for (key, library) in libraries {
            if library.get("type").and_then(Value::as_str) != Some("package") {
                continue;
            }
            match key.split_once('/') {
                Some((name, version))
                    if valid(name) && valid(version) && !version.contains('/') =>
                {
                    let mut pkg = Package::new(PackageKind::Nuget, name, version, file.path);
                    if let Some(sha512) = library
                        .get("sha512")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                    {
                        pkg.metadata.insert("sha512".into(), sha512.into());
                    }
                    self.packages.push(pkg);
                }
                _ => diagnostics.warn(
                    file.path,
                    format!("library {:?}: not \"<id>/<version>\"", short(key)),
                ),
            }
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

/// NuGet ids and versions: non-empty, no blanks, at most 256 characters.
fn valid(part: &str) -> bool {
    !part.is_empty() && part.len() <= 256 && !part.contains(char::is_whitespace)
}

fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Drops commas directly before `}` or `]` (outside strings).
fn without_trailing_commas(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for (at, &b) in json.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b',' {
            let next = json.iter().skip(at + 1).find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b'}' | b']')) {
                continue;
            }
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[appname].deps.json` sample of dotnet/sdk
    /// `documentation/specs/runtime-configuration-file.md` (trailing comma included).
    const SPEC_SAMPLE: &str = r#"{
  "runtimeTarget": {
    "name": ".NETCoreApp,Version=v2.0",
    "signature": "aafc507050a6c13a0cf2d6d4c3de136e6571da6e"
  },
  "compilationOptions": {
    "defines": [
		"TRACE",
		"DEBUG"
    ],
    "languageVersion": "",
    "platform": "",
    "warningsAsErrors": false,
  },
  "targets": {
    ".NETCoreApp,Version=v2.1": {
      "MyApp/1.0.0": {
        "dependencies": {
          "System.Banana": "1.0.0"
        },
        "runtime": {
          "MyApp.dll": {}
        },
        "compile": {
          "MyApp.dll": {}
        }
      },
      "System.Banana/1.0.0": {
        "dependencies": {
          "System.Foo": "1.0.0"
        },
        "runtime": {
          "lib/netcoreapp2.1/System.Banana.dll": {
            "assemblyVersion": "1.0.0.0",
            "fileVersion": "1.0.0.0"
          }
        },
        "compile": {
          "ref/netcoreapp2.1/System.Banana.dll": {}
        }
      },
      "System.Foo/1.0.0": {
        "runtime": {
          "lib/netcoreapp2.1/System.Foo.dll": {
            "assemblyVersion": "1.0.0.0",
            "fileVersion": "1.0.0.0"
          }
        },
        "compile": {
          "ref/netcodeapp2.1/System.Foo.dll": {}
        }
      }
    }
  },
  "libraries": {
    "MyApp/1.0.0": {
      "type": "project",
      "serviceable": false,
      "sha512": ""
    },
    "System.Banana/1.0.0": {
      "type": "package",
      "serviceable": true,
      "sha512": "sha512-C63ok7q+Fi6O6I/WB4ut3hFibGSraUlE461LxhhwNk5Vcdl4ijDhX1QDupDdp3Cxr7TgwB55Sd4zNtlwT7ksAA==",
      "path": "system.banana/1.0.0",
      "hashPath": "system.banana.1.0.0.nupkg.sha512"
    },
    "System.Foo/1.0.0": {
      "type": "package",
      "serviceable": true,
      "sha512": "sha512-avYGOiBQ4U/fJfzEDF7lzPLhk/w6P9/28y0iiQh3AxlWOheuZTgXA/pzuORuAu/s5B2bXHO2BlvQKZN0PfQ2HQ==",
      "path": "system.foo/1.0.0",
      "hashPath": "system.foo.1.0.0.nupkg.sha512"
    }
  }
}"#;

    fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
        let mut cataloger = DotnetCataloger::new();
        let file = FileInfo {
            path,
            size: content.len() as u64,
            mode: 0o644,
        };
        assert!(cataloger.wants(&file));
        let mut diagnostics = Diagnostics::default();
        cataloger.visit(&file, content, &mut diagnostics);
        (cataloger.finish(&mut diagnostics), diagnostics)
    }

    #[test]
    fn wants_deps_json() {
        let c = DotnetCataloger::new();
        let wants = |path| {
            c.wants(&FileInfo {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants("app/MyApp.deps.json"));
        assert!(wants(
            "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json"
        ));
        assert!(!wants("app/.deps.json"));
        assert!(!wants("app/MyApp.runtimeconfig.json"));
        assert!(!wants("app/deps.json"));
    }

    #[test]
    fn spec_sample() {
        let (packages, diagnostics) = run("app/MyApp.deps.json", SPEC_SAMPLE.as_bytes());
        assert!(
            diagnostics.warnings.is_empty(),
            "{:?}",
            diagnostics.warnings
        );
        let found: Vec<(&str, &str)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        // MyApp is the project itself, not a package.
        assert_eq!(
            found,
            vec![("System.Banana", "1.0.0"), ("System.Foo", "1.0.0")]
        );
        for p in &packages {
            assert_eq!(p.kind, Some(PackageKind::Nuget));
            assert_eq!(p.paths, vec!["app/MyApp.deps.json"]);
            assert!(p.metadata["sha512"].starts_with("sha512-"));
        }
    }

    #[test]
    fn trailing_commas_only_outside_strings() {
        let text = br#"{"a": "x,}", "b": [1, 2,], "c": "\",]",}"#;
        let fixed = without_trailing_commas(text);
        assert_eq!(fixed, br#"{"a": "x,}", "b": [1, 2], "c": "\",]"}"#);
    }

    #[test]
    fn hostile_files() {
        let deep = "{\"libraries\":".repeat(50_000);
        let cases: Vec<&[u8]> = vec![
            b"",
            b"\xff\xfe\xfd",
            b"[]",
            b"{\"libraries\": []}",
            b"{\"libraries\": {",
            deep.as_bytes(),
        ];
        for text in cases {
            let (packages, diagnostics) = run("a.deps.json", text);
            assert!(packages.is_empty());
            assert_eq!(
                diagnostics.warnings.len(),
                1,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let text = br#"{"libraries": {
            "NoVersion": {"type": "package"},
            "A/1/2": {"type": "package"},
            "/1.0": {"type": "package"},
            "Good/2.0.1": {"type": "package"},
            "Ref/1.0": {"type": "reference"},
            "Odd/1.0": "garbage"
        }}"#;
        let (packages, diagnostics) = run("a.deps.json", text);
        let found: Vec<(&str, &str)> = packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(found, vec![("Good", "2.0.1")]);
        assert_eq!(diagnostics.warnings.len(), 3, "{:?}", diagnostics.warnings);
    }
}
