//! Reading policy files and directories into one [`PolicySet`], with errors
//! that name the file, the line and the field.

use std::path::{Path, PathBuf};

use crate::PolicyError;
use crate::read::{read_with_limit, utf8};

use super::model::{Policy, PolicyFile};

/// The largest policy file read (1 MiB, the server's request-body limit):
/// real policy sets are a few kilobytes.
pub const MAX_POLICY_FILE_BYTES: u64 = 1024 * 1024;

/// The policy set shipped with Strata, used when no `--policy` is given.
pub const DEFAULT_POLICIES: &str = include_str!("default.yaml");

/// Where the default set says it comes from in errors and results.
pub const DEFAULT_SOURCE: &str = "<built-in default policies>";

/// Policies from one or more files, names unique across them.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySet {
    policies: Vec<Policy>,
    sources: Vec<String>,
}

impl PolicySet {
    /// The default set ([`DEFAULT_POLICIES`]).
    pub fn builtin() -> Result<PolicySet, PolicyError> {
        PolicySet::from_text(Path::new(DEFAULT_SOURCE), DEFAULT_POLICIES)
    }

    /// One policy file's text; `path` names it in errors.
    pub fn from_text(path: &Path, text: &str) -> Result<PolicySet, PolicyError> {
        let file = parse(path, text)?;
        Ok(PolicySet {
            sources: vec![path.display().to_string(); file.policies.len()],
            policies: file.policies,
        })
    }

    /// Reads each path: a file, or a directory whose `*.yaml`, `*.yml` and
    /// `*.json` files are read in name order (not recursively).
    pub fn load(paths: &[PathBuf]) -> Result<PolicySet, PolicyError> {
        let mut set = PolicySet {
            policies: Vec::new(),
            sources: Vec::new(),
        };
        for path in paths {
            for file in files(path)? {
                let bytes = read_with_limit(&file, MAX_POLICY_FILE_BYTES)?;
                set.merge(PolicySet::from_text(&file, &utf8(&file, &bytes)?)?)?;
            }
        }
        Ok(set)
    }

    /// Adds `other`'s policies; a name both have is an error.
    pub fn merge(&mut self, other: PolicySet) -> Result<(), PolicyError> {
        for (policy, source) in other.policies.into_iter().zip(other.sources) {
            if let Some(first) = self.find(&policy.name) {
                return Err(PolicyError::PolicyFile {
                    path: PathBuf::from(&source),
                    line: None,
                    field: None,
                    message: format!(
                        "policy `{}` is already defined in {}",
                        policy.name,
                        self.sources.get(first).map_or("", String::as_str)
                    ),
                });
            }
            self.policies.push(policy);
            self.sources.push(source);
        }
        Ok(())
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.policies
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The policies, in file order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy named `name` (case-insensitive) and the file it comes from.
    pub fn get(&self, name: &str) -> Option<(&Policy, &str)> {
        let index = self.find(name)?;
        Some((self.policies.get(index)?, self.sources.get(index)?.as_str()))
    }

    /// Only the policies with one of `categories` (case-insensitive); an
    /// empty list keeps them all.
    pub fn with_categories(mut self, categories: &[String]) -> PolicySet {
        if categories.is_empty() {
            return self;
        }
        let keep: Vec<bool> = self
            .policies
            .iter()
            .map(|policy| {
                policy.categories.iter().any(|have| {
                    categories
                        .iter()
                        .any(|want| want.trim().eq_ignore_ascii_case(have.trim()))
                })
            })
            .collect();
        let mut keep_policy = keep.iter();
        self.policies
            .retain(|_| keep_policy.next().copied().unwrap_or(false));
        let mut keep_source = keep.iter();
        self.sources
            .retain(|_| keep_source.next().copied().unwrap_or(false));
        self
    }

    /// As a policy file (YAML), e.g. for `GET /api/v1/policies`.
    pub fn to_file(&self) -> PolicyFile {
        PolicyFile {
            policies: self.policies.clone(),
        }
    }
}

/// The files a `--policy` path stands for.
fn files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let io = |source| PolicyError::Io {
        path: path.to_owned(),
        source,
    };
    if !std::fs::metadata(path).map_err(io)?.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        let policy_like = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["yaml", "yml", "json"].contains(&e.to_ascii_lowercase().as_str()));
        if policy_like && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(PolicyError::PolicyFile {
            path: path.to_owned(),
            line: None,
            field: None,
            message: "no *.yaml, *.yml or *.json policy file in this directory".to_owned(),
        });
    }
    files.sort();
    Ok(files)
}

/// Parses one policy file, tracking the field path so that an error says
/// where it is (`policies[2].criteria.cvss_at_least`), besides the line.
pub(crate) fn parse(path: &Path, text: &str) -> Result<PolicyFile, PolicyError> {
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        let line = inner
            .location()
            .map(|l| refine_line(text, l.line(), &field));
        let mut message = inner.to_string();
        // The location is ours to show, once, in front.
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        // serde_yaml_ng names the enclosing path too (`policies[0].criteria: …`).
        if let Some((prefix, rest)) = message.split_once(": ")
            && !prefix.contains(' ')
            && field.starts_with(prefix)
        {
            message = rest.to_owned();
        }
        PolicyError::PolicyFile {
            path: path.to_owned(),
            line,
            field: (field != "." && !field.is_empty()).then_some(field),
            message,
        }
    })
}

/// The line of the value `field` names. serde_yaml_ng places an error
/// raised after a value was read (a bad severity word, a pattern that does
/// not compile) at the start of the enclosing mapping; the key itself is on
/// that line or one of the next, at the first line that writes it.
fn refine_line(text: &str, line: usize, field: &str) -> usize {
    let Some(key) = field.rsplit('.').next().filter(|k| !k.ends_with(']')) else {
        return line;
    };
    let written = |l: &str| {
        let l = l.trim_start().trim_start_matches(['-', '{', ' ']);
        l.starts_with(&format!("{key}:"))
            || l.starts_with(&format!("\"{key}\":"))
            || l.contains(&format!(" {key}:"))
            || l.contains(&format!("{{{key}:"))
            || l.contains(&format!("\"{key}\":"))
    };
    text.lines()
        .enumerate()
        .skip(line.saturating_sub(1))
        .find(|(_, l)| written(l))
        .map_or(line, |(index, _)| index + 1)
}
