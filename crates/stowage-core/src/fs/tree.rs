//! One filesystem: an inode table with directories, files and symlinks, and a byte capacity.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Error, FsId, Result, components};

/// An inode number inside one [`FsTree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Ino(pub u64);

/// The type of an inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
}

/// What `stat` reports about an inode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The filesystem holding the inode.
    pub fs: FsId,
    /// The inode number.
    pub ino: Ino,
    /// The inode type.
    pub kind: FileKind,
    /// Permission bits (`0o644`), without the type bits.
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
    /// Size in bytes: file length, symlink target length, 4096 for directories (on tmpfs 40 plus 20
    /// per entry, as shmem counts `BOGO_DIRENT_SIZE`).
    pub size_bytes: u64,
    /// Allocated space in KiB (`ls -s`, `ls -l`'s total): whole 4 KiB pages for files, one for an
    /// ext4 directory, none for tmpfs directories and symlinks.
    pub blocks_kib: u64,
    /// Link count: 1 for files and symlinks, 2 plus subdirectories for directories (1 on overlay,
    /// as overlayfs reports for merged directories).
    pub nlink: u64,
    /// Last modification, simulated milliseconds since the Unix epoch.
    pub mtime_ms: u64,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    /// The entry's name.
    pub name: String,
    /// The entry's type (a mount point shows as a directory).
    pub kind: FileKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Node {
    File(Vec<u8>),
    Dir(BTreeMap<String, Ino>),
    Symlink(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Inode {
    node: Node,
    mode: u32,
    uid: u32,
    gid: u32,
    mtime_ms: u64,
}

const ROOT: Ino = Ino(1);

/// One filesystem: an inode table rooted at [`FsTree::root`].
///
/// Operations take a directory inode plus a name; they never follow symlinks.
/// Path resolution across mounts and symlinks is [`super::Vfs`]'s job.
/// The `*_at` helpers take a path relative to this tree's root (no symlinks followed),
/// for the engine to populate volumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsTree {
    id: FsId,
    source: String,
    fs_type: String,
    capacity_bytes: Option<u64>,
    /// Options it was mounted with beyond `rw`/`ro` (a PersistentVolume's `mountOptions`), for `mount`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    mount_options: Vec<String>,
    used_bytes: u64,
    inodes: BTreeMap<Ino, Inode>,
    next_ino: u64,
}

impl FsTree {
    /// An empty filesystem with a root directory (mode 0755, owned by root).
    ///
    /// `source` and `fs_type` appear in `mount` and `df` (`"overlay"`, `"tmpfs"`, `"/dev/sdb"`, `"ext4"`).
    /// `capacity_bytes` of `None` means unlimited.
    pub fn new(source: &str, fs_type: &str, capacity_bytes: Option<u64>, now_ms: u64) -> FsTree {
        let mut inodes = BTreeMap::new();
        inodes.insert(ROOT, Inode { node: Node::Dir(BTreeMap::new()), mode: 0o755, uid: 0, gid: 0, mtime_ms: now_ms });
        FsTree {
            id: FsId(0),
            source: source.to_string(),
            fs_type: fs_type.to_string(),
            capacity_bytes,
            mount_options: Vec::new(),
            used_bytes: 0,
            inodes,
            next_ino: ROOT.0 + 1,
        }
    }

    /// The root directory.
    pub fn root(&self) -> Ino {
        ROOT
    }

    /// The id this tree has in its store (`FsId(0)` before insertion).
    pub fn id(&self) -> FsId {
        self.id
    }

    pub(super) fn set_id(&mut self, id: FsId) {
        self.id = id;
    }

    /// The device shown by `mount` and `df`.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The filesystem type shown by `mount`.
    pub fn fs_type(&self) -> &str {
        &self.fs_type
    }

    /// The options the filesystem is mounted with besides `rw`/`ro` (empty: the defaults).
    pub fn mount_options(&self) -> &[String] {
        &self.mount_options
    }

    /// Sets the mount options (the kubelet mounts a volume with its PersistentVolume's `mountOptions`).
    pub fn set_mount_options(&mut self, options: Vec<String>) {
        self.mount_options = options;
    }

    /// The capacity in bytes, `None` for unlimited.
    pub fn capacity_bytes(&self) -> Option<u64> {
        self.capacity_bytes
    }

    /// Changes the capacity (volume expansion). Existing data is kept even when over the new limit.
    pub fn set_capacity_bytes(&mut self, capacity_bytes: Option<u64>) {
        self.capacity_bytes = capacity_bytes;
    }

    /// Bytes used by regular files.
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    /// The number of inodes, including the root.
    pub fn inode_count(&self) -> u64 {
        self.inodes.len() as u64
    }

    fn inode(&self, ino: Ino) -> Result<&Inode> {
        self.inodes.get(&ino).ok_or(Error::NotFound)
    }

    fn inode_mut(&mut self, ino: Ino) -> Result<&mut Inode> {
        self.inodes.get_mut(&ino).ok_or(Error::NotFound)
    }

    fn entries(&self, dir: Ino) -> Result<&BTreeMap<String, Ino>> {
        match &self.inode(dir)?.node {
            Node::Dir(entries) => Ok(entries),
            _ => Err(Error::NotADirectory),
        }
    }

    fn entries_mut(&mut self, dir: Ino) -> Result<&mut BTreeMap<String, Ino>> {
        match &mut self.inode_mut(dir)?.node {
            Node::Dir(entries) => Ok(entries),
            _ => Err(Error::NotADirectory),
        }
    }

    /// The type of an inode.
    pub fn kind(&self, ino: Ino) -> Result<FileKind> {
        Ok(match &self.inode(ino)?.node {
            Node::File(_) => FileKind::File,
            Node::Dir(_) => FileKind::Directory,
            Node::Symlink(_) => FileKind::Symlink,
        })
    }

    /// Everything `stat` shows about an inode.
    pub fn metadata(&self, ino: Ino) -> Result<Metadata> {
        let inode = self.inode(ino)?;
        let (kind, size_bytes, nlink) = match &inode.node {
            Node::File(data) => (FileKind::File, data.len() as u64, 1),
            Node::Symlink(target) => (FileKind::Symlink, target.len() as u64, 1),
            Node::Dir(entries) => {
                let subdirs = entries
                    .values()
                    .filter(|child| matches!(self.inodes.get(child).map(|i| &i.node), Some(Node::Dir(_))))
                    .count() as u64;
                match self.fs_type.as_str() {
                    "tmpfs" => (FileKind::Directory, 40 + 20 * entries.len() as u64, 2 + subdirs),
                    "overlay" => (FileKind::Directory, 4096, 1),
                    _ => (FileKind::Directory, 4096, 2 + subdirs),
                }
            }
        };
        let blocks_kib = match kind {
            FileKind::File => size_bytes.div_ceil(4096) * 4,
            FileKind::Directory if self.fs_type != "tmpfs" => 4,
            _ => 0,
        };
        Ok(Metadata {
            fs: self.id,
            ino,
            kind,
            mode: inode.mode,
            uid: inode.uid,
            gid: inode.gid,
            size_bytes,
            blocks_kib,
            nlink,
            mtime_ms: inode.mtime_ms,
        })
    }

    /// Looks `name` up in directory `dir`; `Ok(None)` when absent.
    ///
    /// # Errors
    /// [`Error::NotADirectory`] when `dir` is not a directory.
    pub fn lookup(&self, dir: Ino, name: &str) -> Result<Option<Ino>> {
        Ok(self.entries(dir)?.get(name).copied())
    }

    /// The entries of a directory, sorted by name.
    pub fn read_dir(&self, dir: Ino) -> Result<Vec<DirEntry>> {
        let entries = self.entries(dir)?;
        let mut out = Vec::with_capacity(entries.len());
        for (name, ino) in entries {
            out.push(DirEntry { name: name.clone(), kind: self.kind(*ino)? });
        }
        Ok(out)
    }

    /// The contents of a regular file.
    ///
    /// # Errors
    /// [`Error::IsADirectory`] for directories, [`Error::InvalidArgument`] for symlinks.
    pub fn read(&self, ino: Ino) -> Result<&[u8]> {
        match &self.inode(ino)?.node {
            Node::File(data) => Ok(data),
            Node::Dir(_) => Err(Error::IsADirectory),
            Node::Symlink(_) => Err(Error::InvalidArgument),
        }
    }

    /// The target of a symlink.
    pub fn read_link(&self, ino: Ino) -> Result<&str> {
        match &self.inode(ino)?.node {
            Node::Symlink(target) => Ok(target),
            _ => Err(Error::InvalidArgument),
        }
    }

    fn insert(&mut self, dir: Ino, name: &str, node: Node, mode: u32, now_ms: u64) -> Result<Ino> {
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            return Err(Error::InvalidArgument);
        }
        if self.entries(dir)?.contains_key(name) {
            return Err(Error::Exists);
        }
        let ino = Ino(self.next_ino);
        self.next_ino += 1;
        self.inodes.insert(ino, Inode { node, mode: mode & 0o7777, uid: 0, gid: 0, mtime_ms: now_ms });
        self.entries_mut(dir)?.insert(name.to_string(), ino);
        self.inode_mut(dir)?.mtime_ms = now_ms;
        Ok(ino)
    }

    /// Creates an empty regular file.
    pub fn create_file(&mut self, dir: Ino, name: &str, mode: u32, now_ms: u64) -> Result<Ino> {
        self.insert(dir, name, Node::File(Vec::new()), mode, now_ms)
    }

    /// Creates an empty directory.
    pub fn mkdir(&mut self, dir: Ino, name: &str, mode: u32, now_ms: u64) -> Result<Ino> {
        self.insert(dir, name, Node::Dir(BTreeMap::new()), mode, now_ms)
    }

    /// Creates a symlink pointing at `target` (not checked: dangling links are allowed).
    pub fn symlink(&mut self, dir: Ino, name: &str, target: &str, now_ms: u64) -> Result<Ino> {
        self.insert(dir, name, Node::Symlink(target.to_string()), 0o777, now_ms)
    }

    fn check_space(&self, old_len: u64, new_len: u64) -> Result<()> {
        let used = self.used_bytes - old_len + new_len;
        match self.capacity_bytes {
            Some(capacity) if new_len > old_len && used > capacity => Err(Error::NoSpace),
            _ => Ok(()),
        }
    }

    /// Replaces a file's contents.
    ///
    /// # Errors
    /// [`Error::NoSpace`] (nothing written) when the capacity would be exceeded.
    pub fn set_contents(&mut self, ino: Ino, data: &[u8], now_ms: u64) -> Result<()> {
        let old_len = self.read(ino)?.len() as u64;
        self.check_space(old_len, data.len() as u64)?;
        let inode = self.inode_mut(ino)?;
        inode.node = Node::File(data.to_vec());
        inode.mtime_ms = now_ms;
        self.used_bytes = self.used_bytes - old_len + data.len() as u64;
        Ok(())
    }

    /// Appends to a file.
    ///
    /// # Errors
    /// [`Error::NoSpace`] (nothing written) when the capacity would be exceeded.
    pub fn append(&mut self, ino: Ino, data: &[u8], now_ms: u64) -> Result<()> {
        let old_len = self.read(ino)?.len() as u64;
        self.check_space(old_len, old_len + data.len() as u64)?;
        let inode = self.inode_mut(ino)?;
        if let Node::File(contents) = &mut inode.node {
            contents.extend_from_slice(data);
        }
        inode.mtime_ms = now_ms;
        self.used_bytes += data.len() as u64;
        Ok(())
    }

    /// Sets the modification time (`touch`).
    pub fn set_mtime(&mut self, ino: Ino, mtime_ms: u64) -> Result<()> {
        self.inode_mut(ino)?.mtime_ms = mtime_ms;
        Ok(())
    }

    /// Sets the permission bits (`chmod`).
    pub fn set_mode(&mut self, ino: Ino, mode: u32) -> Result<()> {
        self.inode_mut(ino)?.mode = mode & 0o7777;
        Ok(())
    }

    /// Sets the owner (`chown`, fsGroup).
    pub fn set_owner(&mut self, ino: Ino, uid: u32, gid: u32) -> Result<()> {
        let inode = self.inode_mut(ino)?;
        inode.uid = uid;
        inode.gid = gid;
        Ok(())
    }

    fn free(&mut self, ino: Ino) {
        if let Some(inode) = self.inodes.remove(&ino) {
            match inode.node {
                Node::File(data) => self.used_bytes -= data.len() as u64,
                Node::Dir(entries) => {
                    for child in entries.into_values() {
                        self.free(child);
                    }
                }
                Node::Symlink(_) => {}
            }
        }
    }

    /// Removes a file or symlink.
    ///
    /// # Errors
    /// [`Error::IsADirectory`] for directories, [`Error::NotFound`] when absent.
    pub fn unlink(&mut self, dir: Ino, name: &str, now_ms: u64) -> Result<()> {
        let ino = self.lookup(dir, name)?.ok_or(Error::NotFound)?;
        if self.kind(ino)? == FileKind::Directory {
            return Err(Error::IsADirectory);
        }
        self.entries_mut(dir)?.remove(name);
        self.inode_mut(dir)?.mtime_ms = now_ms;
        self.free(ino);
        Ok(())
    }

    /// Removes an empty directory.
    ///
    /// # Errors
    /// [`Error::NotEmpty`], [`Error::NotADirectory`], [`Error::NotFound`].
    pub fn rmdir(&mut self, dir: Ino, name: &str, now_ms: u64) -> Result<()> {
        let ino = self.lookup(dir, name)?.ok_or(Error::NotFound)?;
        if !self.entries(ino)?.is_empty() {
            return Err(Error::NotEmpty);
        }
        self.entries_mut(dir)?.remove(name);
        self.inode_mut(dir)?.mtime_ms = now_ms;
        self.free(ino);
        Ok(())
    }

    /// Removes an entry and, for a directory, everything below it.
    pub fn remove_tree(&mut self, dir: Ino, name: &str, now_ms: u64) -> Result<()> {
        let ino = self.lookup(dir, name)?.ok_or(Error::NotFound)?;
        self.entries_mut(dir)?.remove(name);
        self.inode_mut(dir)?.mtime_ms = now_ms;
        self.free(ino);
        Ok(())
    }

    fn is_ancestor(&self, ancestor: Ino, mut dir: Ino) -> bool {
        // Walk up by searching parents; trees are small, and depth is bounded by the inode count.
        for _ in 0..self.inodes.len() {
            if dir == ancestor {
                return true;
            }
            let parent = self.inodes.iter().find_map(|(ino, inode)| match &inode.node {
                Node::Dir(entries) if entries.values().any(|child| *child == dir) => Some(*ino),
                _ => None,
            });
            match parent {
                Some(parent) => dir = parent,
                None => return false,
            }
        }
        false
    }

    /// Moves an entry inside this tree, replacing a compatible target like `rename(2)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when moving a directory into itself; [`Error::IsADirectory`],
    /// [`Error::NotADirectory`] or [`Error::NotEmpty`] when the target cannot be replaced.
    pub fn rename(&mut self, from_dir: Ino, from_name: &str, to_dir: Ino, to_name: &str, now_ms: u64) -> Result<()> {
        let ino = self.lookup(from_dir, from_name)?.ok_or(Error::NotFound)?;
        self.entries(to_dir)?;
        if to_name.is_empty() || to_name == "." || to_name == ".." || to_name.contains('/') {
            return Err(Error::InvalidArgument);
        }
        if from_dir == to_dir && from_name == to_name {
            return Ok(());
        }
        let moving_dir = self.kind(ino)? == FileKind::Directory;
        if moving_dir && self.is_ancestor(ino, to_dir) {
            return Err(Error::InvalidArgument);
        }
        if let Some(existing) = self.lookup(to_dir, to_name)? {
            match (moving_dir, self.kind(existing)? == FileKind::Directory) {
                (false, true) => return Err(Error::IsADirectory),
                (true, false) => return Err(Error::NotADirectory),
                (true, true) if !self.entries(existing)?.is_empty() => return Err(Error::NotEmpty),
                _ => {}
            }
            self.entries_mut(to_dir)?.remove(to_name);
            self.free(existing);
        }
        self.entries_mut(from_dir)?.remove(from_name);
        self.entries_mut(to_dir)?.insert(to_name.to_string(), ino);
        self.inode_mut(from_dir)?.mtime_ms = now_ms;
        self.inode_mut(to_dir)?.mtime_ms = now_ms;
        Ok(())
    }

    /// Resolves a path relative to this tree's root without following symlinks.
    pub fn lookup_path(&self, path: &str) -> Result<Ino> {
        let mut ino = ROOT;
        for name in components(path) {
            ino = self.lookup(ino, name)?.ok_or(Error::NotFound)?;
        }
        Ok(ino)
    }

    /// Creates a directory and its missing parents (mode 0755), like `mkdir -p`.
    pub fn mkdir_all(&mut self, path: &str, now_ms: u64) -> Result<Ino> {
        let mut ino = ROOT;
        for name in components(path) {
            ino = match self.lookup(ino, name)? {
                Some(child) if self.kind(child)? == FileKind::Directory => child,
                Some(_) => return Err(Error::NotADirectory),
                None => self.mkdir(ino, name, 0o755, now_ms)?,
            };
        }
        Ok(ino)
    }

    fn split_parent(path: &str) -> Result<(String, &str)> {
        let parts: Vec<&str> = components(path).collect();
        let (name, parents) = parts.split_last().ok_or(Error::InvalidArgument)?;
        Ok((parents.join("/"), name))
    }

    /// Creates or replaces a regular file (mode 0644) at a path, creating parent directories.
    pub fn write_file_at(&mut self, path: &str, data: &[u8], now_ms: u64) -> Result<Ino> {
        let (parent, name) = Self::split_parent(path)?;
        let dir = self.mkdir_all(&parent, now_ms)?;
        let ino = match self.lookup(dir, name)? {
            Some(ino) => ino,
            None => self.create_file(dir, name, 0o644, now_ms)?,
        };
        self.set_contents(ino, data, now_ms)?;
        Ok(ino)
    }

    /// Creates a symlink at a path, creating parent directories.
    pub fn symlink_at(&mut self, path: &str, target: &str, now_ms: u64) -> Result<Ino> {
        let (parent, name) = Self::split_parent(path)?;
        let dir = self.mkdir_all(&parent, now_ms)?;
        self.symlink(dir, name, target, now_ms)
    }

    /// Removes whatever is at a path, recursively; absent paths are fine (`rm -rf`).
    pub fn remove_at(&mut self, path: &str, now_ms: u64) -> Result<()> {
        let (parent, name) = Self::split_parent(path)?;
        let dir = self.lookup_path(&parent)?;
        match self.lookup(dir, name)? {
            Some(_) => self.remove_tree(dir, name, now_ms),
            None => Ok(()),
        }
    }
}
