//! Indexing an image: which OS it runs and which packages it holds, each with the
//! layer that introduced it.

mod assemble;
pub mod cache;
mod cataloger;
pub mod catalogers;
mod index;
pub mod inventory;
pub mod os;
mod package;
mod pipeline;
mod purl;
pub mod sbom_input;

pub use assemble::{Scope, assemble};
pub use cataloger::{Cataloger, Diagnostics, FileInfo};
pub use index::{FileEntry, LayerIndex, index_layer};
pub use inventory::Inventory;
pub use os::Os;
pub use package::{Package, PackageKind};
pub use pipeline::{IndexStats, index_image, index_rootfs};

#[cfg(test)]
mod testdata;
