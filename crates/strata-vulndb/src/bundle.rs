//! Offline bundles (`strata db export` / `import`): one zstd-compressed tar
//! holding `manifest.json` (format, schema, build time, sources, and each file's
//! size and sha256), the database file, and optionally `manifest.json.sig`, an
//! ed25519 signature of the manifest's bytes. Import checks every size and
//! checksum (and the signature when a public key is given) before the new
//! database is renamed over the old one.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Db, SCHEMA_VERSION};

/// The bundle format's name and version.
pub const FORMAT: &str = "strata.db-bundle/v1";
/// The media type of a bundle pushed to a registry.
pub const MEDIA_TYPE: &str = "application/vnd.strata.db.bundle.v1.tar+zstd";
/// The media type of the manifest pushed as the artifact's config.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.strata.db.manifest.v1+json";
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.json.sig";
const DB_FILE: &str = "vuln.db";
/// The largest manifest read.
const MAX_MANIFEST: u64 = 1 << 20;

/// A bundle's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The database schema version.
    pub schema_version: i64,
    /// When the database was built.
    pub built_at: Option<String>,
    /// Its sources, with record counts and fetch times.
    pub sources: Vec<ManifestSource>,
    /// The files that follow, with their checksums.
    pub files: Vec<ManifestFile>,
}

/// One source in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSource {
    /// Name.
    pub name: String,
    /// Where it was fetched from.
    pub url: Option<String>,
    /// When.
    pub fetched_at: Option<String>,
    /// Records.
    pub records: u64,
}

/// One file in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its name in the bundle.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// Lower-case hex sha256.
    pub sha256: String,
}

/// A bundle that cannot be written or read.
#[derive(Debug, thiserror::Error)]
#[error("bundle {path}: {reason}")]
pub struct BundleError {
    /// The bundle (or key) file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

fn err(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> BundleError + '_ {
    move |e| BundleError {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Reads an ed25519 private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes).
pub fn signing_key(path: &Path) -> Result<SigningKey, BundleError> {
    let pem = read_small(path)?;
    SigningKey::from_pkcs8_pem(&pem)
        .map_err(|e| err(path)(&format!("not an ed25519 private key (PKCS#8 PEM): {e}")))
}

/// Reads an ed25519 public key (SPKI PEM, as `openssl pkey -pubout` writes).
pub fn verifying_key(path: &Path) -> Result<VerifyingKey, BundleError> {
    let pem = read_small(path)?;
    VerifyingKey::from_public_key_pem(&pem)
        .map_err(|e| err(path)(&format!("not an ed25519 public key (SPKI PEM): {e}")))
}

fn read_small(path: &Path) -> Result<String, BundleError> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_string(&mut text))
        .map_err(|e| err(path)(&e))?;
    Ok(text)
}

/// Writes the database at `db_path` as a bundle to `out` (atomically: a
/// temporary file renamed at the end), signed when a key is given.
pub fn export(
    db_path: &Path,
    out: &Path,
    key: Option<&SigningKey>,
) -> Result<Manifest, BundleError> {
    let db = Db::open(db_path).map_err(|e| err(db_path)(&e))?;
    let sources = db
        .sources()
        .map_err(|e| err(db_path)(&e))?
        .into_iter()
        .map(|s| ManifestSource {
            name: s.name,
            url: s.url,
            fetched_at: s.fetched_at,
            records: s.records,
        })
        .collect();
    let built_at = db.built_at().map_err(|e| err(db_path)(&e))?;
    drop(db);
    let (size, sha256) = hash_file(db_path).map_err(|e| err(db_path)(&e))?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        schema_version: SCHEMA_VERSION,
        built_at,
        sources,
        files: vec![ManifestFile {
            name: DB_FILE.to_owned(),
            size,
            sha256,
        }],
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| err(out)(&e))?;
    let temporary = temporary_beside(out);
    let written = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&temporary)?;
        let encoder = zstd::Encoder::new(file, 19)?;
        let mut tar = tar::Builder::new(encoder);
        append(&mut tar, MANIFEST, &manifest_bytes)?;
        if let Some(key) = key {
            let signature = key.sign(&manifest_bytes);
            let text = base64::engine::general_purpose::STANDARD.encode(signature.to_bytes());
            append(&mut tar, SIGNATURE, text.as_bytes())?;
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_mtime(0);
        tar.append_data(&mut header, DB_FILE, std::fs::File::open(db_path)?)?;
        tar.into_inner()?.finish()?.sync_all()
    })();
    if let Err(e) = written.and_then(|()| std::fs::rename(&temporary, out)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(err(out)(&e));
    }
    Ok(manifest)
}

fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    tar.append_data(&mut header, name, bytes)
}

fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "bundle".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 1 << 16];
    let mut size = 0_u64;
    loop {
        let n = file.read(&mut buffer)?;
        let Some(chunk) = buffer.get(..n).filter(|c| !c.is_empty()) else {
            break;
        };
        hasher.update(chunk);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// Limits on what an import accepts.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    /// The largest database file.
    pub max_db_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> ImportLimits {
        ImportLimits {
            max_db_bytes: 8 << 30,
        }
    }
}

/// Imports the bundle read from `bundle` (named `name` in errors) as the
/// database at `db_path`: sizes, checksums, signature (when `key` is given:
/// then an unsigned bundle is refused) and schema are checked on a temporary
/// file, which is then renamed over the old database.
pub fn import(
    bundle: impl Read,
    name: &Path,
    db_path: &Path,
    key: Option<&VerifyingKey>,
    limits: ImportLimits,
) -> Result<Manifest, BundleError> {
    let e = err(name);
    let dir = db_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|x| e(&x))?;
    let temporary = temporary_beside(db_path);
    let result = import_into(bundle, name, &temporary, key, limits);
    match result {
        Ok(manifest) => {
            // The schema and contents are checked by opening it.
            match Db::open(&temporary) {
                Ok(db) => drop(db),
                Err(x) => {
                    let _ = std::fs::remove_file(&temporary);
                    return Err(e(&format!(
                        "the database inside is unusable: {}",
                        x.message
                    )));
                }
            }
            std::fs::rename(&temporary, db_path).map_err(|x| {
                let _ = std::fs::remove_file(&temporary);
                err(db_path)(&x)
            })?;
            Ok(manifest)
        }
        Err(x) => {
            let _ = std::fs::remove_file(&temporary);
            Err(x)
        }
    }
}

fn import_into(
    bundle: impl Read,
    name: &Path,
    temporary: &Path,
    key: Option<&VerifyingKey>,
    limits: ImportLimits,
) -> Result<Manifest, BundleError> {
    let e = err(name);
    let decoder = zstd::Decoder::new(bundle).map_err(|x| e(&format!("not zstd: {x}")))?;
    let mut archive = tar::Archive::new(decoder);
    let mut manifest_bytes: Option<Vec<u8>> = None;
    let mut signature: Option<Vec<u8>> = None;
    let mut db_written: Option<(u64, String)> = None;
    // Raw entries: otherwise the tar crate reads a GNU long name, long link or pax header
    // member whole into memory before handing out the entry it describes, whatever size it
    // declares (a few hundred KB of zstd expand to gigabytes). A bundle has none of them, so
    // they are refused below like any other unexpected entry, before their content is read.
    let entries = archive
        .entries()
        .map_err(|x| e(&format!("not a bundle: {x}")))?
        .raw(true);
    for entry in entries {
        let mut entry = entry.map_err(|x| e(&format!("truncated or corrupt: {x}")))?;
        let path = entry
            .path()
            .map_err(|x| e(&x))?
            .to_string_lossy()
            .into_owned();
        match path.as_str() {
            MANIFEST | SIGNATURE => {
                let mut bytes = Vec::new();
                entry
                    .by_ref()
                    .take(MAX_MANIFEST + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|x| e(&format!("truncated or corrupt: {x}")))?;
                if bytes.len() as u64 > MAX_MANIFEST {
                    return Err(e(&format!("{path} is larger than {MAX_MANIFEST} bytes")));
                }
                if path == MANIFEST {
                    manifest_bytes = Some(bytes);
                } else {
                    signature = Some(bytes);
                }
            }
            DB_FILE => {
                let Some(manifest) = manifest_bytes.as_deref() else {
                    return Err(e(&"the database comes before the manifest"));
                };
                let manifest = parse_manifest(manifest).map_err(|x| e(&x))?;
                let expected = manifest
                    .files
                    .iter()
                    .find(|f| f.name == DB_FILE)
                    .ok_or_else(|| e(&"the manifest does not list vuln.db"))?;
                if expected.size > limits.max_db_bytes {
                    return Err(e(&format!(
                        "the database is {} bytes, more than the limit of {}",
                        expected.size, limits.max_db_bytes
                    )));
                }
                let mut file = std::fs::File::create(temporary).map_err(|x| e(&x))?;
                let mut hasher = Sha256::new();
                let mut limited = entry.by_ref().take(expected.size + 1);
                let mut buffer = vec![0_u8; 1 << 16];
                let mut size = 0_u64;
                loop {
                    let n = limited
                        .read(&mut buffer)
                        .map_err(|x| e(&format!("truncated or corrupt: {x}")))?;
                    let Some(chunk) = buffer.get(..n) else { break };
                    if chunk.is_empty() {
                        break;
                    }
                    hasher.update(chunk);
                    file.write_all(chunk).map_err(|x| e(&x))?;
                    size += n as u64;
                }
                file.sync_all().map_err(|x| e(&x))?;
                db_written = Some((size, hex::encode(hasher.finalize())));
            }
            other => return Err(e(&format!("unexpected entry {other:?}"))),
        }
    }
    let manifest_bytes = manifest_bytes.ok_or_else(|| e(&"no manifest.json"))?;
    let manifest = parse_manifest(&manifest_bytes).map_err(|x| e(&x))?;
    if let Some(key) = key {
        let signature =
            signature.ok_or_else(|| e(&"unsigned, and a public key was given: refusing it"))?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(String::from_utf8_lossy(&signature).trim())
            .map_err(|x| e(&format!("unreadable signature: {x}")))?;
        let signature =
            Signature::from_slice(&raw).map_err(|x| e(&format!("unreadable signature: {x}")))?;
        key.verify(&manifest_bytes, &signature)
            .map_err(|_| e(&"the signature does not match the public key"))?;
    }
    let expected = manifest
        .files
        .iter()
        .find(|f| f.name == DB_FILE)
        .ok_or_else(|| e(&"the manifest does not list vuln.db"))?;
    let (size, sha256) = db_written.ok_or_else(|| e(&"no vuln.db in the bundle"))?;
    if size != expected.size {
        return Err(e(&format!(
            "vuln.db is {size} bytes, the manifest says {}",
            expected.size
        )));
    }
    if !sha256.eq_ignore_ascii_case(&expected.sha256) {
        return Err(e(&format!(
            "vuln.db has sha256 {sha256}, the manifest says {}",
            expected.sha256
        )));
    }
    Ok(manifest)
}

fn parse_manifest(bytes: &[u8]) -> Result<Manifest, String> {
    let manifest: Manifest =
        serde_json::from_slice(bytes).map_err(|e| format!("unreadable manifest.json: {e}"))?;
    if manifest.format != FORMAT {
        return Err(format!(
            "format {:?}, this Strata reads {FORMAT}",
            manifest.format
        ));
    }
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "database schema {}, this Strata reads {SCHEMA_VERSION}: export it with a matching Strata or run `strata db update`",
            manifest.schema_version
        ));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// Counts the bytes taken from `inner`.
    struct Counting<R> {
        inner: R,
        taken: Rc<Cell<u64>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.taken.set(self.taken.get() + n as u64);
            Ok(n)
        }
    }

    /// Found by fuzzing (`db_bundle_import`): a 218 KB bundle whose first member is a GNU
    /// long name declaring 6 GiB of zeros made the import allocate gigabytes. Such members
    /// (and pax headers) are refused before their content is read.
    #[test]
    fn long_name_and_pax_members_are_refused_unread() {
        for (kind, name) in [
            (tar::EntryType::GNULongName, "././@LongLink"),
            (tar::EntryType::GNULongLink, "././@LongLink"),
            (tar::EntryType::XHeader, "PaxHeaders/vuln.db"),
        ] {
            const CLAIMED: u64 = 64 << 20;
            let mut header = tar::Header::new_gnu();
            header.set_path(name).unwrap();
            header.set_entry_type(kind);
            header.set_size(CLAIMED);
            header.set_mode(0o644);
            header.set_cksum();
            let taken = Rc::new(Cell::new(0));
            let tar = Counting {
                inner: header.as_bytes().chain(std::io::repeat(0).take(CLAIMED)),
                taken: Rc::clone(&taken),
            };
            // Compressed lazily, as the import reads: what it takes is what the tar reader
            // asked for.
            let bundle = zstd::stream::read::Encoder::new(tar, 1).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let db_path = dir.path().join(DB_FILE);
            let error = import(
                bundle,
                Path::new("bomb.bundle"),
                &db_path,
                None,
                ImportLimits::default(),
            )
            .unwrap_err();
            assert!(
                error.reason.contains("unexpected entry"),
                "{kind:?}: {error}"
            );
            assert!(
                taken.get() < CLAIMED / 4,
                "{kind:?}: {} bytes read",
                taken.get()
            );
            assert!(!db_path.exists());
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }
}
