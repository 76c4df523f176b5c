//! The vulnerability database: an OSV-shaped advisory model, parsers for the
//! upstream feeds, the embedded store, updaters and offline bundles.

pub mod bundle;
pub mod feeds;
pub mod fetch;
mod model;
pub mod store;
pub mod update;

pub use model::*;
