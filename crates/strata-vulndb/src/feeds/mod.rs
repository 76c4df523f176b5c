//! Parsers for the upstream feeds, each from the bytes the feed serves to the
//! advisory model. No I/O here: fetching, caching and storing are the updaters'.

pub mod alpine;
pub mod debian;
pub mod epss;
pub mod kev;
pub mod nvd;
pub mod osv;
