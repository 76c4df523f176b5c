//! Getting an image: references and sources, manifests and configs, and each
//! layer as a verified, decompressed, safely walked tar stream.
//!
//! Every byte of an image is untrusted: digests are checked while streaming,
//! sizes and counts are bounded by [`Limits`], and no path leaves the image root.

mod config;
pub mod digest;
mod error;
mod image;
pub mod layer;
mod limits;
pub mod local;
pub mod manifest;
mod merge;
mod open;
mod platform;
pub mod pull;
mod reference;
pub mod registry;
mod source;
pub mod walk;

pub use config::{History, ImageConfig, RootFs, RunConfig};
pub use digest::Digest;
pub use error::Error;
pub use image::{Image, Layer};
pub use limits::Limits;
pub use merge::{MergedView, Node};
pub use open::{Opened, open, open_registry};
pub use platform::Platform;
pub use reference::{DOCKER_HUB, ImageRef};
pub use source::Source;
