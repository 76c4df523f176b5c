//! Matching: every package of an inventory against the advisories of its
//! ecosystem (OS packages against their distro release's own data, language
//! packages against OSV), with each ecosystem's version rules.

mod matcher;
mod report;

pub use matcher::*;
pub use report::*;
