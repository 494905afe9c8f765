//! The filesystem store, mount namespaces, and path resolution across mounts and symlinks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    DirEntry, Error, FileKind, FsId, FsTree, Ino, Metadata, Result, SYMLINK_DEPTH_MAX, components, join_absolute,
    normalize,
};

/// Owns every filesystem of a simulation, keyed by [`FsId`] (allocated from a counter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsStore {
    trees: BTreeMap<FsId, FsTree>,
    next_id: u64,
}

impl FsStore {
    /// An empty store.
    pub fn new() -> FsStore {
        FsStore::default()
    }

    /// Adds a filesystem and returns its new id.
    pub fn insert(&mut self, mut tree: FsTree) -> FsId {
        self.next_id += 1;
        let id = FsId(self.next_id);
        tree.set_id(id);
        self.trees.insert(id, tree);
        id
    }

    /// A filesystem by id.
    pub fn get(&self, id: FsId) -> Option<&FsTree> {
        self.trees.get(&id)
    }

    /// A filesystem by id, mutably (to populate it).
    pub fn get_mut(&mut self, id: FsId) -> Option<&mut FsTree> {
        self.trees.get_mut(&id)
    }

    /// Deletes a filesystem; mounts of it then fail with [`Error::NotFound`].
    pub fn remove(&mut self, id: FsId) -> Option<FsTree> {
        self.trees.remove(&id)
    }

    /// All filesystems in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FsId, &FsTree)> {
        self.trees.iter().map(|(id, tree)| (*id, tree))
    }
}

/// What is mounted at a path: a directory of a filesystem, maybe read-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountSpec {
    /// The mounted filesystem.
    pub fs: FsId,
    /// The directory inside it that appears at the mount point (`""` for its root); no symlinks followed.
    pub subpath: String,
    /// Writes through this mount fail with [`Error::ReadOnly`].
    pub read_only: bool,
}

/// A view of the filesystems: a root mount plus mounts at absolute paths.
///
/// Mount points need not exist as directories in the parent filesystem; they are listed
/// by [`Vfs::read_dir`] of their parent anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountNamespace {
    mounts: BTreeMap<String, MountSpec>,
}

impl MountNamespace {
    /// A namespace whose `/` is `root`.
    pub fn new(root: MountSpec) -> MountNamespace {
        let mut mounts = BTreeMap::new();
        mounts.insert("/".to_string(), root);
        MountNamespace { mounts }
    }

    /// Mounts `spec` at `path` (normalized), replacing an earlier mount there.
    pub fn mount(&mut self, path: &str, spec: MountSpec) {
        self.mounts.insert(normalize(path), spec);
    }

    /// Removes the mount at `path`; the root mount cannot be removed.
    pub fn unmount(&mut self, path: &str) -> Option<MountSpec> {
        let path = normalize(path);
        if path == "/" { None } else { self.mounts.remove(&path) }
    }

    /// The mounts in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &MountSpec)> {
        self.mounts.iter().map(|(path, spec)| (path.as_str(), spec))
    }
}

/// One row of `mount` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// The mount point.
    pub path: String,
    /// The mounted filesystem.
    pub fs: FsId,
    /// Its device name.
    pub source: String,
    /// Its type.
    pub fs_type: String,
    /// Whether the mount is read-only.
    pub read_only: bool,
    /// Further mount options (`noatime`, `nodiratime`), empty for the defaults.
    pub options: Vec<String>,
}

/// What `statfs` (and so `df`) reports for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatFs {
    /// The filesystem holding the path.
    pub fs: FsId,
    /// Its device name.
    pub source: String,
    /// The mount point the path is under.
    pub mount_point: String,
    /// Capacity in bytes, `None` for unlimited.
    pub capacity_bytes: Option<u64>,
    /// Bytes used by regular files.
    pub used_bytes: u64,
}

/// Where a path ends up: a filesystem, an inode, and whether writes are allowed.
#[derive(Debug, Clone, Copy)]
struct Loc {
    fs: FsId,
    ino: Ino,
    read_only: bool,
    mount_root: bool,
}

/// A resolved path: its parent directory, last name, and the inode if it exists.
struct Resolved {
    parent: Option<Loc>,
    name: Option<String>,
    target: Option<Loc>,
    path: Vec<String>,
}

impl Resolved {
    /// The directory holding the last component.
    fn parent_path(&self) -> &[String] {
        match (&self.target, self.path.split_last()) {
            (Some(_), Some((_, parents))) => parents,
            _ => &self.path,
        }
    }
}

/// How [`Vfs::write_file`] treats existing contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Replace the contents (`>`).
    Truncate,
    /// Add to the end (`>>`).
    Append,
}

/// A borrowed view of a store through a mount namespace: path-based file operations.
///
/// Paths are absolute; relative paths are taken from `/`.
/// Mutating operations take the simulated time for mtimes.
pub struct Vfs<'a> {
    store: &'a mut FsStore,
    ns: &'a MountNamespace,
    uid: u32,
}

const READ: u32 = 4;
const WRITE: u32 = 2;

impl<'a> Vfs<'a> {
    /// A view as root (uid 0).
    pub fn new(store: &'a mut FsStore, ns: &'a MountNamespace) -> Vfs<'a> {
        Vfs { store, ns, uid: 0 }
    }

    /// The same view as another user, for permission checks.
    pub fn with_uid(self, uid: u32) -> Vfs<'a> {
        Vfs { uid, ..self }
    }

    fn tree(&self, fs: FsId) -> Result<&FsTree> {
        self.store.get(fs).ok_or(Error::NotFound)
    }

    fn tree_mut(&mut self, fs: FsId) -> Result<&mut FsTree> {
        self.store.get_mut(fs).ok_or(Error::NotFound)
    }

    fn locate(&self, walked: &[String]) -> Result<Loc> {
        for k in (0..=walked.len()).rev() {
            if let Some(spec) = self.ns.mounts.get(&join_absolute(&walked[..k])) {
                let tree = self.tree(spec.fs)?;
                let mut ino = tree.lookup_path(&spec.subpath)?;
                for name in &walked[k..] {
                    ino = tree.lookup(ino, name)?.ok_or(Error::NotFound)?;
                }
                return Ok(Loc { fs: spec.fs, ino, read_only: spec.read_only, mount_root: k == walked.len() });
            }
        }
        Err(Error::NotFound)
    }

    fn resolve(&self, path: &str, follow_last: bool) -> Result<Resolved> {
        let mut pending: Vec<String> = components(path).rev().map(str::to_string).collect();
        let mut walked: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(name) = pending.pop() {
            if name == "." {
                continue;
            }
            if name == ".." {
                walked.pop();
                continue;
            }
            let is_last = pending.iter().all(|rest| rest == ".");
            let parent = self.locate(&walked)?;
            let tree = self.tree(parent.fs)?;
            walked.push(name);
            if self.ns.mounts.contains_key(&join_absolute(&walked)) {
                continue;
            }
            let name = walked.last().map(String::as_str).unwrap_or_default();
            match tree.lookup(parent.ino, name)? {
                None if is_last => {
                    let name = walked.pop();
                    return Ok(Resolved { parent: Some(parent), name, target: None, path: walked });
                }
                None => return Err(Error::NotFound),
                Some(ino) if tree.kind(ino)? == FileKind::Symlink && (!is_last || follow_last) => {
                    links += 1;
                    if links > SYMLINK_DEPTH_MAX {
                        return Err(Error::Loop);
                    }
                    let target = tree.read_link(ino)?.to_string();
                    walked.pop();
                    if target.starts_with('/') {
                        walked.clear();
                    }
                    pending.extend(components(&target).rev().map(str::to_string));
                }
                Some(_) => {}
            }
        }
        let target = self.locate(&walked)?;
        let parent = match walked.split_last() {
            Some((_, parents)) => Some(self.locate(parents)?),
            None => None,
        };
        Ok(Resolved { parent, name: walked.last().cloned(), target: Some(target), path: walked })
    }

    fn check_access(&self, loc: Loc, want: u32) -> Result<()> {
        if self.uid == 0 {
            return Ok(());
        }
        let meta = self.tree(loc.fs)?.metadata(loc.ino)?;
        let bits = if meta.uid == self.uid { (meta.mode >> 6) & 7 } else { meta.mode & 7 };
        if bits & want == want { Ok(()) } else { Err(Error::PermissionDenied) }
    }

    fn writable_parent(&self, resolved: &Resolved) -> Result<(Loc, String)> {
        match (resolved.parent, &resolved.name) {
            (Some(parent), Some(name)) => {
                if parent.read_only {
                    return Err(Error::ReadOnly);
                }
                self.check_access(parent, WRITE)?;
                Ok((parent, name.clone()))
            }
            _ => Err(Error::Busy),
        }
    }

    /// Metadata of the file a path points at, following symlinks.
    pub fn metadata(&self, path: &str) -> Result<Metadata> {
        let target = self.resolve(path, true)?.target.ok_or(Error::NotFound)?;
        self.tree(target.fs)?.metadata(target.ino)
    }

    /// Metadata of a path itself (a symlink is not followed).
    pub fn symlink_metadata(&self, path: &str) -> Result<Metadata> {
        let target = self.resolve(path, false)?.target.ok_or(Error::NotFound)?;
        self.tree(target.fs)?.metadata(target.ino)
    }

    /// Whether something exists at a path (following symlinks).
    pub fn exists(&self, path: &str) -> bool {
        self.metadata(path).is_ok()
    }

    /// The absolute path with every symlink, `.` and `..` resolved (`readlink -f`, `cd`).
    ///
    /// The last component may be missing.
    pub fn canonicalize(&self, path: &str) -> Result<String> {
        let resolved = self.resolve(path, true)?;
        let mut parts = resolved.path;
        if resolved.target.is_none() {
            parts.extend(resolved.name);
        }
        Ok(join_absolute(&parts))
    }

    /// The contents of a file.
    pub fn read_file(&self, path: &str) -> Result<Vec<u8>> {
        let target = self.resolve(path, true)?.target.ok_or(Error::NotFound)?;
        let tree = self.tree(target.fs)?;
        let data = tree.read(target.ino)?;
        self.check_access(target, READ)?;
        Ok(data.to_vec())
    }

    /// Writes a file, creating it (mode 0644) if missing.
    ///
    /// # Errors
    /// [`Error::IsADirectory`], [`Error::ReadOnly`], [`Error::NoSpace`], [`Error::NotFound`] when the parent is missing.
    pub fn write_file(&mut self, path: &str, data: &[u8], mode: WriteMode, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(path, true)?;
        let target = match resolved.target {
            Some(target) => {
                if self.tree(target.fs)?.kind(target.ino)? == FileKind::Directory {
                    return Err(Error::IsADirectory);
                }
                if target.read_only {
                    return Err(Error::ReadOnly);
                }
                self.check_access(target, WRITE)?;
                target
            }
            None => {
                let (parent, name) = self.writable_parent(&resolved)?;
                let ino = self.tree_mut(parent.fs)?.create_file(parent.ino, &name, 0o644, now_ms)?;
                Loc { ino, ..parent }
            }
        };
        let tree = self.tree_mut(target.fs)?;
        match mode {
            WriteMode::Truncate => tree.set_contents(target.ino, data, now_ms),
            WriteMode::Append => tree.append(target.ino, data, now_ms),
        }
    }

    /// Creates an empty file if missing, otherwise sets its mtime (`touch`).
    pub fn touch(&mut self, path: &str, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(path, true)?;
        match resolved.target {
            Some(target) if target.read_only => Err(Error::ReadOnly),
            Some(target) => self.tree_mut(target.fs)?.set_mtime(target.ino, now_ms),
            None => self.write_file(path, b"", WriteMode::Append, now_ms),
        }
    }

    /// Lists a directory, sorted by name, including mount points directly below it.
    pub fn read_dir(&self, path: &str) -> Result<Vec<DirEntry>> {
        let resolved = self.resolve(path, true)?;
        let target = resolved.target.ok_or(Error::NotFound)?;
        self.check_access(target, READ)?;
        let mut entries = self.tree(target.fs)?.read_dir(target.ino)?;
        for mount_point in self.ns.mounts.keys() {
            let parts: Vec<&str> = components(mount_point).collect();
            if let Some((name, parents)) = parts.split_last()
                && parents.len() == resolved.path.len()
                && parents.iter().zip(&resolved.path).all(|(a, b)| a == b)
            {
                entries.retain(|entry| entry.name != *name);
                entries.push(DirEntry { name: name.to_string(), kind: FileKind::Directory });
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(entries)
    }

    /// Creates a directory.
    pub fn create_dir(&mut self, path: &str, mode: u32, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(path, false)?;
        if resolved.target.is_some() {
            return Err(Error::Exists);
        }
        let (parent, name) = self.writable_parent(&resolved)?;
        self.tree_mut(parent.fs)?.mkdir(parent.ino, &name, mode, now_ms)?;
        Ok(())
    }

    /// Creates a directory and its missing parents (`mkdir -p`).
    pub fn create_dir_all(&mut self, path: &str, now_ms: u64) -> Result<()> {
        let mut prefix = Vec::new();
        for name in components(path) {
            prefix.push(name);
            let current = join_absolute(&prefix);
            match self.metadata(&current) {
                Ok(meta) if meta.kind == FileKind::Directory => {}
                Ok(_) => return Err(Error::NotADirectory),
                Err(Error::NotFound) => self.create_dir(&current, 0o755, now_ms)?,
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Removes a file or symlink (`rm`).
    pub fn remove_file(&mut self, path: &str, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(path, false)?;
        let target = resolved.target.ok_or(Error::NotFound)?;
        if target.mount_root {
            return Err(Error::Busy);
        }
        let (parent, name) = self.writable_parent(&resolved)?;
        self.tree_mut(parent.fs)?.unlink(parent.ino, &name, now_ms)
    }

    /// Removes an empty directory (`rmdir`).
    pub fn remove_dir(&mut self, path: &str, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(path, false)?;
        let target = resolved.target.ok_or(Error::NotFound)?;
        if target.mount_root {
            return Err(Error::Busy);
        }
        let (parent, name) = self.writable_parent(&resolved)?;
        self.tree_mut(parent.fs)?.rmdir(parent.ino, &name, now_ms)
    }

    /// Removes a path and everything below it, without crossing into mounts below it (`rm -r`).
    pub fn remove_all(&mut self, path: &str, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(path, false)?;
        let target = resolved.target.ok_or(Error::NotFound)?;
        if target.mount_root {
            return Err(Error::Busy);
        }
        let prefix = join_absolute(&resolved.path);
        let under = format!("{prefix}/");
        if self.ns.mounts.keys().any(|mount_point| mount_point.starts_with(&under)) {
            return Err(Error::Busy);
        }
        let (parent, name) = self.writable_parent(&resolved)?;
        self.tree_mut(parent.fs)?.remove_tree(parent.ino, &name, now_ms)
    }

    /// Renames within one filesystem and mount.
    ///
    /// # Errors
    /// [`Error::CrossDevice`] across filesystems or mounts (callers copy then remove).
    pub fn rename(&mut self, from: &str, to: &str, now_ms: u64) -> Result<()> {
        let source = self.resolve(from, false)?;
        let source_target = source.target.ok_or(Error::NotFound)?;
        if source_target.mount_root {
            return Err(Error::Busy);
        }
        let destination = self.resolve(to, false)?;
        let (from_parent, from_name) = self.writable_parent(&source)?;
        let (to_parent, to_name) = self.writable_parent(&destination)?;
        if destination.target.is_some_and(|target| target.mount_root) {
            return Err(Error::Busy);
        }
        if from_parent.fs != to_parent.fs
            || self.mount_of(source.parent_path()) != self.mount_of(destination.parent_path())
        {
            return Err(Error::CrossDevice);
        }
        self.tree_mut(from_parent.fs)?.rename(from_parent.ino, &from_name, to_parent.ino, &to_name, now_ms)
    }

    fn mount_of(&self, path: &[String]) -> String {
        for k in (0..=path.len()).rev() {
            let candidate = join_absolute(&path[..k]);
            if self.ns.mounts.contains_key(&candidate) {
                return candidate;
            }
        }
        "/".to_string()
    }

    /// Creates a symlink at `link` pointing at `target` (`ln -s target link`).
    pub fn symlink(&mut self, target: &str, link: &str, now_ms: u64) -> Result<()> {
        let resolved = self.resolve(link, false)?;
        if resolved.target.is_some() {
            return Err(Error::Exists);
        }
        let (parent, name) = self.writable_parent(&resolved)?;
        self.tree_mut(parent.fs)?.symlink(parent.ino, &name, target, now_ms)?;
        Ok(())
    }

    /// The target of a symlink.
    pub fn read_link(&self, path: &str) -> Result<String> {
        let target = self.resolve(path, false)?.target.ok_or(Error::NotFound)?;
        Ok(self.tree(target.fs)?.read_link(target.ino)?.to_string())
    }

    /// Sets permission bits (`chmod`).
    pub fn set_mode(&mut self, path: &str, mode: u32) -> Result<()> {
        let target = self.resolve(path, true)?.target.ok_or(Error::NotFound)?;
        if target.read_only {
            return Err(Error::ReadOnly);
        }
        self.tree_mut(target.fs)?.set_mode(target.ino, mode)
    }

    /// Capacity and usage of the filesystem holding a path (`df`).
    pub fn statfs(&self, path: &str) -> Result<StatFs> {
        let resolved = self.resolve(path, true)?;
        let target = resolved.target.ok_or(Error::NotFound)?;
        let tree = self.tree(target.fs)?;
        Ok(StatFs {
            fs: target.fs,
            source: tree.source().to_string(),
            mount_point: self.mount_of(&resolved.path),
            capacity_bytes: tree.capacity_bytes(),
            used_bytes: tree.used_bytes(),
        })
    }

    /// The mount table in path order (`mount`, `df`).
    pub fn mounts(&self) -> Vec<MountInfo> {
        self.ns
            .mounts
            .iter()
            .map(|(path, spec)| {
                let (source, fs_type, options) = match self.store.get(spec.fs) {
                    Some(tree) => {
                        (tree.source().to_string(), tree.fs_type().to_string(), tree.mount_options().to_vec())
                    }
                    None => ("none".to_string(), "none".to_string(), Vec::new()),
                };
                MountInfo { path: path.clone(), fs: spec.fs, source, fs_type, read_only: spec.read_only, options }
            })
            .collect()
    }
}
