//! How the CLI reports an error: one line `error: …`, a `hint: …` where one helps,
//! and the cause chain only with `--verbose`.

use std::fmt::Write as _;

/// An error on its way to the user, with an optional hint on what to do next.
#[derive(Debug)]
pub(crate) struct Failure {
    error: anyhow::Error,
    hint: Option<String>,
}

impl Failure {
    /// Adds a hint line.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The text printed on stderr: the whole cause chain on one line, or one
    /// cause per line with `--verbose`.
    pub(crate) fn render(&self, verbose: bool) -> String {
        let mut out = if verbose {
            let mut out = format!("error: {}\n", self.error);
            for cause in self.error.chain().skip(1) {
                let _ = writeln!(out, "  caused by: {cause}");
            }
            out
        } else {
            format!("error: {:#}\n", self.error)
        };
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "hint: {hint}");
        }
        out
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure {
            error: error.into(),
            hint: None,
        }
    }
}
