//! Reading policy files with a size limit: they are user input and may be
//! anything (a device, a huge download saved under the wrong name).

use std::io::Read;
use std::path::Path;

use crate::PolicyError;

/// The largest ignore file or VEX document read (64 MiB). Real VEX documents
/// for whole distributions stay well below this.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads `path` whole, refusing anything over [`MAX_FILE_BYTES`].
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>, PolicyError> {
    read_with_limit(path, MAX_FILE_BYTES)
}

/// Reads `path` whole, refusing anything over `limit` bytes. The limit is
/// enforced on the bytes actually read, not on the metadata, so a FIFO or a
/// growing file cannot get past it.
pub(crate) fn read_with_limit(path: &Path, limit: u64) -> Result<Vec<u8>, PolicyError> {
    let io = |source| PolicyError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(PolicyError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// `bytes` as UTF-8 (a leading byte-order mark is dropped), or an error naming
/// the file.
pub(crate) fn utf8(path: &Path, bytes: &[u8]) -> Result<String, PolicyError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| PolicyError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_files_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 11]).unwrap();
        assert!(matches!(
            read_with_limit(&path, 10),
            Err(PolicyError::TooLarge { limit: 10, .. })
        ));
        assert_eq!(read_with_limit(&path, 11).unwrap().len(), 11);
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = read_limited(Path::new("/nonexistent/strata/vex.json")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/strata/vex.json: ")
        );
    }
}
