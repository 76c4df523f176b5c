//! The registry client against real registries (Debian's docker-registry) holding
//! real images (shared/tools/make-test-images), pushed by skopeo.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::atomic::Ordering;

use strata_image::registry::{Credentials, Registry, RegistryOptions, Secret};
use strata_image::{Error, ImageRef, Limits, Platform, Source, local, pull};
use support::registry::{Auth, PASSWORD, TestRegistry, USER};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn basic(password: &str) -> Option<Credentials> {
    Some(Credentials::Basic {
        username: USER.into(),
        password: Secret::new(password),
    })
}

fn layout(name: &str) -> std::path::PathBuf {
    support::images_dir().join("oci").join(name)
}

/// What the OCI layout on disk says, to compare registry pulls against.
fn from_disk(name: &str, platform: Option<&str>) -> strata_image::Image {
    let source = Source::OciDir {
        path: layout(name),
        tag: None,
    };
    let platform: Option<Platform> = platform.map(|p| p.parse().unwrap());
    local::open(&source, platform.as_ref(), &Limits::default()).unwrap()
}

#[test]
fn anonymous_pull_by_tag_and_digest_matches_the_layout() {
    let registry = TestRegistry::start(Auth::None);
    registry.push(
        &layout("debian-bookworm"),
        "library/bookworm:latest",
        false,
        false,
    );
    registry.push(
        &layout("debian-bookworm"),
        "library/bookworm:v2s2",
        true,
        false,
    );
    let expected = from_disk("debian-bookworm", None);
    let client = Registry::new(RegistryOptions::default()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt = rt();

    let reference = ImageRef::parse(&format!("{}/library/bookworm:latest", registry.host)).unwrap();
    let image = rt
        .block_on(pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    assert_eq!(image.manifest_digest, expected.manifest_digest);
    assert_eq!(image.config_digest, expected.config_digest);
    let diff_ids = |i: &strata_image::Image| {
        i.layers
            .iter()
            .map(|l| l.diff_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(diff_ids(&image), diff_ids(&expected));

    let by_digest = ImageRef::parse(&format!(
        "{}/library/bookworm@{}",
        registry.host,
        expected.manifest_digest.clone().unwrap()
    ))
    .unwrap();
    let image = rt
        .block_on(pull::open(
            &client,
            &by_digest,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    assert_eq!(image.manifest_digest, expected.manifest_digest);

    // Docker v2 schema 2: another manifest (and layer media type), the same content.
    let v2s2 = ImageRef::parse(&format!("{}/library/bookworm:v2s2", registry.host)).unwrap();
    let image = rt
        .block_on(pull::open(
            &client,
            &v2s2,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    assert_eq!(
        image.manifest_media_type.as_deref(),
        Some("application/vnd.docker.distribution.manifest.v2+json")
    );
    assert_eq!(diff_ids(&image), diff_ids(&expected));
    assert_eq!(
        image.layers[0].media_type,
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
    );
}

#[test]
fn multi_arch_index_picks_the_platform_or_lists_the_choices() {
    let registry = TestRegistry::start(Auth::None);
    registry.push(
        &layout("debian-bookworm-multiarch"),
        "multi:latest",
        false,
        true,
    );
    let client = Registry::new(RegistryOptions::default()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let reference = ImageRef::parse(&format!("{}/multi:latest", registry.host)).unwrap();
    let rt = rt();
    for platform in ["linux/amd64", "linux/arm64/v8"] {
        let wanted: Platform = platform.parse().unwrap();
        let image = rt
            .block_on(pull::open(
                &client,
                &reference,
                Some(&wanted),
                &Limits::default(),
                cache.path(),
            ))
            .unwrap();
        let expected = from_disk("debian-bookworm-multiarch", Some(platform));
        assert_eq!(
            image.manifest_digest, expected.manifest_digest,
            "{platform}"
        );
        assert_eq!(
            image.platform.as_ref().map(ToString::to_string).as_deref(),
            Some(platform)
        );
        assert!(image.index_digest.is_some());
    }
    let err = rt
        .block_on(pull::open(
            &client,
            &reference,
            Some(&"linux/s390x".parse().unwrap()),
            &Limits::default(),
            cache.path(),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::PlatformNotFound { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("available: linux/amd64, linux/arm64/v8"),
        "{err}"
    );
}

#[test]
fn basic_auth_over_tls_with_a_private_ca() {
    let registry = TestRegistry::start(Auth::Basic);
    registry.push(
        &layout("debian-bookworm"),
        "secure/bookworm:latest",
        false,
        false,
    );
    let ca = registry.tls.as_ref().unwrap().ca.clone();
    let reference = ImageRef::parse(&format!("{}/secure/bookworm:latest", registry.host)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt = rt();
    let open = |options: RegistryOptions| {
        let client = Registry::new(options).unwrap();
        rt.block_on(pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
    };

    let image = open(RegistryOptions {
        credentials: basic(PASSWORD),
        ca_certs: vec![ca.clone()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        image.manifest_digest,
        from_disk("debian-bookworm", None).manifest_digest
    );

    let err = open(RegistryOptions {
        credentials: basic("wrong-password"),
        ca_certs: vec![ca.clone()],
        ..Default::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err}");
    assert!(
        !format!("{err:?}").contains("wrong-password"),
        "secret leaked: {err:?}"
    );

    // An unknown CA is a certificate error, never a silent fall-back to plain HTTP.
    let err = open(RegistryOptions {
        credentials: basic(PASSWORD),
        ..Default::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::Http { .. }), "{err}");
    let chain = format!("{:?}", anyhow_like(&err));
    assert!(chain.contains("UnknownIssuer"), "{chain}");

    // --insecure skips verification.
    let image = open(RegistryOptions {
        credentials: basic(PASSWORD),
        insecure: true,
        ..Default::default()
    })
    .unwrap();
    assert!(image.manifest_digest.is_some());

    // Without credentials the registry's Basic challenge cannot be answered.
    let err = open(RegistryOptions {
        ca_certs: vec![ca],
        ..Default::default()
    })
    .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err}");
}

fn anyhow_like(err: &dyn std::error::Error) -> Vec<String> {
    let mut chain = vec![format!("{err:?}")];
    let mut source = err.source();
    while let Some(s) = source {
        chain.push(format!("{s:?}"));
        source = s.source();
    }
    chain
}

#[test]
fn bearer_token_flow_with_token_cached_per_scope() {
    let registry = TestRegistry::start(Auth::Token);
    registry.push(
        &layout("debian-bookworm"),
        "tok/bookworm:latest",
        false,
        false,
    );
    let reference = ImageRef::parse(&format!("{}/tok/bookworm:latest", registry.host)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt = rt();
    let client = Registry::new(RegistryOptions {
        credentials: basic(PASSWORD),
        ..Default::default()
    })
    .unwrap();
    let before = registry.token_requests.load(Ordering::SeqCst);
    let image = rt
        .block_on(pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    assert_eq!(
        image.manifest_digest,
        from_disk("debian-bookworm", None).manifest_digest
    );
    let after_first = registry.token_requests.load(Ordering::SeqCst);
    assert_eq!(after_first - before, 1, "one token for the pull scope");
    // Manifest, config and a layer later: the cached token serves them all.
    rt.block_on(pull::open(
        &client,
        &reference,
        None,
        &Limits::default(),
        cache.path(),
    ))
    .unwrap();
    rt.block_on(pull::download_layers(&client, &image, &[0]))
        .unwrap();
    assert_eq!(registry.token_requests.load(Ordering::SeqCst), after_first);

    let wrong = Registry::new(RegistryOptions {
        credentials: basic("nope"),
        ..Default::default()
    })
    .unwrap();
    let err = rt
        .block_on(pull::open(
            &wrong,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("token server refused"), "{err}");
}

#[test]
fn layers_download_verified_and_never_half_written() {
    let registry = TestRegistry::start(Auth::None);
    registry.push(
        &layout("debian-bookworm"),
        "dl/bookworm:latest",
        false,
        false,
    );
    let reference = ImageRef::parse(&format!("{}/dl/bookworm:latest", registry.host)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let client = Registry::new(RegistryOptions::default()).unwrap();
    let rt = rt();
    let image = rt
        .block_on(pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    let paths = rt
        .block_on(pull::download_layers(&client, &image, &[0]))
        .unwrap();
    let digest = image.layers[0].digest.clone().unwrap();
    assert!(paths[0].ends_with(format!("blobs/sha256/{}", digest.hex())));
    // The cached layer opens as a verified stream whose diff_id matches.
    let limits = Limits::default();
    let (stats, size) = image
        .open_layer(0, &limits, limits.total_uncompressed_bytes)
        .unwrap()
        .walk(&limits, |_| Ok(()))
        .unwrap();
    assert!(
        stats.entries > 1000 && size > 50_000_000,
        "{stats:?} {size}"
    );

    // Corrupt the registry's copy (same size): the download must fail and leave nothing.
    let fresh = tempfile::tempdir().unwrap();
    let image = rt
        .block_on(pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            fresh.path(),
        ))
        .unwrap();
    let stored = walkdir(registry_data(&registry))
        .into_iter()
        .find(|p| p.ends_with(format!("{}/{}/data", &digest.hex()[..2], digest.hex())))
        .unwrap();
    let mut bytes = std::fs::read(&stored).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&stored, &bytes).unwrap();
    let err = rt
        .block_on(pull::download_layers(&client, &image, &[0]))
        .unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
    let left: Vec<_> = walkdir(fresh.path().to_owned());
    assert!(left.is_empty(), "half-written files left: {left:?}");
}

fn registry_data(registry: &TestRegistry) -> std::path::PathBuf {
    registry.data_dir()
}

fn walkdir(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path)
            } else {
                files.push(path)
            }
        }
    }
    files
}

#[test]
fn push_blobs_and_manifest_then_pull_them_back() {
    let registry = TestRegistry::start(Auth::None);
    let layout = support::Layout::with_layers(&[support::tar(&[support::Item::File(
        "etc/os-release",
        b"ID=strata\n",
    )])]);
    let local_image = local::open(&layout.source(), None, &Limits::default()).unwrap();
    let client = Registry::new(RegistryOptions::default()).unwrap();
    let target = ImageRef::parse(&format!("{}/pushed/app:v1", registry.host)).unwrap();
    let rt = rt();
    let blob = |digest: &strata_image::Digest| {
        std::fs::read(layout.path().join("blobs/sha256").join(digest.hex())).unwrap()
    };
    for layer in &local_image.layers {
        let digest = layer.digest.clone().unwrap();
        assert_eq!(
            rt.block_on(client.push_blob(&target, blob(&digest)))
                .unwrap(),
            digest
        );
    }
    let config = local_image.config_digest.clone().unwrap();
    rt.block_on(client.push_blob(&target, blob(&config)))
        .unwrap();
    // Pushing again is a no-op (HEAD finds it).
    assert!(rt.block_on(client.has_blob(&target, &config)).unwrap());
    let manifest_digest = local_image.manifest_digest.clone().unwrap();
    let pushed = rt
        .block_on(client.push_manifest(
            &target,
            "v1",
            blob(&manifest_digest),
            "application/vnd.oci.image.manifest.v1+json",
        ))
        .unwrap();
    assert_eq!(pushed, manifest_digest);

    let cache = tempfile::tempdir().unwrap();
    let pulled = rt
        .block_on(pull::open(
            &client,
            &target,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    assert_eq!(pulled.manifest_digest, Some(manifest_digest));
    // An independent client sees the same image.
    let inspect = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{}/pushed/app:v1", registry.host),
        ])
        .output()
        .unwrap();
    assert!(inspect.status.success());
    assert_eq!(
        support::sha256(&inspect.stdout),
        pulled.manifest_digest.unwrap().to_string()
    );
}

/// What Klar hands Clair for a layer: the blob URL and the Authorization the
/// pull used; both must fetch the very blob from the registry.
#[test]
fn blob_url_and_pull_authorization_fetch_the_layer() {
    let registry = TestRegistry::start(Auth::Token);
    registry.push(&layout("debian-bookworm"), "klar/bookworm:1", true, false);
    let client = Registry::new(RegistryOptions {
        credentials: basic(PASSWORD),
        ..RegistryOptions::default()
    })
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt = rt();
    let reference = ImageRef::parse(&format!("{}/klar/bookworm:1", registry.host)).unwrap();
    assert!(client.pull_authorization(&reference).is_none());
    let image = rt
        .block_on(pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    let digest = image.layers[0].digest.clone().unwrap();
    let url = client.blob_url(&reference, &digest);
    assert_eq!(
        url,
        format!("http://{}/v2/klar/bookworm/blobs/{digest}", registry.host)
    );
    let authorization = client.pull_authorization(&reference).unwrap();
    assert!(authorization.expose().starts_with("Bearer "));

    let http = strata_image::registry::http_client(&RegistryOptions::default()).unwrap();
    let fetch = |auth: Option<&str>| {
        rt.block_on(async {
            let mut request = http.get(&url);
            if let Some(auth) = auth {
                request = request.header("Authorization", auth);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.bytes().await.unwrap().to_vec())
        })
    };
    let (status, bytes) = fetch(Some(authorization.expose()));
    assert_eq!(status, 200);
    digest.verify(&bytes, "layer 0").unwrap();
    // Without it the registry refuses: the header is what grants access.
    assert_eq!(fetch(None).0, 401);
}
