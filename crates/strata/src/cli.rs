//! Command-line definitions. Every long flag can also come from the environment
//! (`--cache-dir` → `STRATA_CACHE_DIR`) and from the config file; precedence is
//! flag, then environment, then config file, then the built-in default.

use std::ffi::OsString;

use clap::builder::TypedValueParser as _;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use strata_version::Scheme;

use crate::config;
use crate::failure::Failure;

pub(crate) mod server;
pub(crate) use server::RemoteOptions;
mod check;
pub(crate) use check::{
    CheckArgs, PolicyCommand, PolicyListArgs, PolicyShowArgs, PolicyValidateArgs,
};

/// Strata: find the known vulnerabilities in container images.
#[derive(Debug, Parser)]
#[command(name = "strata", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// Config file (YAML; keys are flag names). Default: ./strata.yaml, then
    /// $XDG_CONFIG_HOME/strata/strata.yaml, when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<std::path::PathBuf>,

    /// Print the full cause chain of errors.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,

    /// Cache directory (blobs, layer index, vulnerability DB). Default:
    /// $XDG_CACHE_HOME/strata, else ~/.cache/strata.
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) cache_dir: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Work with images: inspect what a reference resolves to.
    #[command(subcommand)]
    Image(ImageCommand),
    /// List an image's OS and packages (an SBOM), each with the layer that added it.
    #[command(long_about = SBOM_ABOUT)]
    Sbom(SbomArgs),
    /// Manage the cache (layer index, blobs).
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Why an advisory matched a package of an image, or why it did not.
    Explain(Box<ExplainArgs>),
    /// Klar-compatible scan: Klar's environment (CLAIR_OUTPUT, CLAIR_THRESHOLD,
    /// JSON_OUTPUT, FORMAT_OUTPUT, DOCKER_USER, WHITELIST_FILE…), output and exit codes.
    #[command(long_about = KLAR_ABOUT)]
    Klar(KlarArgs),
    /// Manage the vulnerability database: status, update, export/import, push/pull.
    #[command(subcommand)]
    Db(DbCommand),
    /// Compare versions, or test them against ranges, with an ecosystem's rules.
    #[command(long_about = VERCMP_ABOUT)]
    Vercmp(VercmpArgs),
    /// Run the scanning service (HTTP API, tokens, history, background DB updates,
    /// the Clair v1 API), or manage its tokens offline (`strata server token …`).
    #[command(long_about = server::SERVER_ABOUT, args_conflicts_with_subcommands = true)]
    Server(Box<server::ServerArgs>),
    /// Show the API token's name, role, expiry and permissions on a Strata server.
    Whoami(server::WhoamiArgs),
    /// List, show and validate the policies `image check` evaluates.
    #[command(subcommand)]
    Policy(PolicyCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImageCommand {
    /// Find the known vulnerabilities of an image's OS packages and libraries.
    #[command(long_about = SCAN_ABOUT)]
    Scan(Box<ScanArgs>),
    /// Show an image's manifest, config and layers without downloading layers.
    #[command(long_about = INSPECT_ABOUT)]
    Inspect(Box<InspectArgs>),
    /// Scan an image and evaluate policies on it: exit 1 when a `fail` policy is violated.
    #[command(long_about = check::CHECK_ABOUT)]
    Check(Box<CheckArgs>),
}

const INSPECT_ABOUT: &str = "\
Show what an image reference resolves to: manifest digest and media type, platform,
config digest, creation time, and per layer its digest, diff_id, media type, compressed
size and the history line that created it. Layers are not downloaded.

IMAGE is a registry reference (debian:12, registry:5000/ns/app:tag, app@sha256:…) or a
local image: docker-archive:PATH[:TAG], oci-archive:PATH[:TAG], oci-dir:PATH[:TAG]
(alias oci:), dir:PATH (a root filesystem), or a bare path (detected).";

/// Arguments of `strata image inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct InspectArgs {
    /// The image (reference, archive or directory).
    pub(crate) image: String,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = InspectFormat::Table)]
    pub(crate) format: InspectFormat,
}

/// How `image inspect` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InspectFormat {
    /// Human-readable summary.
    Table,
    /// The documented JSON shape.
    Json,
}

const SCAN_ABOUT: &str = "\
Find the known vulnerabilities of an image's OS packages and libraries: OS packages against
their distro release's own advisories, language packages against OSV for their ecosystem,
each with the layer that brought it.

IMAGE is any image source (registry reference, docker-archive:, oci-archive:, oci-dir:,
dir:) or sbom:PATH (Strata's inventory JSON, CycloneDX or SPDX JSON).

Exit status: 0 when no finding is over the gate (by default nothing fails the scan),
1 when the gate failed (--fail-on SEVERITY, --exit-code N), 2 on any error.

Formats: table, json (strata.scan/v1), sarif, cyclonedx-json, spdx-json, junit, trivy-json;
several at once with -f FORMAT=FILE.";

/// Arguments of `strata image scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// The image (reference, archive, directory, or sbom:PATH).
    pub(crate) image: String,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,

    #[command(flatten)]
    pub(crate) output: OutputArgs,

    /// Show and count only these severities (comma-separated: critical,high,medium,low,negligible,unknown).
    #[arg(long, value_name = "LEVELS", value_delimiter = ',')]
    pub(crate) severity: Vec<String>,

    /// Leave out findings without a fixed version.
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,

    /// Fail (exit 1) on a finding at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<String>,

    /// Fail on any finding still shown after the filters, with this exit status
    /// (with --fail-on: the status --fail-on uses). 2 is refused: it means error.
    #[arg(long, value_name = "N")]
    pub(crate) exit_code: Option<i32>,

    /// Ignore file (default: .strataignore when present): ids, one per line, with an
    /// optional `exp:YYYY-MM-DD`; or YAML with ids, purls, paths and expiry.
    #[arg(long, value_name = "FILE")]
    pub(crate) ignore_file: Option<std::path::PathBuf>,

    /// VEX document (OpenVEX, CycloneDX VEX or CSAF VEX): not_affected / fixed
    /// statements suppress findings (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<std::path::PathBuf>,

    /// Also show suppressed findings (marked) in the table.
    #[arg(long)]
    pub(crate) show_suppressed: bool,

    /// Fail with an error (exit 2) when the OS has no vulnerability data.
    #[arg(long)]
    pub(crate) fail_on_unsupported_os: bool,

    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) source: SourceArgs,
}

/// Where the report of `image scan` / `image check` comes from: this machine's
/// database, or a Strata server.
#[derive(Debug, clap::Args)]
pub(crate) struct SourceArgs {
    /// Which packages: those the running container sees (squashed), or every
    /// package any layer held (all-layers).
    #[arg(long, value_enum, default_value_t = ScopeArg::Squashed)]
    pub(crate) scope: ScopeArg,

    /// Do not read or write the layer-index cache.
    #[arg(long)]
    pub(crate) no_cache: bool,

    /// The base image: its layers are marked `in_base_image` (default: read from history).
    #[arg(long, value_name = "REF")]
    pub(crate) base_image: Option<String>,

    /// Never touch the network for the database (no update; the bundled snapshot
    /// when there is no database).
    #[arg(long, visible_alias = "offline")]
    pub(crate) skip_db_update: bool,

    /// Refuse to run (exit 2) with a database older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) db_max_age: Option<f64>,

    /// Warn when the database is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 3.0)]
    pub(crate) db_warn_age: f64,

    #[command(flatten)]
    pub(crate) feeds: FeedOptions,

    #[command(flatten)]
    pub(crate) remote: RemoteOptions,

    /// With --endpoint: pull and index here, send only the inventory to the server
    /// for matching (for registries only this machine can reach, or local images).
    #[arg(long, requires = "endpoint")]
    pub(crate) local_index: bool,
}

const SBOM_ABOUT: &str = "\
List an image's OS and packages (OS packages from dpkg, apk and rpm databases; Python,
npm, Go and Rust binaries, Java archives, Ruby gems, PHP Composer and .NET packages), each
with the layer that introduced it. Layers already indexed (by verified digest) come from
the cache.

Formats: json (Strata's inventory, the input of `image scan sbom:FILE`), cyclonedx-json
(CycloneDX 1.6), spdx-json (SPDX 2.3). Several at once: -f json=inv.json -f spdx-json=x.spdx.json";

/// Arguments of `strata sbom`.
#[derive(Debug, clap::Args)]
pub(crate) struct SbomArgs {
    /// The image (reference, archive or directory).
    pub(crate) image: String,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,

    #[command(flatten)]
    pub(crate) output: OutputArgs,

    /// Which packages: those the running container sees (squashed), or every
    /// package any layer held (all-layers).
    #[arg(long, value_enum, default_value_t = ScopeArg::Squashed)]
    pub(crate) scope: ScopeArg,

    /// Do not read or write the layer-index cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
}

/// `--scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ScopeArg {
    /// What the running container sees.
    Squashed,
    /// Every package of every layer.
    AllLayers,
}

impl From<ScopeArg> for strata_catalog::Scope {
    fn from(scope: ScopeArg) -> Self {
        match scope {
            ScopeArg::Squashed => strata_catalog::Scope::Squashed,
            ScopeArg::AllLayers => strata_catalog::Scope::AllLayers,
        }
    }
}

/// Output flags shared by every report-writing command.
#[derive(Debug, clap::Args)]
pub(crate) struct OutputArgs {
    /// Output format, or FORMAT=FILE to write it to a file (repeatable).
    #[arg(short, long = "format", value_name = "FORMAT[=FILE]")]
    pub(crate) formats: Vec<String>,

    /// Write the (single) output to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Evict the least recently used layer indexes until the cache fits a size.
    Prune(PruneArgs),
}

/// Arguments of `strata cache prune`.
#[derive(Debug, clap::Args)]
pub(crate) struct PruneArgs {
    /// Size to shrink the layer-index cache to (K/M/G suffixes; 0 empties it).
    #[arg(long, default_value = "1G", value_name = "SIZE")]
    pub(crate) max_size: String,
}

/// Options every command that reads an image takes.
#[derive(Debug, clap::Args)]
pub(crate) struct ImageOptions {
    /// Platform to pick from a multi-arch image (os/arch[/variant]); default: this machine's.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<strata_image::Platform>,

    /// Registry user name (also Klar's DOCKER_USER). Without one, docker's config.json is used.
    #[arg(long, value_name = "USER")]
    pub(crate) username: Option<String>,

    /// Registry password or token (also Klar's DOCKER_PASSWORD); prefer --password-stdin.
    #[arg(long, value_name = "PASSWORD", hide_env_values = true)]
    pub(crate) password: Option<String>,

    /// Read the registry password from stdin.
    #[arg(long, conflicts_with = "password")]
    pub(crate) password_stdin: bool,

    /// Extra CA certificate (PEM) to trust for registries (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Vec<std::path::PathBuf>,

    /// Skip TLS certificate verification for registries.
    #[arg(long)]
    pub(crate) insecure: bool,

    /// Registry host that may be reached over plain HTTP (repeatable; loopback hosts always may).
    #[arg(long, value_name = "HOST", value_delimiter = ',')]
    pub(crate) insecure_registry: Vec<String>,

    /// Network timeout for registries, in seconds (connect and idle read).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) timeout: Option<u64>,

    /// Change a limit on untrusted images, e.g. `--limit compression-ratio=500`
    /// (repeatable; names: manifest-bytes, config-bytes, layers, entries-per-layer,
    /// path-bytes, path-depth, total-uncompressed-bytes, compression-ratio, symlink-hops,
    /// index-depth; K/M/G suffixes).
    #[arg(long, value_name = "NAME=VALUE", value_delimiter = ',')]
    pub(crate) limit: Vec<String>,
}

const KLAR_ABOUT: &str = "\
Scan an image the way Klar (optiopay/klar) reports it, so CI scripts written for Klar keep
working: `strata klar IMAGE`, or install strata as `klar` (a symlink) and run `klar IMAGE`.
Configuration is Klar's environment: CLAIR_OUTPUT (lowest severity shown and counted),
CLAIR_THRESHOLD (how many may pass), JSON_OUTPUT, FORMAT_OUTPUT (standard, json, table),
DOCKER_USER, DOCKER_PASSWORD, DOCKER_TOKEN, DOCKER_INSECURE, REGISTRY_INSECURE,
DOCKER_PLATFORM_OS, DOCKER_PLATFORM_ARCH, WHITELIST_FILE, IGNORE_UNFIXED. The scan runs
locally on Strata's database; with CLAIR_ADDR set, the layers go to that Clair v1 server (a
`strata server --clair-v1-listen` or a Clair v2) as Klar sends them. Exit status: 0, 1 when more vulnerabilities than
CLAIR_THRESHOLD are at or above CLAIR_OUTPUT, 2 on error.";

/// Arguments of `strata explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The advisory id or alias (CVE-…, GHSA-…, PYSEC-…, DSA-…).
    pub(crate) id: String,

    /// The image (any source `image scan` takes).
    #[arg(long, value_name = "REF")]
    pub(crate) image: String,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,

    /// Never touch the network for the database.
    #[arg(long, visible_alias = "offline")]
    pub(crate) skip_db_update: bool,

    #[command(flatten)]
    pub(crate) feeds: FeedOptions,
}

/// Arguments of `strata klar`: Klar takes exactly one, the image.
#[derive(Debug, clap::Args)]
pub(crate) struct KlarArgs {
    /// The image.
    #[arg(num_args = 0.., allow_hyphen_values = true)]
    pub(crate) args: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Show the database: schema, build time, and per source its URL, fetch time,
    /// validators, record count and newest record.
    Status(DbStatusArgs),
    /// Fetch the feeds (conditionally: unchanged ones are not downloaded again) and
    /// swap in a new database; a failing source keeps its previous data.
    #[command(long_about = DB_UPDATE_ABOUT)]
    Update(DbUpdateArgs),
    /// Write the database as one bundle (zstd tar with a manifest and sha256 sums).
    Export(DbExportArgs),
    /// Replace the database with a bundle, after checking its checksums (and signature).
    Import(DbImportArgs),
    /// Push the database bundle to a registry (oci://REGISTRY/REPO:TAG).
    Push(DbPushArgs),
    /// Pull a database bundle from a registry (oci://REGISTRY/REPO:TAG) and import it.
    Pull(DbPullArgs),
}

const DB_UPDATE_ABOUT: &str = "\
Fetch the vulnerability feeds and swap in a new database. Each source is fetched with the
validators of the last update (ETag / Last-Modified), so an unchanged feed costs one request.
The new database is built beside the old one and renamed over it at the end: scans never see
a half-written database, and an interrupted update leaves the old one serving. A source that
fails keeps its previous data and is reported (exit status 2).

Sources: osv:ECOSYSTEM (PyPI, npm, Go, crates.io, Maven, RubyGems, Packagist, NuGet, Debian,
Ubuntu, Alpine, AlmaLinux, Rocky, Wolfi, Chainguard, Bitnami), debian (security tracker),
alpine (secdb), wolfi, chainguard, nvd, epss, kev; osv-dir with --osv-dir.

--mirror URL reads every upstream URL from URL/HOST/PATH (the layout `wget -m` writes), over
http(s):// or from a file:// directory.";

/// Where the feeds come from (shared by `db update` and the scan's automatic update).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FeedOptions {
    /// Read every feed from this mirror (http(s)://HOST/DIR or file:///DIR laid out as
    /// `wget -m` writes: URL/HOST/PATH).
    #[arg(long, value_name = "URL")]
    pub(crate) mirror: Option<String>,

    /// The sources the database holds (default: all; comma-separated).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub(crate) db_sources: Vec<String>,

    /// Fetch a source from another URL, e.g. `--source-url debian=https://mirror/json`
    /// (repeatable; for alpine and nvd the base URL).
    #[arg(long, value_name = "NAME=URL")]
    pub(crate) source_url: Vec<String>,

    /// Also read OSV advisories (JSON/YAML, any depth) from this directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) osv_dir: Option<std::path::PathBuf>,

    /// Alpine releases to read (default: those listed at the secdb root).
    #[arg(long, value_name = "v3.NN", value_delimiter = ',')]
    pub(crate) alpine_releases: Vec<String>,

    /// Network timeout for feed downloads, in seconds (connect and idle read).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) feed_timeout: u64,
}

/// Arguments of `strata db status`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbStatusArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = InspectFormat::Table)]
    pub(crate) format: InspectFormat,
}

/// Arguments of `strata db update`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbUpdateArgs {
    /// Update only these sources (`osv` selects every osv:*); the others keep their data.
    #[arg(long, value_name = "NAME")]
    pub(crate) source: Vec<String>,

    /// Download everything again (no conditional requests).
    #[arg(long)]
    pub(crate) force: bool,

    #[command(flatten)]
    pub(crate) feeds: FeedOptions,
}

/// Arguments of `strata db export`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbExportArgs {
    /// The bundle to write.
    pub(crate) file: std::path::PathBuf,

    /// Sign the bundle with this ed25519 private key (PKCS#8 PEM, e.g. from
    /// `openssl genpkey -algorithm ed25519`).
    #[arg(long, value_name = "PEM")]
    pub(crate) signing_key: Option<std::path::PathBuf>,
}

/// Arguments of `strata db import`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbImportArgs {
    /// The bundle to read (`-` for stdin).
    pub(crate) file: std::path::PathBuf,

    /// Require a signature by this ed25519 public key (SPKI PEM, from `openssl pkey -pubout`).
    #[arg(long, value_name = "PEM")]
    pub(crate) public_key: Option<std::path::PathBuf>,
}

/// Arguments of `strata db push`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbPushArgs {
    /// Where: oci://REGISTRY/REPOSITORY:TAG.
    pub(crate) target: String,

    /// Sign the bundle with this ed25519 private key (PKCS#8 PEM).
    #[arg(long, value_name = "PEM")]
    pub(crate) signing_key: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,
}

/// Arguments of `strata db pull`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbPullArgs {
    /// From where: oci://REGISTRY/REPOSITORY:TAG.
    pub(crate) target: String,

    /// Require a signature by this ed25519 public key (SPKI PEM).
    #[arg(long, value_name = "PEM")]
    pub(crate) public_key: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub(crate) image_options: ImageOptions,
}

const VERCMP_ABOUT: &str = "\
Compare versions, or test them against ranges, with an ecosystem's rules.

  strata vercmp SCHEME A B            prints <, = or > (A compared with B)
  strata vercmp SCHEME                reads lines `A B` from stdin, one result per line
  strata vercmp SCHEME --range V R    prints `in` or `out` (is V in range R?)
  strata vercmp SCHEME --range        reads lines `VERSION RANGE…` from stdin

Ranges use the scheme's native syntax: npm ranges, PEP 440 specifier sets, RubyGems
requirements, Composer constraints, Maven/NuGet interval notation, Cargo requirements;
for dpkg, rpm, apk and go a comma-separated list such as `>= 1.2, < 2.0`.
A line that cannot be read prints `error: …` in its place, and reading goes on.";

/// Arguments of `strata vercmp`.
#[derive(Debug, clap::Args)]
pub(crate) struct VercmpArgs {
    /// Version scheme.
    #[arg(value_parser = scheme_parser())]
    pub(crate) scheme: Scheme,

    /// First version (with --range: the version to test).
    pub(crate) a: Option<String>,

    /// Second version (with --range: the range; quote it).
    pub(crate) b: Option<String>,

    /// Test versions against ranges instead of comparing two versions.
    #[arg(long)]
    pub(crate) range: bool,
}

fn scheme_parser() -> impl clap::builder::TypedValueParser<Value = Scheme> {
    clap::builder::PossibleValuesParser::new(Scheme::ALL.map(Scheme::name))
        .try_map(|name| name.parse::<Scheme>())
}

/// Parses the process arguments with environment and config-file defaults.
pub(crate) fn parse() -> Result<Cli, Failure> {
    parse_from(std::env::args_os().collect())
}

fn parse_from(args: Vec<OsString>) -> Result<Cli, Failure> {
    let config = config::load(config::path_from_args(&args))?;
    let mut command = Cli::command();
    let mut unused: std::collections::BTreeSet<String> = config.keys().cloned().collect();
    layer_defaults(&mut command, &config, &mut unused);
    if let Some(key) = unused.into_iter().next() {
        return Err(Failure::from(anyhow::anyhow!(
            "config file: {key:?} is not a strata flag"
        ))
        .hint("config keys are long flag names without dashes in front, e.g. `cache-dir: /tmp/strata`"));
    }
    let matches = command
        .try_get_matches_from(args)
        .unwrap_or_else(|e| e.exit());
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}

/// Gives every long flag of `command` and its subcommands its `STRATA_*` variable,
/// and the config file's value as its default.
fn layer_defaults(
    command: &mut clap::Command,
    config: &config::Values,
    unused: &mut std::collections::BTreeSet<String>,
) {
    let ids: Vec<(clap::Id, String)> = command
        .get_arguments()
        .filter_map(|arg| Some((arg.get_id().clone(), arg.get_long()?.to_owned())))
        .filter(|(_, long)| !matches!(long.as_str(), "help" | "version"))
        .collect();
    for (id, long) in ids {
        let value = config.get(&long).cloned();
        if value.is_some() {
            unused.remove(&long);
        }
        let env = config::env_name(&long);
        *command = std::mem::take(command).mut_arg(id, |arg| {
            let arg = arg.env(env);
            match value {
                Some(values) => arg.default_values(values),
                None => arg,
            }
        });
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        *command = std::mem::take(command).mut_subcommand(name, |mut sub| {
            layer_defaults(&mut sub, config, unused);
            sub
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_long_flag_has_an_env_variable() {
        let mut command = Cli::command();
        let mut unused = Default::default();
        layer_defaults(&mut command, &Default::default(), &mut unused);
        command.build();
        let sub = command.find_subcommand("vercmp").unwrap();
        let range = sub
            .get_arguments()
            .find(|a| a.get_long() == Some("range"))
            .unwrap();
        assert_eq!(range.get_env(), Some(std::ffi::OsStr::new("STRATA_RANGE")));
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
