//! Every package cataloger, and the set an index runs.

pub mod apk;
pub mod dpkg;
pub mod npm;
pub mod python;

use crate::Cataloger;

/// A fresh instance of every cataloger (one set per layer: they keep state).
pub fn all() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(dpkg::DpkgCataloger::default()),
        Box::new(apk::ApkCataloger::default()),
        Box::new(python::PythonCataloger::default()),
        Box::new(npm::NpmCataloger::default()),
    ]
}
