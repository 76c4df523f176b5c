//! Lookup latency of "advisories for (namespace, package)": 10,000 lookups of
//! pairs drawn at random from the database itself (plus 10% absent names), with
//! p50/p99/max. The database is `STRATA_BENCH_DB` (e.g. one built by
//! `bench/db.sh`); without it the bench says so and does nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use std::time::Instant;

use strata_vulndb::store::Db;

fn main() {
    let Some(path) = std::env::var_os("STRATA_BENCH_DB") else {
        eprintln!("lookup bench: set STRATA_BENCH_DB to a database (bench/db.sh does)");
        return;
    };
    let db = Db::open(std::path::Path::new(&path)).expect("database");
    let connection =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut statement = connection
        .prepare("SELECT DISTINCT namespace, package FROM affected")
        .unwrap();
    let pairs: Vec<(String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // A fixed-seed xorshift: the same lookups every run.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut samples = Vec::with_capacity(10_000);
    let mut found = 0_usize;
    for i in 0..10_000 {
        let (namespace, package) = &pairs[(next() % pairs.len() as u64) as usize];
        let package = if i % 10 == 0 {
            format!("{package}-absent")
        } else {
            package.clone()
        };
        let start = Instant::now();
        found += db.affecting(namespace, &package).unwrap().len();
        samples.push(start.elapsed());
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "lookups: 10000 over {} (namespace, package) pairs, {found} entries returned; p50 {:?}, p99 {:?}, max {:?}",
        pairs.len(),
        at(0.50),
        at(0.99),
        samples[samples.len() - 1]
    );
}
