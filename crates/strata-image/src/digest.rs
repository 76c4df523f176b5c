//! Content digests (`sha256:…`, `sha512:…`) and readers/writers that verify them
//! while the bytes stream through.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;
use std::sync::mpsc;
use std::thread;

use sha2::{Digest as _, Sha256, Sha512};

use crate::Error;

/// A digest algorithm the OCI image spec registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// SHA-256, 64 hex digits.
    Sha256,
    /// SHA-512, 128 hex digits.
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A validated content digest: `algorithm:lowercase-hex`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex part (also the blob's file name in an OCI layout).
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            hex: hex::encode(Sha256::digest(bytes)),
        }
    }

    /// Checks `bytes` against this digest.
    pub fn verify(&self, bytes: &[u8], what: &str) -> Result<(), Error> {
        let mut hasher = Hasher::new(self.algorithm);
        hasher.update(bytes);
        hasher.check(self, what)
    }
}

impl FromStr for Digest {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| Error::InvalidDigest {
            digest: s.chars().take(160).collect(),
            reason: reason.to_owned(),
        };
        let (algorithm, hex) = s
            .split_once(':')
            .ok_or_else(|| bad("missing `algorithm:`"))?;
        let algorithm = match algorithm {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => return Err(bad("unsupported algorithm (sha256 and sha512 are)")),
        };
        if hex.len() != algorithm.hex_len() {
            return Err(bad("wrong length"));
        }
        if !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad("not lowercase hex"));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_owned(),
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An incremental hash for either algorithm.
#[derive(Debug, Clone)]
pub enum Hasher {
    /// SHA-256 state.
    Sha256(Sha256),
    /// SHA-512 state.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Digest {
        let (algorithm, hex) = match self {
            Hasher::Sha256(h) => (Algorithm::Sha256, hex::encode(h.finalize())),
            Hasher::Sha512(h) => (Algorithm::Sha512, hex::encode(h.finalize())),
        };
        Digest { algorithm, hex }
    }

    /// Compares the result with `expected`; `what` names the blob in the error.
    pub fn check(self, expected: &Digest, what: &str) -> Result<(), Error> {
        let actual = self.finish();
        if &actual == expected {
            Ok(())
        } else {
            Err(Error::DigestMismatch {
                what: what.to_owned(),
                expected: expected.clone(),
                actual,
            })
        }
    }
}

/// The I/O error a [`VerifyingReader`] returns when its input runs past its limit.
#[derive(Debug, thiserror::Error)]
#[error("more than the {limit} bytes allowed")]
pub struct Overflow {
    /// The limit that was passed.
    pub limit: u64,
}

impl Overflow {
    /// The overflow inside an I/O error, if that is what it is.
    pub fn find(error: &io::Error) -> Option<&Overflow> {
        error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Overflow>())
    }
}

/// Hashes on another thread: what passes is copied into 1 MiB chunks and handed
/// over, so the hash overlaps decompression and tar parsing (on a single-layer
/// image the hash is otherwise a third of the work). Falls back to hashing inline
/// when no thread can be started.
#[derive(Debug)]
enum HashSink {
    Inline(Hasher),
    Background {
        pending: Vec<u8>,
        to_worker: Option<mpsc::SyncSender<Vec<u8>>>,
        recycled: mpsc::Receiver<Vec<u8>>,
        worker: Option<thread::JoinHandle<Hasher>>,
        algorithm: Algorithm,
    },
}

const CHUNK: usize = 1 << 20;

impl HashSink {
    fn new(algorithm: Algorithm) -> HashSink {
        let (to_worker, chunks) = mpsc::sync_channel::<Vec<u8>>(4);
        let (give_back, recycled) = mpsc::channel::<Vec<u8>>();
        let spawned = thread::Builder::new()
            .name("strata-hash".into())
            .spawn(move || {
                let mut hasher = Hasher::new(algorithm);
                for mut chunk in chunks {
                    hasher.update(&chunk);
                    chunk.clear();
                    let _ = give_back.send(chunk);
                }
                hasher
            });
        match spawned {
            Ok(worker) => HashSink::Background {
                pending: Vec::with_capacity(CHUNK),
                to_worker: Some(to_worker),
                recycled,
                worker: Some(worker),
                algorithm,
            },
            Err(_) => HashSink::Inline(Hasher::new(algorithm)),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            HashSink::Inline(hasher) => hasher.update(bytes),
            HashSink::Background { pending, .. } => {
                pending.extend_from_slice(bytes);
                if pending.len() >= CHUNK {
                    self.flush();
                }
            }
        }
    }

    fn flush(&mut self) {
        if let HashSink::Background {
            pending,
            to_worker,
            recycled,
            ..
        } = self
        {
            let next = recycled
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
            let full = std::mem::replace(pending, next);
            if let Some(sender) = to_worker {
                let _ = sender.send(full);
            }
        }
    }

    fn into_hasher(mut self) -> Hasher {
        self.flush();
        match self {
            HashSink::Inline(hasher) => hasher,
            HashSink::Background {
                mut to_worker,
                mut worker,
                algorithm,
                ..
            } => {
                drop(to_worker.take());
                // A worker that died hashed nothing: the digest check then fails closed.
                worker
                    .take()
                    .and_then(|w| w.join().ok())
                    .unwrap_or_else(|| Hasher::new(algorithm))
            }
        }
    }
}

/// A reader that hashes what passes through and counts the bytes, refusing to read
/// past `limit` (a blob larger than its descriptor says is an attack, not a blob).
#[derive(Debug)]
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Option<HashSink>,
    read: u64,
    limit: u64,
}

impl<R: Read> VerifyingReader<R> {
    /// Wraps `inner`, which should hold `limit` bytes at most.
    pub fn new(inner: R, algorithm: Algorithm, limit: u64) -> Self {
        VerifyingReader {
            inner,
            hasher: Some(HashSink::new(algorithm)),
            read: 0,
            limit,
        }
    }

    /// The wrapped reader and the hash of what was read.
    pub fn into_parts(mut self) -> (R, Hasher) {
        let hasher = self
            .hasher
            .take()
            .map_or_else(|| Hasher::new(Algorithm::Sha256), HashSink::into_hasher);
        (self.inner, hasher)
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Drains what is left and checks the digest (and, if given, the exact size).
    pub fn finish(mut self, expected: &Digest, size: Option<u64>, what: &str) -> Result<(), Error> {
        io::copy(&mut self, &mut io::sink()).map_err(|e| Error::io(what, e))?;
        if let Some(size) = size
            && size != self.read
        {
            return Err(Error::SizeMismatch {
                what: what.to_owned(),
                expected: size,
                actual: self.read,
            });
        }
        match self.hasher.take() {
            Some(hasher) => hasher.into_hasher().check(expected, what),
            None => Ok(()),
        }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(Overflow { limit: self.limit }));
        }
        if let (Some(hasher), Some(chunk)) = (self.hasher.as_mut(), buf.get(..n)) {
            hasher.update(chunk);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_and_displays() {
        let d: Digest = EMPTY.parse().unwrap();
        assert_eq!(d.to_string(), EMPTY);
        assert_eq!(d, Digest::sha256_of(b""));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "sha256:abc",
            "md5:00",
            "sha256",
            &EMPTY.to_uppercase(),
            "sha256:../../etc/passwd",
        ] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
    }

    #[test]
    fn verifying_reader_catches_mismatch_and_overlong() {
        let d: Digest = EMPTY.parse().unwrap();
        let r = VerifyingReader::new(&b""[..], Algorithm::Sha256, 0);
        assert!(r.finish(&d, Some(0), "blob").is_ok());
        let r = VerifyingReader::new(&b"x"[..], Algorithm::Sha256, 10);
        assert!(matches!(
            r.finish(&d, None, "blob"),
            Err(Error::DigestMismatch { .. })
        ));
        let r = VerifyingReader::new(&b"xyz"[..], Algorithm::Sha256, 2);
        assert!(r.finish(&d, None, "blob").is_err());
    }
}
