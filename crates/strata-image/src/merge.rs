//! The merged view of an image's layers: which layer supplies each visible path,
//! after whiteouts and opaque directories, and symlink resolution that never
//! leaves the image root.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::walk::EntryKind;
use crate::{Error, Limits};

/// A visible path of the merged image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Index of the layer that supplies it (0 = base).
    pub layer: usize,
    /// File, directory, link…
    pub kind: EntryKind,
    /// Content size.
    pub size: u64,
}

/// Paths of all layers, merged in order.
#[derive(Debug, Clone, Default)]
pub struct MergedView {
    nodes: BTreeMap<String, Node>,
}

impl MergedView {
    /// An empty image.
    pub fn new() -> Self {
        MergedView::default()
    }

    /// Applies one entry of layer `layer`; layers must be applied base first.
    pub fn apply(&mut self, layer: usize, path: &str, kind: EntryKind, size: u64) {
        match kind {
            EntryKind::Whiteout => {
                self.remove_lower(path, layer, true);
            }
            EntryKind::Opaque => {
                // The directory stays; what lower layers put in it goes.
                self.remove_lower(path, layer, false);
            }
            kind => {
                if !matches!(kind, EntryKind::Dir) {
                    // A file replacing a directory replaces its whole subtree.
                    self.remove_lower(path, layer, false);
                }
                self.nodes
                    .insert(path.to_owned(), Node { layer, kind, size });
            }
        }
    }

    /// Removes `path` (when `itself`) and everything below it that came from
    /// layers before `layer`.
    fn remove_lower(&mut self, path: &str, layer: usize, itself: bool) {
        if itself && self.nodes.get(path).is_some_and(|n| n.layer < layer) {
            self.nodes.remove(path);
        }
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(_, n)| n.layer < layer)
            .map(|(p, _)| p.clone())
            .collect();
        for p in doomed {
            self.nodes.remove(&p);
        }
    }

    /// The node at `path` as stored (links not followed).
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Every visible path with its node, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }

    /// Number of visible paths.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the image has no visible paths.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Resolves symlinks (in every component) and hard links the way the kernel
    /// would inside a chroot at the image root: `..` and absolute targets never
    /// leave it. Returns the final path, or `None` if it does not exist.
    pub fn resolve(&self, path: &str, limits: &Limits) -> Result<Option<String>, Error> {
        let mut hops = 0usize;
        let mut pending: Vec<String> = components(path).rev().map(str::to_owned).collect();
        let mut resolved: Vec<String> = Vec::new();
        while let Some(component) = pending.pop() {
            match component.as_str() {
                "" | "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(component);
            let current = resolved.join("/");
            // Tars often omit parent directories: a missing node is fine here, the
            // final existence check below decides.
            let Some(node) = self.nodes.get(&current) else {
                continue;
            };
            let target = match &node.kind {
                EntryKind::Symlink(target) => target.clone(),
                EntryKind::Hardlink(target) => format!("/{target}"),
                _ => continue,
            };
            hops += 1;
            if hops > limits.symlink_hops {
                return Err(Error::Limit {
                    what: format!("resolving {path}"),
                    limit: "symlink-hops",
                    max: limits.symlink_hops as u64,
                });
            }
            resolved.pop();
            if target.starts_with('/') {
                resolved.clear();
            }
            pending.extend(components(&target).rev().map(str::to_owned));
        }
        let path = resolved.join("/");
        Ok(self.exists(&path).then_some(path))
    }

    /// Whether `path` is a node, or an implied directory with nodes below it.
    fn exists(&self, path: &str) -> bool {
        if path.is_empty() || self.nodes.contains_key(path) {
            return true;
        }
        let prefix = format!("{path}/");
        self.nodes
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .next()
            .is_some_and(|(p, _)| p.starts_with(&prefix))
    }
}

fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> EntryKind {
        EntryKind::File
    }

    #[test]
    fn whiteout_hides_lower_file_and_subtree() {
        let mut v = MergedView::new();
        v.apply(0, "etc/motd", file(), 1);
        v.apply(0, "opt/pkg", EntryKind::Dir, 0);
        v.apply(0, "opt/pkg/a.py", file(), 1);
        v.apply(1, "etc/motd", EntryKind::Whiteout, 0);
        v.apply(1, "opt/pkg", EntryKind::Whiteout, 0);
        assert!(v.get("etc/motd").is_none());
        assert!(v.get("opt/pkg").is_none());
        assert!(v.get("opt/pkg/a.py").is_none());
    }

    #[test]
    fn opaque_dir_keeps_its_own_layer() {
        let mut v = MergedView::new();
        v.apply(0, "site/old.py", file(), 1);
        // The marker may come before or after the layer's own files.
        v.apply(1, "site/new.py", file(), 1);
        v.apply(1, "site", EntryKind::Opaque, 0);
        assert!(v.get("site/old.py").is_none());
        assert_eq!(v.get("site/new.py").map(|n| n.layer), Some(1));
    }

    #[test]
    fn later_layer_supplies_the_visible_version() {
        let mut v = MergedView::new();
        v.apply(0, "bin/x", file(), 1);
        v.apply(2, "bin/x", file(), 2);
        assert_eq!(v.get("bin/x").map(|n| n.layer), Some(2));
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let mut v = MergedView::new();
        v.apply(
            0,
            "etc/os-release",
            EntryKind::Symlink("../usr/lib/os-release".into()),
            0,
        );
        v.apply(0, "usr/lib/os-release", file(), 10);
        v.apply(
            0,
            "escape",
            EntryKind::Symlink("../../../../etc/shadow".into()),
            0,
        );
        v.apply(0, "etc/shadow", file(), 1);
        v.apply(0, "abs", EntryKind::Symlink("/usr/lib".into()), 0);
        v.apply(0, "loop", EntryKind::Symlink("loop".into()), 0);
        let l = Limits::default();
        assert_eq!(
            v.resolve("etc/os-release", &l).unwrap().as_deref(),
            Some("usr/lib/os-release")
        );
        // `..` past the root stays at the root, as in a chroot: the image's own
        // /etc/shadow, never the host's.
        assert_eq!(
            v.resolve("escape", &l).unwrap().as_deref(),
            Some("etc/shadow")
        );
        assert_eq!(
            v.resolve("abs/os-release", &l).unwrap().as_deref(),
            Some("usr/lib/os-release")
        );
        assert!(v.resolve("loop", &l).is_err());
        assert_eq!(v.resolve("missing/file", &l).unwrap(), None);
    }
}
