//! Parsers for the upstream feeds, each from the bytes the feed serves to the
//! advisory model. No I/O here: fetching, caching and storing are the updaters'.

pub mod alpine;
pub mod debian;
pub mod epss;
pub mod kev;
pub mod nvd;
pub mod osv;

/// `s` cut to at most `max` bytes on a character boundary (feed text in messages).
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or_default().to_owned()
}
