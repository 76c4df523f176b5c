//! Retries after 429/5xx. A real registry cannot be made to fail on cue, so this
//! is the one place a minimal HTTP peer stands in: it fails a set number of times,
//! then serves a real manifest.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use strata_image::registry::{Registry, RegistryOptions};
use strata_image::{Digest, Error, ImageRef};

const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[]}"#;

/// Serves `failures` answers of `status` (with `Retry-After: 0`), then the manifest.
fn flaky(status: &'static str, failures: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            // The client first tries TLS on a loopback host: that is not an HTTP request.
            let mut request_line = Vec::new();
            if reader.read_until(b'\n', &mut request_line).unwrap_or(0) == 0
                || !request_line.starts_with(b"GET ")
            {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let response = if n < failures {
                format!(
                    "HTTP/1.1 {status}\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{MANIFEST}",
                    MANIFEST.len()
                )
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (host, requests)
}

fn fetch(host: &str) -> Result<Digest, Error> {
    let client = Registry::new(RegistryOptions {
        timeout: Duration::from_secs(5),
        ..RegistryOptions::default()
    })
    .unwrap();
    let reference = ImageRef::parse(&format!("{host}/app:1")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(client.manifest(&reference, "1", 1 << 20))
        .map(|m| m.digest)
}

#[test]
fn transient_503_and_429_are_retried() {
    for status in ["503 Service Unavailable", "429 Too Many Requests"] {
        let (host, requests) = flaky(status, 2);
        let digest = fetch(&host).unwrap();
        assert_eq!(digest, Digest::sha256_of(MANIFEST.as_bytes()));
        // 2 failures, then the success.
        assert_eq!(requests.load(Ordering::SeqCst), 3, "{status}");
    }
}

#[test]
fn retries_are_bounded_and_the_error_names_the_status() {
    let (host, requests) = flaky("503 Service Unavailable", usize::MAX);
    let err = fetch(&host).unwrap_err();
    assert!(matches!(err, Error::Registry { status: 503, .. }), "{err}");
    // The first try and 3 retries (the default), then the error.
    assert_eq!(requests.load(Ordering::SeqCst), 4);
}
