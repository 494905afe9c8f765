//! In-memory filesystems and mount namespaces for simulated containers, nodes and volumes.
//!
//! A [`FsTree`] is one filesystem (a container's root, an emptyDir, a backend disk).
//! Trees live in an [`FsStore`] keyed by [`FsId`], so one tree can be mounted in several
//! containers and can outlive the pods that used it.
//! A [`MountNamespace`] says which tree (and which directory inside it) appears at which
//! path, and a [`Vfs`] borrows a store and a namespace to resolve absolute paths across
//! mounts and symlinks.
//!
//! # Model
//!
//! Simulated:
//! - regular files (bytes), directories and symbolic links, with permission bits,
//!   uid/gid, size, link count and a modification time in simulated milliseconds;
//! - a byte capacity per filesystem: writes that would exceed it fail with
//!   [`Error::NoSpace`] and change nothing; used bytes are the sum of regular file sizes;
//! - mounts with a subpath and a read-only flag ([`Error::ReadOnly`]), path resolution
//!   through mounts, `.`/`..` and symlinks, with at most [`SYMLINK_DEPTH_MAX`] links
//!   followed per lookup ([`Error::Loop`]);
//! - permission checks for a non-root caller ([`Vfs::with_uid`]): read and write bits of
//!   files and the write bit of directories; uid 0 may do anything.
//!
//! Not simulated:
//! - hard links (every file has one link), devices, FIFOs and sockets; `/dev/null` is the
//!   shell's business;
//! - access and change times (only mtime), inode and block accounting (directories and
//!   symlinks use no bytes), sparse files, partial writes;
//! - open file handles: a file removed while "open" is simply gone;
//! - traversal (execute) permission on directories, ACLs, SELinux, setuid.
//!
//! Every operation returns an [`Error`] with an errno-like kind instead of panicking.
//! All state is plain data in `BTreeMap`s and clones cheaply for time travel.

mod tree;
mod vfs;

pub use tree::{DirEntry, FileKind, FsTree, Ino, Metadata};
pub use vfs::{FsStore, MountInfo, MountNamespace, MountSpec, StatFs, Vfs, WriteMode};

use serde::{Deserialize, Serialize};

/// The most symlinks one path lookup follows before failing with [`Error::Loop`] (Linux: 40).
pub const SYMLINK_DEPTH_MAX: u32 = 40;

/// Identifies a filesystem in an [`FsStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FsId(pub u64);

/// A filesystem error, named after its errno.
///
/// The messages are the C library's `strerror` texts, because the shell prints them
/// verbatim (`cat: can't open 'x': No such file or directory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// ENOENT: a path component does not exist.
    #[error("No such file or directory")]
    NotFound,
    /// ENOTDIR: a path component used as a directory is not one.
    #[error("Not a directory")]
    NotADirectory,
    /// EISDIR: a file operation was applied to a directory.
    #[error("Is a directory")]
    IsADirectory,
    /// EEXIST: the name is already taken.
    #[error("File exists")]
    Exists,
    /// EROFS: the path is on a read-only mount.
    #[error("Read-only file system")]
    ReadOnly,
    /// ENOTEMPTY: a directory to remove or replace has entries.
    #[error("Directory not empty")]
    NotEmpty,
    /// EACCES: the mode bits deny the caller.
    #[error("Permission denied")]
    PermissionDenied,
    /// ENOSPC: the filesystem's capacity would be exceeded.
    #[error("No space left on device")]
    NoSpace,
    /// ELOOP: too many symlinks were followed.
    #[error("Symbolic link loop")]
    Loop,
    /// EINVAL: for example reading a symlink that is not one, or moving a directory into itself.
    #[error("Invalid argument")]
    InvalidArgument,
    /// EXDEV: a rename across filesystems or mounts.
    #[error("Invalid cross-device link")]
    CrossDevice,
    /// EBUSY: the path is a mount point.
    #[error("Resource busy")]
    Busy,
}

impl Error {
    /// The Linux errno number for this error.
    pub fn errno(self) -> i32 {
        match self {
            Error::NotFound => 2,
            Error::NotADirectory => 20,
            Error::IsADirectory => 21,
            Error::Exists => 17,
            Error::ReadOnly => 30,
            Error::NotEmpty => 39,
            Error::PermissionDenied => 13,
            Error::NoSpace => 28,
            Error::Loop => 40,
            Error::InvalidArgument => 22,
            Error::CrossDevice => 18,
            Error::Busy => 16,
        }
    }
}

/// The result type of filesystem operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Splits a path into its non-empty components (`"/a//b/"` gives `["a", "b"]`).
pub fn components(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// Joins components into an absolute path (`[]` gives `"/"`).
pub fn join_absolute<S: AsRef<str>>(parts: &[S]) -> String {
    if parts.is_empty() {
        return "/".to_string();
    }
    let mut out = String::new();
    for part in parts {
        out.push('/');
        out.push_str(part.as_ref());
    }
    out
}

/// Normalizes an absolute path lexically: removes `.`, empty components and resolves `..`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for component in components(path) {
        match component {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    join_absolute(&parts)
}

#[cfg(test)]
mod tests;
