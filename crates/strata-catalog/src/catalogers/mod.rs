//! Every package cataloger, and the set an index runs.

pub mod apk;
pub mod dotnet;
pub mod dpkg;
pub mod golang;
pub mod java;
pub mod npm;
pub mod php;
pub mod python;
pub mod rpm;
pub mod ruby;
pub mod rust;

use crate::Cataloger;

/// A fresh instance of every cataloger (one set per layer: they keep state).
pub fn all() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(dpkg::DpkgCataloger::default()),
        Box::new(apk::ApkCataloger::default()),
        Box::new(rpm::RpmCataloger::default()),
        Box::new(python::PythonCataloger::default()),
        Box::new(npm::NpmCataloger::default()),
        Box::new(java::JavaCataloger::default()),
        Box::new(ruby::GemCataloger::default()),
        Box::new(php::ComposerCataloger::default()),
        Box::new(dotnet::DotnetCataloger::default()),
        Box::new(golang::GoBinaryCataloger::default()),
        Box::new(rust::RustCataloger::default()),
    ]
}
