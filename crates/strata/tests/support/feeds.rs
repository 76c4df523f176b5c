//! A feed mirror for tests: `scripts/feed-mirror` assembles the real samples of
//! `../shared/data/feeds` in the upstream layout, and [`FeedServer`] serves a
//! mirror directory on loopback the way the upstream hosts do (ETag and
//! `If-None-Match` → 304, `Last-Modified`, content types), counting requests.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The sources the shared samples cover (RubyGems, Packagist, NuGet and the OSV
/// Wolfi export have no sample).
pub const SOURCES: &str = "osv:PyPI,osv:npm,osv:Go,osv:crates.io,osv:Maven,osv:Debian,osv:Ubuntu,osv:Alpine,osv:AlmaLinux,osv:Rocky,osv:Chainguard,osv:Bitnami,debian,alpine,wolfi,chainguard,nvd,epss,kev";

/// Builds the mirror into `dest` with `scripts/feed-mirror`.
pub fn build_mirror(dest: &Path) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/feed-mirror");
    let status = std::process::Command::new("python3")
        .arg(script)
        .arg(dest)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs scripts/feed-mirror");
    assert!(status.success(), "scripts/feed-mirror failed");
}

/// What the server saw and how it behaves.
#[derive(Default)]
pub struct State {
    /// Requests per path.
    pub requests: BTreeMap<String, usize>,
    /// Requests answered 304.
    pub not_modified: usize,
    /// Paths whose response stalls (never completes) until the test ends.
    pub stall: Vec<String>,
    /// Paths answered with these bytes instead of the file.
    pub replace: BTreeMap<String, Vec<u8>>,
}

/// A loopback HTTP server over a mirror directory (`/HOST/PATH` → the file).
pub struct FeedServer {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl FeedServer {
    pub fn start(root: &Path) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let root = root.to_owned();
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &state);
                });
            }
        });
        FeedServer { url, state }
    }

    pub fn requests(&self, path_suffix: &str) -> usize {
        let state = self.state.lock().unwrap();
        state
            .requests
            .iter()
            .filter(|(p, _)| p.ends_with(path_suffix))
            .map(|(_, n)| n)
            .sum()
    }
}

fn serve(stream: TcpStream, root: &Path, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut if_none_match = None;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("if-none-match")
            {
                if_none_match = Some(value.trim().to_owned());
            }
        }
        let (stall, replaced) = {
            let mut s = state.lock().unwrap();
            *s.requests.entry(path.clone()).or_default() += 1;
            (
                s.stall.iter().any(|p| path.ends_with(p.as_str())),
                s.replace.get(&path).cloned(),
            )
        };
        if stall {
            // Send part of a body, then hang: the client is mid-download.
            writer.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\nContent-Type: application/octet-stream\r\n\r\npartial",
            )?;
            writer.flush()?;
            std::thread::sleep(Duration::from_secs(600));
            return Ok(());
        }
        let relative = path.split('?').next().unwrap_or("").trim_start_matches('/');
        let mut file = root.join(relative);
        if relative.is_empty() || relative.ends_with('/') {
            file = file.join("index.html");
        }
        let body = match replaced {
            Some(bytes) => Some(bytes),
            None if !relative.split('/').any(|s| s == "..") => std::fs::read(&file).ok(),
            None => None,
        };
        let Some(body) = body else {
            writer.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
            continue;
        };
        let etag = format!("\"{:x}-{}\"", body.len(), checksum(&body));
        if if_none_match.as_deref() == Some(etag.as_str()) {
            state.lock().unwrap().not_modified += 1;
            write!(writer, "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n")?;
            continue;
        }
        let content_type = match file.extension().and_then(|e| e.to_str()) {
            Some("zip") => "application/zip",
            Some("gz") => "application/x-gzip",
            Some("html") => "text/html",
            _ => "application/json",
        };
        write!(
            writer,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: {content_type}\r\nETag: {etag}\r\nLast-Modified: Sat, 21 Nov 2026 10:00:00 GMT\r\n\r\n",
            body.len()
        )?;
        writer.write_all(&body)?;
        writer.flush()?;
        let mut peek = [0u8; 0];
        let _ = reader.get_mut().read(&mut peek);
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    // FNV-1a: enough to tell versions of a file apart.
    bytes.iter().fold(0xcbf29ce484222325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}
