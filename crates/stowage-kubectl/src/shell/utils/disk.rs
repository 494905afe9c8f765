//! `df` and `mount`: what a container sees of its mounts, in the userland's own format (GNU coreutils and
//! util-linux in Debian-based images, busybox elsewhere).
//!
//! # ext4 overhead
//! A volume formatted ext4 shows less than its capacity, as `mkfs.ext4 -F -m0` (what the kubelet's and the CSI
//! drivers' mount-utils run) leaves it: 4 KiB blocks, 32768 blocks per group; the inode tables (one 256-byte inode
//! per 16 KiB: 1/64 of the device), the journal (e2fsprogs' default size for the device) and two bitmap blocks per
//! group are not part of `Size`. No blocks are reserved for root (`-m0`), so `Avail` is `Size - Used`. An empty
//! filesystem uses 24 KiB (the root directory and `lost+found`); files count in whole 4 KiB blocks. A 100 GiB volume
//! shows `98G`, 10 GiB `9.8G`, 1 GiB `976M`. Group descriptors and backup superblocks (well under 0.1 %) are left out.

use std::collections::BTreeMap;

use super::{Ctx, getopt, human};

/// Size shown for filesystems without a capacity limit: 64 GiB.
const UNLIMITED_SIZE_BYTES: u64 = 64 << 30;

const EXT4_BLOCK: u64 = 4096;
const EXT4_BLOCKS_PER_GROUP: u64 = 32768;
/// What an empty ext4 filesystem uses: the root directory (4 KiB) and `lost+found` (16 KiB), 24 KiB in `df`.
const EXT4_EMPTY_USED: u64 = 24 << 10;

/// e2fsprogs' `ext2fs_default_journal_size`, in blocks, for a filesystem of `blocks` 4 KiB blocks.
fn ext4_journal_blocks(blocks: u64) -> u64 {
    match blocks {
        0..2048 => 0,
        2048..32_768 => 1024,
        32_768..262_144 => 4096,
        262_144..524_288 => 8192,
        524_288..4_194_304 => 16_384,
        4_194_304..8_388_608 => 32_768,
        8_388_608..16_777_216 => 65_536,
        16_777_216..33_554_432 => 131_072,
        _ => 262_144,
    }
}

/// `(size, used)` of an ext4 filesystem on a device of `capacity` bytes holding `files` bytes (see the module docs).
pub(crate) fn ext4_usage(capacity: u64, files: u64) -> (u64, u64) {
    let blocks = capacity / EXT4_BLOCK;
    let groups = blocks.div_ceil(EXT4_BLOCKS_PER_GROUP);
    let inode_tables = capacity / 64;
    let overhead = inode_tables + (ext4_journal_blocks(blocks) + 2 * groups) * EXT4_BLOCK;
    let size = capacity.saturating_sub(overhead);
    let used = EXT4_EMPTY_USED + files.div_ceil(EXT4_BLOCK) * EXT4_BLOCK;
    (size, used.min(size))
}

/// One row of `df`: sizes in bytes.
struct Row {
    source: String,
    size: u64,
    used: u64,
    available: u64,
    mount_point: String,
}

/// GNU `human_readable` with `-h` as df uses it: powers of 1024, rounded up, one decimal below 10.
fn gnu_human(bytes: u64) -> String {
    const UNITS: [char; 6] = ['K', 'M', 'G', 'T', 'P', 'E'];
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut unit = 0;
    let mut scale: u128 = 1024;
    while u128::from(bytes) >= scale * 1024 && unit + 1 < UNITS.len() {
        scale *= 1024;
        unit += 1;
    }
    let bytes = u128::from(bytes);
    // Tenths, rounded up.
    let tenths = (bytes * 10).div_ceil(scale);
    if tenths < 100 {
        format!("{}.{}{}", tenths / 10, tenths % 10, UNITS[unit])
    } else {
        let whole = bytes.div_ceil(scale);
        if whole >= 1024 && unit + 1 < UNITS.len() {
            format!("1.0{}", UNITS[unit + 1])
        } else {
            format!("{whole}{}", UNITS[unit])
        }
    }
}

/// coreutils df: each column as wide as its widest cell, at least the field's minimum (Filesystem 14, sizes 5,
/// Use% 4); Filesystem and Mounted on left-aligned, the rest right-aligned, one space between.
fn gnu_table(rows: &[Row], readable: bool) -> String {
    let header = [
        "Filesystem",
        if readable { "Size" } else { "1K-blocks" },
        "Used",
        if readable { "Avail" } else { "Available" },
        "Use%",
        "Mounted on",
    ];
    let amount = |bytes: u64| if readable { gnu_human(bytes) } else { bytes.div_ceil(1024).to_string() };
    let mut table: Vec<[String; 6]> = vec![header.map(str::to_string)];
    for row in rows {
        let total = row.used + row.available;
        let percent = if total == 0 {
            "-".to_string()
        } else {
            format!("{}%", (u128::from(row.used) * 100).div_ceil(u128::from(total)))
        };
        table.push([
            row.source.clone(),
            amount(row.size),
            amount(row.used),
            amount(row.available),
            percent,
            row.mount_point.clone(),
        ]);
    }
    let mut widths = [14, 5, 5, 5, 4, 0];
    for line in &table {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for line in &table {
        let mut cells = Vec::with_capacity(6);
        for (i, cell) in line.iter().enumerate() {
            cells.push(match i {
                0 => format!("{cell:<width$}", width = widths[0]),
                5 => cell.clone(),
                _ => format!("{cell:>width$}", width = widths[i]),
            });
        }
        text.push_str(&cells.join(" "));
        text.push('\n');
    }
    text
}

/// busybox df: fixed columns; a device name longer than 20 characters goes on its own line.
fn busybox_table(rows: &[Row], readable: bool) -> String {
    let mut text = if readable {
        "Filesystem                Size      Used Available Use% Mounted on\n".to_string()
    } else {
        "Filesystem           1K-blocks      Used Available Use% Mounted on\n".to_string()
    };
    for row in rows {
        let total = row.used + row.available;
        // Rounded to the nearest percent.
        let percent = (row.used * 100 + total / 2).checked_div(total).unwrap_or(0);
        let (size, used, available) = if readable {
            (human(row.size), human(row.used), human(row.available))
        } else {
            ((row.size / 1024).to_string(), row.used.div_ceil(1024).to_string(), (row.available / 1024).to_string())
        };
        if row.source.len() > 20 {
            text.push_str(&format!("{}\n{:21}", row.source, ""));
        } else {
            text.push_str(&format!("{:<20} ", row.source));
        }
        text.push_str(&format!("{size:>9} {used:>9} {available:>9} {percent:>3}% {}\n", row.mount_point));
    }
    text
}

pub(super) fn df(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("df", args, "hkmPTaiB:t:", ctx) else {
        return 1;
    };
    let gnu = ctx.host.gnu_coreutils();
    let readable = opts.has('h');
    let fs_types: BTreeMap<String, String> = ctx.host.fs().mounts().into_iter().map(|m| (m.path, m.fs_type)).collect();
    let mut stats = Vec::new();
    let mut status = 0;
    if opts.operands.is_empty() {
        for mount in ctx.host.fs().mounts() {
            if let Ok(stat) = ctx.host.fs().statfs(&mount.path) {
                stats.push((stat, mount.path));
            }
        }
    } else {
        for operand in &opts.operands {
            let path = ctx.path(operand);
            match ctx.host.fs().statfs(&path) {
                Ok(stat) => {
                    let mount_point = stat.mount_point.clone();
                    stats.push((stat, mount_point));
                }
                Err(error) => {
                    ctx.eprint(&format!("df: {operand}: {error}\n"));
                    status = 1;
                }
            }
        }
    }
    let rows: Vec<Row> = stats
        .into_iter()
        .map(|(stat, mount_point)| {
            let ext4 = fs_types.get(&mount_point).is_some_and(|t| t == "ext4");
            let (size, used) = match stat.capacity_bytes {
                Some(capacity) if ext4 => ext4_usage(capacity, stat.used_bytes),
                capacity => {
                    let size = capacity.unwrap_or(UNLIMITED_SIZE_BYTES).max(stat.used_bytes);
                    (size, stat.used_bytes)
                }
            };
            Row { source: stat.source, size, used, available: size - used, mount_point }
        })
        .collect();
    let text = if gnu { gnu_table(&rows, readable) } else { busybox_table(&rows, readable) };
    ctx.print(&text);
    status
}

/// The options `/proc/mounts` shows for a mount: `rw`/`ro`, the superblock flags, the per-mount flags in the
/// kernel's order (`relatime` unless another atime mode was asked for), then filesystem-specific options as given.
fn mount_flags(read_only: bool, options: &[String]) -> String {
    let has = |name: &str| options.iter().any(|o| o == name);
    let mut flags = vec![if read_only || has("ro") { "ro" } else { "rw" }.to_string()];
    for flag in ["sync", "dirsync", "mand", "lazytime", "nosuid", "nodev", "noexec", "noatime", "nodiratime"] {
        if has(flag) {
            flags.push(flag.to_string());
        }
    }
    if !has("noatime") && !has("strictatime") {
        flags.push("relatime".to_string());
    }
    const GENERIC: &[&str] = &[
        "rw",
        "ro",
        "defaults",
        "sync",
        "async",
        "dirsync",
        "mand",
        "lazytime",
        "nosuid",
        "suid",
        "nodev",
        "dev",
        "noexec",
        "exec",
        "noatime",
        "atime",
        "nodiratime",
        "diratime",
        "relatime",
        "strictatime",
        "bind",
        "rbind",
        "auto",
        "noauto",
        "user",
        "nouser",
        "_netdev",
    ];
    for option in options {
        if !GENERIC.contains(&option.as_str()) && !flags.contains(option) {
            flags.push(option.clone());
        }
    }
    flags.join(",")
}

pub(super) fn mount(args: &[String], ctx: &mut Ctx) -> i32 {
    if args.iter().any(|arg| !arg.starts_with('-')) {
        ctx.eprint("mount: permission denied (are you root?)\n");
        return 1;
    }
    let mut text = String::new();
    for mount in ctx.host.fs().mounts() {
        let flags = mount_flags(mount.read_only, &mount.options);
        text.push_str(&format!("{} on {} type {} ({flags})\n", mount.source, mount.path, mount.fs_type));
    }
    ctx.print(&text);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ext4_should_show_what_mkfs_leaves() {
        let gib = 1u64 << 30;
        let cases = [(100 * gib, "98G"), (10 * gib, "9.8G"), (gib, "976M"), (500 * gib, "492G")];
        for (capacity, size) in cases {
            let (total, used) = ext4_usage(capacity, 0);
            assert_eq!((gnu_human(total).as_str(), gnu_human(used).as_str()), (size, "24K"), "{capacity}");
        }
        assert_eq!(ext4_usage(gib, 6).1, 28 << 10, "files count in whole blocks");
    }

    #[test]
    fn gnu_human_should_round_up_like_coreutils() {
        let rows = [
            (0, "0"),
            (1000, "1000"),
            (1024, "1.0K"),
            (4096, "4.0K"),
            (4097, "4.1K"),
            (10 * 1024 - 1, "10K"),
            (24 << 10, "24K"),
            (1023 << 10, "1023K"),
            ((1023 << 10) + 1, "1.0M"),
            (64 << 20, "64M"),
            (7_600_000_000, "7.1G"),
        ];
        for (bytes, text) in rows {
            assert_eq!(gnu_human(bytes), text, "{bytes}");
        }
    }

    #[test]
    fn df_tables_should_have_each_userlands_columns() {
        let (size, used) = ext4_usage(100 << 30, 0);
        let rows = [
            Row {
                source: "overlay".to_string(),
                size: 80 << 30,
                used: 4_400_000_000,
                available: (80 << 30) - 4_400_000_000,
                mount_point: "/".to_string(),
            },
            Row {
                source: "/dev/nvme1n1".to_string(),
                size,
                used,
                available: size - used,
                mount_point: "/data".to_string(),
            },
        ];
        assert_eq!(
            gnu_table(&rows, true),
            "Filesystem      Size  Used Avail Use% Mounted on\n\
             overlay          80G  4.1G   76G   6% /\n\
             /dev/nvme1n1     98G   24K   98G   1% /data\n"
        );
        assert_eq!(
            gnu_table(&rows, false),
            "Filesystem     1K-blocks    Used Available Use% Mounted on\n\
             overlay         83886080 4296875  79589205   6% /\n\
             /dev/nvme1n1   102688512      24 102688488   1% /data\n"
        );
        assert_eq!(
            busybox_table(&rows[1..], true),
            "Filesystem                Size      Used Available Use% Mounted on\n\
             /dev/nvme1n1             97.9G     24.0K     97.9G   0% /data\n"
        );
    }

    #[test]
    fn mount_flags_should_follow_proc_mounts() {
        let options = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(mount_flags(false, &[]), "rw,relatime");
        assert_eq!(mount_flags(true, &[]), "ro,relatime");
        assert_eq!(mount_flags(false, &options(&["nodiratime", "noatime"])), "rw,noatime,nodiratime");
        assert_eq!(mount_flags(false, &options(&["discard", "nosuid"])), "rw,nosuid,relatime,discard");
        assert_eq!(mount_flags(false, &options(&["nfsvers=4.1", "hard"])), "rw,relatime,nfsvers=4.1,hard");
    }
}
