//! The config file: a YAML mapping from long flag names to values, read before the
//! command line so that its values become the flags' defaults.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::failure::Failure;

/// Flag name → values (a list for repeatable flags, else one value).
pub(crate) type Values = BTreeMap<String, Vec<String>>;

/// The file name looked for when no `--config` is given.
const FILE_NAME: &str = "strata.yaml";

/// `--cache-dir` → `STRATA_CACHE_DIR`.
pub(crate) fn env_name(long: &str) -> String {
    format!("STRATA_{}", long.replace('-', "_").to_ascii_uppercase())
}

/// Where the config comes from, and whether the user named it (then it must exist).
#[derive(Debug)]
pub(crate) struct Location {
    path: PathBuf,
    explicit: bool,
}

/// Finds the config file: `--config FILE`, else `$STRATA_CONFIG`, else
/// `./strata.yaml`, else `$XDG_CONFIG_HOME/strata/strata.yaml` (or `~/.config/…`).
pub(crate) fn path_from_args(args: &[OsString]) -> Option<Location> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return iter.next().map(|path| Location {
                path: PathBuf::from(path),
                explicit: true,
            });
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return Some(Location {
                path: PathBuf::from(path),
                explicit: true,
            });
        }
    }
    if let Some(path) = std::env::var_os(env_name("config")).filter(|p| !p.is_empty()) {
        return Some(Location {
            path: PathBuf::from(path),
            explicit: true,
        });
    }
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
    std::iter::once(PathBuf::from(FILE_NAME))
        .chain(config_home.map(|dir| dir.join("strata").join(FILE_NAME)))
        .find(|path| path.is_file())
        .map(|path| Location {
            path,
            explicit: false,
        })
}

/// Reads the config file; no file gives no values.
pub(crate) fn load(location: Option<Location>) -> Result<Values, Failure> {
    let Some(Location { path, explicit }) = location else {
        return Ok(Values::new());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Values::new());
        }
        Err(e) => {
            return Err(Failure::from(
                anyhow::Error::new(e)
                    .context(format!("cannot read config file {}", path.display())),
            ));
        }
    };
    parse(&text).with_context(|| format!("config file {}", path.display())).map_err(|e| {
        Failure::from(e).hint("the config file is a YAML mapping of flag names to values, e.g. `cache-dir: /tmp/strata`")
    })
}

fn parse(text: &str) -> anyhow::Result<Values> {
    let document: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)?;
    let mapping = match document {
        serde_yaml_ng::Value::Null => return Ok(Values::new()),
        serde_yaml_ng::Value::Mapping(mapping) => mapping,
        _ => anyhow::bail!("expected a mapping of flag names to values"),
    };
    let mut values = Values::new();
    for (key, value) in mapping {
        let key = key
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("keys must be flag names (strings)"))?;
        let list = match value {
            serde_yaml_ng::Value::Null => continue,
            serde_yaml_ng::Value::Sequence(items) => items
                .into_iter()
                .map(|item| scalar(&key, item))
                .collect::<anyhow::Result<Vec<_>>>()?,
            other => vec![scalar(&key, other)?],
        };
        values.insert(key, list);
    }
    Ok(values)
}

fn scalar(key: &str, value: serde_yaml_ng::Value) -> anyhow::Result<String> {
    Ok(match value {
        serde_yaml_ng::Value::String(s) => s,
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        _ => anyhow::bail!("{key:?}: expected a string, number, boolean or a list of them"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        assert_eq!(env_name("cache-dir"), "STRATA_CACHE_DIR");
        assert_eq!(env_name("range"), "STRATA_RANGE");
    }

    #[test]
    fn scalars_and_lists() {
        let values = parse("range: true\nseverity: [LOW, HIGH]\ncount: 3\nunset:\n").unwrap();
        assert_eq!(values["range"], ["true"]);
        assert_eq!(values["severity"], ["LOW", "HIGH"]);
        assert_eq!(values["count"], ["3"]);
        assert!(!values.contains_key("unset"));
    }

    #[test]
    fn rejects_non_mappings_and_nested_values() {
        assert!(parse("- a\n- b\n").is_err());
        assert!(parse("cache:\n  dir: x\n").is_err());
    }
}
