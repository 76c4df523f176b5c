//! Digest-verify + decompress + tar-walk of the real debian-bookworm base layer
//! (48 MB gzip), against the `zcat LAYER > /dev/null` floor, alternating runs in
//! one process and printing the ratio. Run: `cargo bench -p strata-image --bench layer_walk`
//! (needs the test images: scripts/test-images).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use strata_image::{Limits, Source, local};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let images = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    let layout = images.join("oci/debian-bookworm");
    let image = local::open(
        &Source::OciDir {
            path: layout.clone(),
            tag: None,
        },
        None,
        &Limits::default(),
    )
    .expect("debian-bookworm test image (run scripts/test-images)");
    let digest = image.layers[0].digest.clone().unwrap();
    let blob = layout.join("blobs/sha256").join(digest.hex());
    let limits = Limits::default();
    let runs = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);

    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    let mut entries = 0;
    for run in 0..=runs {
        let start = Instant::now();
        let stream = image
            .open_layer(0, &limits, limits.total_uncompressed_bytes)
            .unwrap();
        let (stats, _) = stream.walk(&limits, |_| Ok(())).unwrap();
        let strata = start.elapsed();
        entries = stats.entries;

        let start = Instant::now();
        let status = Command::new("zcat")
            .arg(&blob)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        let zcat = start.elapsed();
        assert!(status.success());
        if run > 0 {
            // run 0 warms the page cache
            ours.push(strata);
            floor.push(zcat);
        }
    }
    let (ours, floor) = (median(ours), median(floor));
    println!(
        "layer {digest} ({} MB gzip, {entries} entries), median of {runs} runs:",
        std::fs::metadata(&blob).unwrap().len() / 1_000_000
    );
    println!(
        "  strata verify+decompress+walk  {:>8.1} ms",
        ours.as_secs_f64() * 1e3
    );
    println!(
        "  zcat LAYER > /dev/null         {:>8.1} ms",
        floor.as_secs_f64() * 1e3
    );
    println!(
        "  ratio strata / zcat            {:>8.2}",
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}
