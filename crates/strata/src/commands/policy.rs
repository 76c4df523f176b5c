//! `strata policy list|show|validate`.

use std::fmt::Write as _;

use strata_policy::policy::{Enforcement, PolicySet};

use crate::EXIT_ERROR;
use crate::cli::{InspectFormat, PolicyListArgs, PolicyShowArgs, PolicyValidateArgs};
use crate::commands::check::policies;
use crate::commands::output::{self, Target};
use crate::failure::Failure;

fn stdout(text: &str) -> Result<(), Failure> {
    output::write(
        &Target {
            format: String::new(),
            file: None,
        },
        text,
    )
}

fn enforcement(e: Enforcement) -> &'static str {
    match e {
        Enforcement::Warn => "warn",
        Enforcement::Fail => "fail",
    }
}

pub(crate) fn list(args: &PolicyListArgs) -> Result<u8, Failure> {
    let set = policies(&args.policy, &[])?;
    let text = match args.format {
        InspectFormat::Json => serde_json::to_string_pretty(&set.to_file())? + "\n",
        InspectFormat::Table => {
            let width = set
                .policies()
                .iter()
                .map(|p| p.name.chars().count())
                .max()
                .unwrap_or(0)
                .max("NAME".len());
            let mut out = format!(
                "{:<width$}  {:<11}  {:<8}  CATEGORIES\n",
                "NAME", "ENFORCEMENT", "SEVERITY"
            );
            for policy in set.policies() {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<11}  {:<8}  {}",
                    policy.name,
                    enforcement(policy.enforcement),
                    format!("{:?}", policy.severity),
                    policy.categories.join(", ")
                );
            }
            out
        }
    };
    stdout(&text)?;
    Ok(crate::EXIT_OK)
}

pub(crate) fn show(args: &PolicyShowArgs) -> Result<u8, Failure> {
    let set = policies(&args.policy, &[])?;
    let Some((policy, source)) = set.get(&args.name) else {
        let names: Vec<&str> = set.policies().iter().map(|p| p.name.as_str()).collect();
        return Err(
            Failure::from(anyhow::anyhow!("no policy named {:?}", args.name))
                .hint(format!("policies: {}", names.join(", "))),
        );
    };
    let yaml = serde_yaml_ng::to_string(&strata_policy::policy::PolicyFile {
        policies: vec![policy.clone()],
    })?;
    stdout(&format!("# from {source}\n{yaml}"))?;
    Ok(crate::EXIT_OK)
}

/// Each file is checked on its own, and every error is printed.
pub(crate) fn validate(args: &PolicyValidateArgs) -> Result<u8, Failure> {
    let mut code = crate::EXIT_OK;
    for file in &args.files {
        match PolicySet::load(std::slice::from_ref(file)) {
            Ok(set) => eprintln!(
                "{}: valid ({} polic{})",
                file.display(),
                set.policies().len(),
                if set.policies().len() == 1 {
                    "y"
                } else {
                    "ies"
                }
            ),
            Err(error) => {
                eprintln!("error: {error}");
                code = EXIT_ERROR;
            }
        }
    }
    Ok(code)
}
