//! File utilities: cat, ls, mkdir, touch, rm, rmdir, cp, mv, ln, readlink, stat, df, du, mount, tee, chmod.

use stowage_core::fs::{self, FileKind, Metadata, WriteMode};

use super::{Ctx, getopt, human};
use crate::shell::time::format_date;

pub(super) fn cat(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("cat", args, "nuvetAb", ctx) else {
        return 1;
    };
    let files = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let mut status = 0;
    let mut line_number = 0;
    for file in &files {
        match ctx.read_input(file) {
            Ok(data) => {
                if opts.has('n') {
                    let mut text = String::new();
                    for line in super::lines(&data) {
                        line_number += 1;
                        text.push_str(&format!("{line_number:>6}\t{line}\n"));
                    }
                    ctx.print(&text);
                } else {
                    ctx.out.extend_from_slice(&data);
                }
            }
            Err(fs::Error::IsADirectory) => {
                ctx.eprint("cat: read error: Is a directory\n");
                status = 1;
            }
            Err(error) => {
                ctx.eprint(&format!("cat: can't open '{file}': {error}\n"));
                status = 1;
            }
        }
    }
    status
}

/// `-rw-r--r--` for a file's metadata.
pub(crate) fn mode_string(meta: &Metadata) -> String {
    let mut text = String::with_capacity(10);
    text.push(match meta.kind {
        FileKind::File => '-',
        FileKind::Directory => 'd',
        FileKind::Symlink => 'l',
    });
    for shift in [6, 3, 0] {
        let bits = (meta.mode >> shift) & 7;
        text.push(if bits & 4 != 0 { 'r' } else { '-' });
        text.push(if bits & 2 != 0 { 'w' } else { '-' });
        text.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    if meta.mode & 0o1000 != 0 {
        text.pop();
        text.push(if meta.mode & 1 != 0 { 't' } else { 'T' });
    }
    text
}

fn user_name(uid: u32) -> String {
    if uid == 0 { "root".to_string() } else { uid.to_string() }
}

struct LsOptions {
    long: bool,
    all: bool,
    almost_all: bool,
    recursive: bool,
    directory: bool,
    human: bool,
    reverse: bool,
    by_time: bool,
    classify: bool,
    inode: bool,
}

/// Column widths of GNU `ls -l` (links, owner, group, size), computed over one listing.
type LsWidths = [usize; 4];

fn ls_widths(options: &LsOptions, metas: &[&Metadata]) -> LsWidths {
    let mut widths = [0; 4];
    for meta in metas {
        let size = if options.human { human(meta.size_bytes) } else { meta.size_bytes.to_string() };
        let cells = [meta.nlink.to_string(), user_name(meta.uid), user_name(meta.gid), size];
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.len());
        }
    }
    widths
}

fn ls_entry_line(
    ctx: &mut Ctx,
    options: &LsOptions,
    name: &str,
    path: &str,
    meta: &Metadata,
    gnu: Option<&LsWidths>,
) -> String {
    let mut suffix = String::new();
    if options.classify {
        suffix.push_str(match meta.kind {
            FileKind::Directory => "/",
            FileKind::Symlink => "@",
            FileKind::File if meta.mode & 0o111 != 0 => "*",
            FileKind::File => "",
        });
    }
    let inode = if options.inode { format!("{:>8} ", meta.ino.0) } else { String::new() };
    if !options.long {
        return format!("{inode}{name}{suffix}\n");
    }
    let now = ctx.now_ms();
    let six_months_ms = 183 * 86_400_000;
    let date = if meta.mtime_ms.saturating_add(six_months_ms) > now && meta.mtime_ms <= now.saturating_add(3_600_000) {
        format_date(meta.mtime_ms, "%b %e %H:%M")
    } else {
        format_date(meta.mtime_ms, "%b %e  %Y")
    };
    let size = if options.human { human(meta.size_bytes) } else { meta.size_bytes.to_string() };
    let mut line = match gnu {
        // GNU coreutils: every column as wide as its widest cell, one space apart.
        Some([links, owner, group, bytes]) => format!(
            "{inode}{} {:>links$} {:<owner$} {:<group$} {:>bytes$} {date} {name}",
            mode_string(meta),
            meta.nlink,
            user_name(meta.uid),
            user_name(meta.gid),
            size
        ),
        None => format!(
            "{inode}{} {:>4} {:<8} {:<8} {:>9} {date} {name}",
            mode_string(meta),
            meta.nlink,
            user_name(meta.uid),
            user_name(meta.gid),
            size
        ),
    };
    if meta.kind == FileKind::Symlink {
        if let Ok(target) = ctx.host.fs().read_link(path) {
            line.push_str(&format!(" -> {target}"));
        }
    } else {
        line.push_str(&suffix);
    }
    line.push('\n');
    line
}

fn ls_dir(ctx: &mut Ctx, options: &LsOptions, shown: &str, path: &str, header: bool, out: &mut String) -> i32 {
    let entries = match ctx.host.fs().read_dir(path) {
        Ok(entries) => entries,
        Err(error) => {
            ctx.eprint(&format!("ls: can't open '{shown}': {error}\n"));
            return 1;
        }
    };
    if header {
        out.push_str(&format!("{shown}:\n"));
    }
    let mut rows: Vec<(String, String, Metadata)> = Vec::new();
    if options.all {
        for (name, target) in [(".", path.to_string()), ("..", fs::normalize(&format!("{path}/..")))] {
            if let Ok(meta) = ctx.host.fs().metadata(&target) {
                rows.push((name.to_string(), target, meta));
            }
        }
    }
    for entry in entries {
        if entry.name.starts_with('.') && !options.all && !options.almost_all {
            continue;
        }
        let child = if path == "/" { format!("/{}", entry.name) } else { format!("{path}/{}", entry.name) };
        if let Ok(meta) = ctx.host.fs().symlink_metadata(&child) {
            rows.push((entry.name, child, meta));
        }
    }
    if options.by_time {
        rows.sort_by(|a, b| b.2.mtime_ms.cmp(&a.2.mtime_ms).then_with(|| a.0.cmp(&b.0)));
    }
    if options.reverse {
        rows.reverse();
    }
    if options.long {
        let blocks: u64 = rows.iter().map(|(_, _, meta)| blocks_kib(meta)).sum();
        out.push_str(&format!("total {blocks}\n"));
    }
    let widths = ctx.host.gnu_coreutils().then(|| ls_widths(options, &rows.iter().map(|r| &r.2).collect::<Vec<_>>()));
    for (name, child, meta) in &rows {
        let line = ls_entry_line(ctx, options, name, child, meta, widths.as_ref());
        out.push_str(&line);
    }
    let mut status = 0;
    if options.recursive {
        for (name, child, meta) in rows {
            if meta.kind == FileKind::Directory && name != "." && name != ".." {
                let shown_child =
                    if shown.ends_with('/') { format!("{shown}{name}") } else { format!("{shown}/{name}") };
                out.push('\n');
                status |= ls_dir(ctx, options, &shown_child, &child, true, out);
            }
        }
    }
    status
}

/// Disk usage of one inode in KiB, as 4 KiB blocks.
fn blocks_kib(meta: &Metadata) -> u64 {
    meta.blocks_kib
}

pub(super) fn ls(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("ls", args, "laA1RdhrtFicCpSsx", ctx) else {
        return 1;
    };
    let options = LsOptions {
        long: opts.has('l'),
        all: opts.has('a'),
        almost_all: opts.has('A'),
        recursive: opts.has('R'),
        directory: opts.has('d'),
        human: opts.has('h'),
        reverse: opts.has('r'),
        by_time: opts.has('t'),
        classify: opts.has('F') || opts.has('p'),
        inode: opts.has('i'),
    };
    let operands = if opts.operands.is_empty() { vec![".".to_string()] } else { opts.operands.clone() };
    let mut status = 0;
    let gnu = ctx.host.gnu_coreutils();
    let mut files: Vec<(String, String, Metadata)> = Vec::new();
    let mut dirs = Vec::new();
    for operand in &operands {
        let path = ctx.path(operand);
        let follow = !options.long && !options.directory;
        let meta = if follow { ctx.host.fs().metadata(&path) } else { ctx.host.fs().symlink_metadata(&path) };
        let meta = match meta {
            Ok(meta) => meta,
            Err(error) => {
                if gnu {
                    ctx.eprint(&format!("ls: cannot access '{operand}': {error}\n"));
                } else {
                    ctx.eprint(&format!("ls: {operand}: {error}\n"));
                }
                status = 2;
                continue;
            }
        };
        let is_dir = meta.kind == FileKind::Directory
            || (meta.kind == FileKind::Symlink
                && !options.directory
                && ctx.host.fs().metadata(&path).is_ok_and(|m| m.kind == FileKind::Directory)
                && operand.ends_with('/'));
        if is_dir && !options.directory {
            dirs.push((operand.clone(), path));
        } else {
            files.push((operand.clone(), path, meta));
        }
    }
    // Both ls implementations list file operands, then directories, each sorted by name.
    files.sort_by(|a, b| a.0.cmp(&b.0));
    dirs.sort();
    if options.reverse {
        files.reverse();
        dirs.reverse();
    }
    let widths = gnu.then(|| ls_widths(&options, &files.iter().map(|f| &f.2).collect::<Vec<_>>()));
    let mut out = String::new();
    for (operand, path, meta) in &files {
        let line = ls_entry_line(ctx, &options, operand, path, meta, widths.as_ref());
        out.push_str(&line);
    }
    let headers = operands.len() > 1 || options.recursive;
    for (index, (shown, path)) in dirs.iter().enumerate() {
        if index > 0 || !out.is_empty() {
            out.push('\n');
        }
        status |= ls_dir(ctx, &options, shown, path, headers, &mut out);
    }
    ctx.print(&out);
    status
}

pub(super) fn mkdir(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("mkdir", args, "pm:v", ctx) else {
        return 1;
    };
    let mode = opts.value('m').and_then(|m| u32::from_str_radix(m, 8).ok()).unwrap_or(0o755);
    let mut status = 0;
    let now = ctx.now_ms();
    for dir in &opts.operands {
        let path = ctx.path(dir);
        let result = if opts.has('p') {
            ctx.host.fs().create_dir_all(&path, now)
        } else {
            ctx.host.fs().create_dir(&path, mode, now)
        };
        if let Err(error) = result {
            ctx.eprint(&format!("mkdir: can't create directory '{dir}': {error}\n"));
            status = 1;
        }
    }
    if opts.operands.is_empty() {
        ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: mkdir [-m MODE] [-p] DIRECTORY...\n");
        return 1;
    }
    status
}

pub(super) fn touch(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("touch", args, "cahmd:t:r:", ctx) else {
        return 1;
    };
    let mut status = 0;
    let now = ctx.now_ms();
    for file in &opts.operands {
        let path = ctx.path(file);
        if opts.has('c') && !ctx.host.fs().exists(&path) {
            continue;
        }
        if let Err(error) = ctx.host.fs().touch(&path, now) {
            ctx.eprint(&format!("touch: {file}: {error}\n"));
            status = 1;
        }
    }
    status
}

pub(super) fn rm(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("rm", args, "rRfiv", ctx) else {
        return 1;
    };
    let recursive = opts.has('r') || opts.has('R');
    let force = opts.has('f');
    let mut status = 0;
    let now = ctx.now_ms();
    for file in &opts.operands {
        let path = ctx.path(file);
        let meta = match ctx.host.fs().symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(error) => {
                if !force {
                    ctx.eprint(&format!("rm: can't remove '{file}': {error}\n"));
                    status = 1;
                }
                continue;
            }
        };
        let result = match (meta.kind, recursive) {
            (FileKind::Directory, false) => Err(fs::Error::IsADirectory),
            (FileKind::Directory, true) => ctx.host.fs().remove_all(&path, now),
            _ => ctx.host.fs().remove_file(&path, now),
        };
        if let Err(error) = result {
            ctx.eprint(&format!("rm: can't remove '{file}': {error}\n"));
            status = 1;
        }
    }
    status
}

pub(super) fn rmdir(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut status = 0;
    let now = ctx.now_ms();
    for dir in args.iter().filter(|arg| !arg.starts_with('-')) {
        let path = ctx.path(dir);
        if let Err(error) = ctx.host.fs().remove_dir(&path, now) {
            ctx.eprint(&format!("rmdir: '{dir}': {error}\n"));
            status = 1;
        }
    }
    status
}

/// Copies `from` to `to` (both absolute), recursively for directories.
fn copy_tree(ctx: &mut Ctx, from: &str, to: &str, depth: u32) -> Result<(), fs::Error> {
    if depth > 64 {
        return Err(fs::Error::Loop);
    }
    let now = ctx.now_ms();
    let meta = ctx.host.fs().metadata(from)?;
    if meta.kind == FileKind::Directory {
        if to == from || to.starts_with(&format!("{from}/")) {
            return Err(fs::Error::InvalidArgument);
        }
        match ctx.host.fs().metadata(to) {
            Ok(existing) if existing.kind == FileKind::Directory => {}
            Ok(_) => return Err(fs::Error::NotADirectory),
            Err(_) => ctx.host.fs().create_dir(to, meta.mode, now)?,
        }
        for entry in ctx.host.fs().read_dir(from)? {
            copy_tree(ctx, &format!("{from}/{}", entry.name), &format!("{to}/{}", entry.name), depth + 1)?;
        }
        Ok(())
    } else {
        let data = ctx.host.fs().read_file(from)?;
        ctx.host.fs().write_file(to, &data, WriteMode::Truncate, now)
    }
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or(path)
}

/// Where `SOURCE` goes for `cp`/`mv SOURCE... DEST`.
fn destination(ctx: &mut Ctx, source: &str, dest: &str, many: bool) -> Result<String, String> {
    let dest_path = ctx.path(dest);
    let dest_is_dir = ctx.host.fs().metadata(&dest_path).is_ok_and(|meta| meta.kind == FileKind::Directory);
    if dest_is_dir {
        Ok(fs::normalize(&format!("{dest_path}/{}", base_name(source))))
    } else if many {
        Err(format!("'{dest}' is not a directory"))
    } else {
        Ok(dest_path)
    }
}

pub(super) fn cp(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("cp", args, "rRapfivdPLHnTu", ctx) else {
        return 1;
    };
    let recursive = opts.has('r') || opts.has('R') || opts.has('a');
    let Some((dest, sources)) = opts.operands.split_last() else {
        ctx.eprint("cp: missing file operand\n");
        return 1;
    };
    if sources.is_empty() {
        ctx.eprint(&format!("cp: missing destination file operand after '{dest}'\n"));
        return 1;
    }
    let mut status = 0;
    for source in sources {
        let source_path = ctx.path(source);
        let meta = match ctx.host.fs().metadata(&source_path) {
            Ok(meta) => meta,
            Err(error) => {
                ctx.eprint(&format!("cp: can't stat '{source}': {error}\n"));
                status = 1;
                continue;
            }
        };
        if meta.kind == FileKind::Directory && !recursive {
            ctx.eprint(&format!("cp: omitting directory '{source}'\n"));
            status = 1;
            continue;
        }
        let target = match destination(ctx, source, dest, sources.len() > 1) {
            Ok(target) => target,
            Err(message) => {
                ctx.eprint(&format!("cp: {message}\n"));
                return 1;
            }
        };
        if let Err(error) = copy_tree(ctx, &source_path, &target, 0) {
            ctx.eprint(&format!("cp: can't create '{target}': {error}\n"));
            status = 1;
        }
    }
    status
}

pub(super) fn mv(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("mv", args, "fivnT", ctx) else {
        return 1;
    };
    let Some((dest, sources)) = opts.operands.split_last() else {
        ctx.eprint("mv: missing file operand\n");
        return 1;
    };
    if sources.is_empty() {
        ctx.eprint(&format!("mv: missing destination file operand after '{dest}'\n"));
        return 1;
    }
    let mut status = 0;
    let now = ctx.now_ms();
    for source in sources {
        let source_path = ctx.path(source);
        let target = match destination(ctx, source, dest, sources.len() > 1) {
            Ok(target) => target,
            Err(message) => {
                ctx.eprint(&format!("mv: {message}\n"));
                return 1;
            }
        };
        let result = match ctx.host.fs().rename(&source_path, &target, now) {
            Err(fs::Error::CrossDevice) => {
                copy_tree(ctx, &source_path, &target, 0).and_then(|()| ctx.host.fs().remove_all(&source_path, now))
            }
            other => other,
        };
        if let Err(error) = result {
            ctx.eprint(&format!("mv: can't rename '{source}': {error}\n"));
            status = 1;
        }
    }
    status
}

pub(super) fn ln(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("ln", args, "sfnvT", ctx) else {
        return 1;
    };
    let (target, link) = match opts.operands.as_slice() {
        [target] => (target.clone(), base_name(target).to_string()),
        [target, link] => (target.clone(), link.clone()),
        _ => {
            ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: ln [-sfnbtv] [-S SUF] TARGET... LINK|DIR\n");
            return 1;
        }
    };
    let mut link_path = ctx.path(&link);
    if !opts.has('n') && ctx.host.fs().metadata(&link_path).is_ok_and(|meta| meta.kind == FileKind::Directory) {
        link_path = fs::normalize(&format!("{link_path}/{}", base_name(&target)));
    }
    if !opts.has('s') {
        ctx.eprint(&format!("ln: {link}: Operation not permitted\n"));
        return 1;
    }
    let now = ctx.now_ms();
    if opts.has('f') && ctx.host.fs().symlink_metadata(&link_path).is_ok() {
        let _ = ctx.host.fs().remove_file(&link_path, now);
    }
    match ctx.host.fs().symlink(&target, &link_path, now) {
        Ok(()) => 0,
        Err(error) => {
            ctx.eprint(&format!("ln: {link}: {error}\n"));
            1
        }
    }
}

pub(super) fn readlink(applet: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let canonical =
        applet == "realpath" || args.iter().any(|arg| arg.starts_with('-') && (arg.contains('f') || arg.contains('e')));
    let mut status = 0;
    for file in args.iter().filter(|arg| !arg.starts_with('-')) {
        let path = ctx.path(file);
        let result = if canonical { ctx.host.fs().canonicalize(&path) } else { ctx.host.fs().read_link(&path) };
        match result {
            Ok(text) => ctx.print(&format!("{text}\n")),
            Err(error) => {
                if applet == "realpath" {
                    ctx.eprint(&format!("realpath: {file}: {error}\n"));
                }
                status = 1;
            }
        }
    }
    status
}

fn file_type(meta: &Metadata) -> &'static str {
    match meta.kind {
        FileKind::File if meta.size_bytes == 0 => "regular empty file",
        FileKind::File => "regular file",
        FileKind::Directory => "directory",
        FileKind::Symlink => "symbolic link",
    }
}

pub(super) fn stat(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("stat", args, "c:LtfZ", ctx) else {
        return 1;
    };
    let mut status = 0;
    for file in &opts.operands {
        let path = ctx.path(file);
        let meta = if opts.has('L') { ctx.host.fs().metadata(&path) } else { ctx.host.fs().symlink_metadata(&path) };
        let meta = match meta {
            Ok(meta) => meta,
            Err(error) => {
                ctx.eprint(&format!("stat: can't stat '{file}': {error}\n"));
                status = 1;
                continue;
            }
        };
        let mtime = format_date(meta.mtime_ms, "%Y-%m-%d %H:%M:%S.%N +0000");
        if let Some(format) = opts.value('c') {
            let mut text = String::new();
            let mut chars = format.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    text.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => text.push_str(file),
                    Some('N') => {
                        text.push_str(&format!("'{file}'"));
                        if meta.kind == FileKind::Symlink
                            && let Ok(target) = ctx.host.fs().read_link(&path)
                        {
                            text.push_str(&format!(" -> '{target}'"));
                        }
                    }
                    Some('s') => text.push_str(&meta.size_bytes.to_string()),
                    Some('a') => text.push_str(&format!("{:o}", meta.mode)),
                    Some('A') => text.push_str(&mode_string(&meta)),
                    Some('u') => text.push_str(&meta.uid.to_string()),
                    Some('g') => text.push_str(&meta.gid.to_string()),
                    Some('U') => text.push_str(&user_name(meta.uid)),
                    Some('G') => text.push_str(&user_name(meta.gid)),
                    Some('F') => text.push_str(file_type(&meta)),
                    Some('h') => text.push_str(&meta.nlink.to_string()),
                    Some('i') => text.push_str(&meta.ino.0.to_string()),
                    Some('Y') => text.push_str(&(meta.mtime_ms / 1000).to_string()),
                    Some('y') => text.push_str(&mtime),
                    Some('%') => text.push('%'),
                    Some(other) => {
                        text.push('?');
                        let _ = other;
                    }
                    None => text.push('%'),
                }
            }
            text.push('\n');
            ctx.print(&text);
            continue;
        }
        let name = match (meta.kind, ctx.host.fs().read_link(&path)) {
            (FileKind::Symlink, Ok(target)) => format!("'{file}' -> '{target}'"),
            _ => file.to_string(),
        };
        let blocks = blocks_kib(&meta) * 2;
        ctx.print(&format!(
            "  File: {name}\n  Size: {:<10}\tBlocks: {:<10} IO Block: 4096   {}\nDevice: {:x}h/{}d\tInode: {:<11} Links: {}\nAccess: ({:04o}/{})  Uid: ({:>5}/{:>8})   Gid: ({:>5}/{:>8})\nAccess: {mtime}\nModify: {mtime}\nChange: {mtime}\n",
            meta.size_bytes,
            blocks,
            file_type(&meta),
            meta.fs.0,
            meta.fs.0,
            meta.ino.0,
            meta.nlink,
            meta.mode,
            mode_string(&meta),
            meta.uid,
            user_name(meta.uid),
            meta.gid,
            user_name(meta.gid),
        ));
    }
    status
}

/// What `du` prints: every file (`-a`), only the totals (`-s`), human sizes (`-h`).
#[derive(Clone, Copy)]
struct DuOptions {
    all: bool,
    summary: bool,
    readable: bool,
}

fn du_walk(ctx: &mut Ctx, path: &str, shown: &str, options: DuOptions, depth: u32, out: &mut String) -> u64 {
    let DuOptions { all, summary, readable } = options;
    let Ok(meta) = ctx.host.fs().symlink_metadata(path) else {
        return 0;
    };
    let mut total = blocks_kib(&meta);
    if meta.kind == FileKind::Directory && depth < 64 {
        let entries = ctx.host.fs().read_dir(path).unwrap_or_default();
        for entry in entries {
            let child = if path == "/" { format!("/{}", entry.name) } else { format!("{path}/{}", entry.name) };
            let child_shown =
                if shown.ends_with('/') { format!("{shown}{}", entry.name) } else { format!("{shown}/{}", entry.name) };
            total += du_walk(ctx, &child, &child_shown, options, depth + 1, out);
        }
    }
    let print = depth == 0 || (!summary && (meta.kind == FileKind::Directory || all));
    if print {
        let size = if readable { human(total * 1024) } else { total.to_string() };
        out.push_str(&format!("{size}\t{shown}\n"));
    }
    total
}

pub(super) fn du(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("du", args, "shakmcxLd:", ctx) else {
        return 1;
    };
    let operands = if opts.operands.is_empty() { vec![".".to_string()] } else { opts.operands.clone() };
    let mut status = 0;
    let mut out = String::new();
    for operand in &operands {
        let path = ctx.path(operand);
        if let Err(error) = ctx.host.fs().symlink_metadata(&path) {
            ctx.eprint(&format!("du: {operand}: {error}\n"));
            status = 1;
            continue;
        }
        let options = DuOptions { all: opts.has('a'), summary: opts.has('s'), readable: opts.has('h') };
        du_walk(ctx, &path, operand, options, 0, &mut out);
    }
    ctx.print(&out);
    status
}

pub(super) fn tee(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("tee", args, "ai", ctx) else {
        return 1;
    };
    let data = ctx.stdin();
    let now = ctx.now_ms();
    let mode = if opts.has('a') { WriteMode::Append } else { WriteMode::Truncate };
    let mut status = 0;
    for file in &opts.operands {
        let path = ctx.path(file);
        if let Err(error) = ctx.host.fs().write_file(&path, &data, mode, now) {
            ctx.eprint(&format!("tee: {file}: {error}\n"));
            status = 1;
        }
    }
    ctx.out.extend_from_slice(&data);
    status
}

pub(super) fn chmod(args: &[String], ctx: &mut Ctx) -> i32 {
    let operands: Vec<&String> = args
        .iter()
        .filter(|arg| !(arg.starts_with('-') && arg.len() == 2 && !matches!(arg.as_str(), "-x" | "-w" | "-r")))
        .collect();
    let Some((spec, files)) = operands.split_first() else {
        ctx.eprint("chmod: missing operand\n");
        return 1;
    };
    let mut status = 0;
    for file in files {
        let path = ctx.path(file);
        let current = match ctx.host.fs().metadata(&path) {
            Ok(meta) => meta.mode,
            Err(error) => {
                ctx.eprint(&format!("chmod: {file}: {error}\n"));
                status = 1;
                continue;
            }
        };
        let Some(mode) = parse_mode(spec, current) else {
            ctx.eprint(&format!("chmod: invalid mode '{spec}'\n"));
            return 1;
        };
        if let Err(error) = ctx.host.fs().set_mode(&path, mode) {
            ctx.eprint(&format!("chmod: {file}: {error}\n"));
            status = 1;
        }
    }
    status
}

fn parse_mode(spec: &str, current: u32) -> Option<u32> {
    if let Ok(mode) = u32::from_str_radix(spec, 8) {
        return Some(mode & 0o7777);
    }
    let mut mode = current;
    for clause in spec.split(',') {
        let op_at = clause.find(['+', '-', '='])?;
        let (who, rest) = clause.split_at(op_at);
        let (op, perms) = rest.split_at(1);
        let who_mask = if who.is_empty() || who.contains('a') {
            0o777
        } else {
            who.chars()
                .map(|c| match c {
                    'u' => 0o700,
                    'g' => 0o070,
                    'o' => 0o007,
                    _ => 0,
                })
                .sum()
        };
        let bits: u32 = perms
            .chars()
            .map(|c| match c {
                'r' => 0o444,
                'w' => 0o222,
                'x' => 0o111,
                _ => 0,
            })
            .sum::<u32>()
            & who_mask;
        match op {
            "+" => mode |= bits,
            "-" => mode &= !bits,
            _ => mode = (mode & !who_mask) | bits,
        }
    }
    Some(mode)
}
