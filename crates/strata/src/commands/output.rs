//! `-f FORMAT[=FILE]` and `-o FILE`: where each requested report goes.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::OutputArgs;
use crate::failure::Failure;

/// One report to write: its format name and its destination (`None`: stdout).
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) format: String,
    pub(crate) file: Option<PathBuf>,
}

/// Resolves the output flags against the formats a command supports.
pub(crate) fn targets(
    args: &OutputArgs,
    supported: &[&str],
    default: &str,
) -> Result<Vec<Target>, Failure> {
    let mut targets: Vec<Target> = args
        .formats
        .iter()
        .map(|spec| match spec.split_once('=') {
            Some((format, file)) => Target {
                format: format.to_owned(),
                file: Some(PathBuf::from(file)),
            },
            None => Target {
                format: spec.clone(),
                file: None,
            },
        })
        .collect();
    if targets.is_empty() {
        targets.push(Target {
            format: default.to_owned(),
            file: None,
        });
    }
    for target in &targets {
        if !supported.contains(&target.format.as_str()) {
            return Err(
                Failure::from(anyhow::anyhow!("unknown format {:?}", target.format))
                    .hint(format!("formats: {}", supported.join(", "))),
            );
        }
    }
    let to_stdout = targets.iter().filter(|t| t.file.is_none()).count();
    if let Some(output) = &args.output {
        if to_stdout != 1 {
            return Err(Failure::from(anyhow::anyhow!(
                "-o names one file, but {to_stdout} formats have no file"
            ))
            .hint("use -f FORMAT=FILE for each format"));
        }
        for target in &mut targets {
            if target.file.is_none() {
                target.file = Some(output.clone());
            }
        }
    } else if to_stdout > 1 {
        return Err(Failure::from(anyhow::anyhow!(
            "{to_stdout} formats would all go to stdout"
        ))
        .hint("give all but one a file: -f FORMAT=FILE"));
    }
    Ok(targets)
}

/// Writes `text` to the target (a file is written whole, then renamed into place).
pub(crate) fn write(target: &Target, text: &str) -> Result<(), Failure> {
    match &target.file {
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write to stdout")
            .map_err(Failure::from),
        Some(path) => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), PathBuf::from);
            let mut temp = tempfile::NamedTempFile::new_in(&dir)
                .with_context(|| format!("cannot write {}", path.display()))?;
            temp.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            temp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}
