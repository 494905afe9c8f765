//! Tests for the in-memory filesystem: trees, mounts, symlinks, capacity.

use expect_test::{Expect, expect};

use super::*;

/// A container view: an overlay root, an emptyDir at /scratch, the same emptyDir's `sub` at /data (read-only).
fn world() -> (FsStore, MountNamespace, FsId) {
    let mut store = FsStore::new();
    let mut root = FsTree::new("overlay", "overlay", None, 0);
    root.mkdir_all("etc", 0).unwrap();
    root.write_file_at("etc/hostname", b"web-0\n", 0).unwrap();
    let root = store.insert(root);
    let mut volume = FsTree::new("tmpfs", "tmpfs", Some(100), 0);
    volume.write_file_at("sub/seed.txt", b"seed\n", 0).unwrap();
    let volume = store.insert(volume);
    let mut ns = MountNamespace::new(MountSpec { fs: root, subpath: String::new(), read_only: false });
    ns.mount("/scratch", MountSpec { fs: volume, subpath: String::new(), read_only: false });
    ns.mount("/data", MountSpec { fs: volume, subpath: "sub".into(), read_only: true });
    (store, ns, volume)
}

/// Runs one operation per line and prints each result.
#[track_caller]
fn check(script: &str, expect: Expect) {
    let (mut store, ns, volume) = world();
    let mut vfs = Vfs::new(&mut store, &ns);
    let mut out = String::new();
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let result: Result<String> = match words.as_slice() {
            ["write", path, text] => {
                vfs.write_file(path, text.as_bytes(), WriteMode::Truncate, 7).map(|()| "ok".into())
            }
            ["append", path, text] => vfs.write_file(path, text.as_bytes(), WriteMode::Append, 8).map(|()| "ok".into()),
            ["read", path] => vfs.read_file(path).map(|data| format!("{:?}", String::from_utf8_lossy(&data))),
            ["ls", path] => vfs
                .read_dir(path)
                .map(|entries| entries.iter().map(|entry| entry.name.as_str()).collect::<Vec<_>>().join(" ")),
            ["mkdir", path] => vfs.create_dir(path, 0o755, 1).map(|()| "ok".into()),
            ["mkdir-p", path] => vfs.create_dir_all(path, 1).map(|()| "ok".into()),
            ["ln", target, link] => vfs.symlink(target, link, 1).map(|()| "ok".into()),
            ["rm", path] => vfs.remove_file(path, 1).map(|()| "ok".into()),
            ["rmdir", path] => vfs.remove_dir(path, 1).map(|()| "ok".into()),
            ["rm-r", path] => vfs.remove_all(path, 1).map(|()| "ok".into()),
            ["mv", from, to] => vfs.rename(from, to, 1).map(|()| "ok".into()),
            ["realpath", path] => vfs.canonicalize(path),
            ["stat", path] => {
                vfs.metadata(path).map(|m| format!("{:?} {:o} size={} nlink={}", m.kind, m.mode, m.size_bytes, m.nlink))
            }
            ["df", path] => vfs
                .statfs(path)
                .map(|s| format!("{} on {} used={} cap={:?}", s.source, s.mount_point, s.used_bytes, s.capacity_bytes)),
            _ => Ok(format!("bad test line {line:?}")),
        };
        let shown = match result {
            Ok(text) => text,
            Err(error) => format!("error: {error} (errno {})", error.errno()),
        };
        out.push_str(&format!("{line} => {shown}\n"));
    }
    let _ = volume;
    expect.assert_eq(&out);
}

#[test]
fn vfs_should_resolve_mounts_symlinks_and_errors() {
    check(
        r#"read /etc/hostname
read /etc/../etc/./hostname
read /nope
read /etc/hostname/x
ls /
write /scratch/a.txt hello
read /data/seed.txt
write /data/x nope
ls /scratch
ln /scratch/sub/seed.txt /etc/seed
read /etc/seed
ln loop2 /loop1
ln loop1 /loop2
read /loop1
realpath /etc/seed
mkdir /etc
mkdir-p /a/b/c
rmdir /a
rm /a/b
rm-r /a
stat /a
stat /etc
mv /scratch/a.txt /scratch/b.txt
mv /scratch/b.txt /etc/b.txt
rm /scratch
df /scratch/sub
df /etc
write /scratch/big 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789
append /scratch/b.txt !
read /scratch/b.txt
"#,
        expect![[r#"
            read /etc/hostname => "web-0\n"
            read /etc/../etc/./hostname => "web-0\n"
            read /nope => error: No such file or directory (errno 2)
            read /etc/hostname/x => error: Not a directory (errno 20)
            ls / => data etc scratch
            write /scratch/a.txt hello => ok
            read /data/seed.txt => "seed\n"
            write /data/x nope => error: Read-only file system (errno 30)
            ls /scratch => a.txt sub
            ln /scratch/sub/seed.txt /etc/seed => ok
            read /etc/seed => "seed\n"
            ln loop2 /loop1 => ok
            ln loop1 /loop2 => ok
            read /loop1 => error: Symbolic link loop (errno 40)
            realpath /etc/seed => /scratch/sub/seed.txt
            mkdir /etc => error: File exists (errno 17)
            mkdir-p /a/b/c => ok
            rmdir /a => error: Directory not empty (errno 39)
            rm /a/b => error: Is a directory (errno 21)
            rm-r /a => ok
            stat /a => error: No such file or directory (errno 2)
            stat /etc => Directory 755 size=4096 nlink=1
            mv /scratch/a.txt /scratch/b.txt => ok
            mv /scratch/b.txt /etc/b.txt => error: Invalid cross-device link (errno 18)
            rm /scratch => error: Resource busy (errno 16)
            df /scratch/sub => tmpfs on /scratch used=10 cap=Some(100)
            df /etc => overlay on / used=6 cap=None
            write /scratch/big 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 => error: No space left on device (errno 28)
            append /scratch/b.txt ! => ok
            read /scratch/b.txt => "hello!"
        "#]],
    );
}

#[test]
fn tree_should_build_configmap_layout_and_track_usage() {
    let mut store = FsStore::new();
    let mut tree = FsTree::new("tmpfs", "tmpfs", None, 5);
    tree.write_file_at("..2026_11_24_05_30_00.1/labels", b"app=\"web\"\n", 5).unwrap();
    tree.symlink_at("..data", "..2026_11_24_05_30_00.1", 5).unwrap();
    tree.symlink_at("labels", "..data/labels", 5).unwrap();
    let id = store.insert(tree);
    let ns = MountNamespace::new(MountSpec { fs: id, subpath: String::new(), read_only: true });
    let mut vfs = Vfs::new(&mut store, &ns);
    assert_eq!(vfs.read_file("/labels").unwrap(), b"app=\"web\"\n");
    assert_eq!(vfs.read_link("/labels").unwrap(), "..data/labels");
    assert_eq!(vfs.touch("/labels", 9), Err(Error::ReadOnly));
    let tree = store.get_mut(id).unwrap();
    assert_eq!(tree.used_bytes(), 10);
    tree.remove_at("..2026_11_24_05_30_00.1", 6).unwrap();
    assert_eq!(tree.used_bytes(), 0);
    let snapshot = store.clone();
    assert_eq!(snapshot, store);
}

#[test]
fn vfs_should_deny_non_root_writes_by_mode() {
    let mut store = FsStore::new();
    let mut tree = FsTree::new("overlay", "overlay", None, 0);
    let ino = tree.write_file_at("secret", b"x", 0).unwrap();
    tree.set_mode(ino, 0o600).unwrap();
    let id = store.insert(tree);
    let ns = MountNamespace::new(MountSpec { fs: id, subpath: String::new(), read_only: false });
    let vfs = Vfs::new(&mut store, &ns).with_uid(1000);
    assert_eq!(vfs.read_file("/secret"), Err(Error::PermissionDenied));
}
