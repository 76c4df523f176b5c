//! The vulnerability database: an OSV-shaped advisory model, parsers for the
//! upstream feeds, and (to come) the embedded store and updaters.

pub mod feeds;
pub mod fetch;
mod model;
pub mod store;

pub use model::*;
