//! Opening a layer: its blob digest checked on the compressed bytes, decompressed
//! by magic number, and its diff_id checked on the uncompressed tar stream, with
//! the bomb guards of [`Limits`](crate::Limits).

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::digest::{Overflow, VerifyingReader};
use crate::manifest::Compression;
use crate::{Digest, Error, Limits, walk};

/// What a layer must hash to, and how large it may become.
#[derive(Debug, Clone)]
pub struct LayerCheck {
    /// Names the layer in errors (`layer 2 (sha256:…)`).
    pub what: String,
    /// Digest of the blob as stored (compressed), when known.
    pub blob_digest: Option<Digest>,
    /// Size of the blob as stored, when known.
    pub blob_size: Option<u64>,
    /// Digest of the uncompressed tar (the config's diff_id), when known.
    pub diff_id: Option<Digest>,
    /// Most uncompressed bytes this layer may produce.
    pub max_uncompressed: u64,
    /// Name of the limit that `max_uncompressed` enforces, for the error.
    pub limit_name: &'static str,
}

enum Decoder<R: BufRead> {
    Plain(R),
    Gzip(Box<MultiGzDecoder<R>>),
    Zstd(zstd::stream::read::Decoder<'static, R>),
}

impl<R: BufRead> Decoder<R> {
    fn into_inner(self) -> R {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(d) => (*d).into_inner(),
            Decoder::Zstd(d) => d.finish(),
        }
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
        }
    }
}

/// The uncompressed tar stream of a layer. Read it, then call [`finish`](Self::finish):
/// only then are both digests known to match.
pub struct LayerStream<R: Read> {
    inner: VerifyingReader<Decoder<BufReader<VerifyingReader<R>>>>,
    check: LayerCheck,
    compression: Compression,
}

impl<R: Read> std::fmt::Debug for LayerStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerStream")
            .field("what", &self.check.what)
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

impl<R: Read> LayerStream<R> {
    /// Wraps the raw blob bytes `raw`.
    pub fn open(raw: R, check: LayerCheck) -> Result<Self, Error> {
        let algorithm = check
            .blob_digest
            .as_ref()
            .map_or(crate::digest::Algorithm::Sha256, Digest::algorithm);
        let blob_limit = check.blob_size.unwrap_or(u64::MAX);
        let verified = VerifyingReader::new(raw, algorithm, blob_limit);
        let mut buffered = BufReader::with_capacity(256 * 1024, verified);
        let head = buffered.fill_buf().map_err(|e| classify(&check, e))?;
        let compression = Compression::sniff(head);
        let decoder = match compression {
            Compression::None => Decoder::Plain(buffered),
            Compression::Gzip => Decoder::Gzip(Box::new(MultiGzDecoder::new(buffered))),
            Compression::Zstd => Decoder::Zstd(
                zstd::stream::read::Decoder::with_buffer(buffered)
                    .map_err(|e| Error::io(&check.what, e))?,
            ),
        };
        let diff_algorithm = check
            .diff_id
            .as_ref()
            .map_or(crate::digest::Algorithm::Sha256, Digest::algorithm);
        Ok(LayerStream {
            inner: VerifyingReader::new(decoder, diff_algorithm, check.max_uncompressed),
            check,
            compression,
        })
    }

    /// The compression found by magic number.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// Uncompressed bytes read so far.
    pub fn uncompressed_bytes(&self) -> u64 {
        self.inner.bytes_read()
    }

    /// Drains what the reader left (tar padding, gzip trailer) and checks the
    /// diff_id and the blob digest and size. Returns the uncompressed size.
    pub fn finish(mut self) -> Result<u64, Error> {
        let what = self.check.what.clone();
        io::copy(&mut self.inner, &mut io::sink()).map_err(|e| classify(&self.check, e))?;
        let uncompressed = self.inner.bytes_read();
        let (decoder, diff_hasher) = self.inner.into_parts();
        // The blob digest first: it is what the manifest vouches for.
        let blob = decoder.into_inner().into_inner();
        match &self.check.blob_digest {
            Some(digest) => blob.finish(digest, self.check.blob_size, &what)?,
            None => drop(blob),
        }
        if let Some(diff_id) = &self.check.diff_id {
            diff_hasher.check(diff_id, &format!("{what}: uncompressed content (diff_id)"))?;
        }
        Ok(uncompressed)
    }

    /// Turns a read error into the crate error, naming the limit when it was one.
    pub fn read_error(&self, error: io::Error) -> Error {
        classify(&self.check, error)
    }

    /// Walks the layer's tar entries (see [`walk::walk`]), then checks both digests.
    /// Returns what the walk saw and the uncompressed size.
    pub fn walk(
        mut self,
        limits: &Limits,
        visit: impl FnMut(walk::Entry<'_>) -> Result<(), Error>,
    ) -> Result<(walk::WalkStats, u64), Error> {
        let what = self.check.what.clone();
        let stats = match walk::walk(&mut self, &what, limits, visit) {
            Ok(stats) => stats,
            Err(Error::Io { source, .. }) => return Err(self.read_error(source)),
            Err(e) => return Err(e),
        };
        let size = self.finish()?;
        Ok((stats, size))
    }
}

/// Names the limit when a read failed on one, else keeps the I/O error.
fn classify(check: &LayerCheck, error: io::Error) -> Error {
    match Overflow::find(&error) {
        Some(overflow) if overflow.limit == check.max_uncompressed => Error::Limit {
            what: check.what.clone(),
            limit: check.limit_name,
            max: check.max_uncompressed,
        },
        Some(overflow) => Error::invalid(
            &check.what,
            format!(
                "blob is larger than the {} bytes its descriptor announces",
                overflow.limit
            ),
        ),
        None => Error::io(format!("{}: reading layer", check.what), error),
    }
}

impl<R: Read> Read for LayerStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
