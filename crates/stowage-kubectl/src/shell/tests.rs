//! Shell tests: scripts in, stdout/stderr/exit out, against an in-memory pod filesystem.

use expect_test::{Expect, expect};
use stowage_core::fs::{FsStore, FsTree, MountNamespace, MountSpec, Vfs};

use super::*;

/// 2026-11-24 05:30:00 UTC.
const START_MS: u64 = 1_795_498_200_000;

/// A pod's view: an overlay root, an emptyDir at /scratch, a disk at /data, downward API at /etc/pod-info.
struct TestHost {
    store: FsStore,
    ns: MountNamespace,
    now_ms: u64,
    rng: u32,
    /// Containers suspend on `sleep`; the terminal advances time.
    suspend_sleep: bool,
    log: Vec<u8>,
}

impl TestHost {
    fn new(suspend_sleep: bool) -> TestHost {
        let mut store = FsStore::new();
        let mut root = FsTree::new("overlay", "overlay", Some(10 << 30), START_MS);
        for dir in ["tmp", "root", "bin", "var/log"] {
            root.mkdir_all(dir, START_MS).unwrap();
        }
        root.write_file_at("etc/hostname", b"web-0\n", START_MS).unwrap();
        root.write_file_at("etc/os-release", b"NAME=\"BusyBox\"\nVERSION_ID=1.36.1\n", START_MS).unwrap();
        let root = store.insert(root);
        let scratch = store.insert(FsTree::new("tmpfs", "tmpfs", Some(1 << 20), START_MS));
        let disk = store.insert(FsTree::new("/dev/sdb", "ext4", Some(1 << 30), START_MS));
        let mut info = FsTree::new("tmpfs", "tmpfs", None, START_MS);
        let stamp = "..2026_11_24_05_30_00.123";
        info.write_file_at(&format!("{stamp}/labels"), b"app=\"web\"\ntier=\"frontend\"", START_MS).unwrap();
        info.write_file_at(&format!("{stamp}/annotations"), b"owner=\"storage-team\"", START_MS).unwrap();
        info.symlink_at("..data", stamp, START_MS).unwrap();
        info.symlink_at("labels", "..data/labels", START_MS).unwrap();
        info.symlink_at("annotations", "..data/annotations", START_MS).unwrap();
        let info = store.insert(info);
        let mut ns = MountNamespace::new(MountSpec { fs: root, subpath: String::new(), read_only: false });
        ns.mount("/scratch", MountSpec { fs: scratch, subpath: String::new(), read_only: false });
        ns.mount("/data", MountSpec { fs: disk, subpath: String::new(), read_only: false });
        ns.mount("/etc/pod-info", MountSpec { fs: info, subpath: String::new(), read_only: true });
        TestHost { store, ns, now_ms: START_MS, rng: 42, suspend_sleep, log: Vec::new() }
    }
}

impl Host for TestHost {
    fn fs(&mut self) -> Vfs<'_> {
        Vfs::new(&mut self.store, &self.ns)
    }
    fn now_ms(&self) -> u64 {
        self.now_ms
    }
    fn random_u32(&mut self) -> u32 {
        self.rng = self.rng.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        self.rng >> 8
    }
    fn write(&mut self, _stream: Stream, bytes: &[u8]) {
        self.log.extend_from_slice(bytes);
    }
    fn sleep(&mut self, duration_ms: u64) -> SleepOutcome {
        if self.suspend_sleep {
            SleepOutcome::Suspend
        } else {
            self.now_ms += duration_ms;
            SleepOutcome::Done
        }
    }
    fn hostname(&self) -> String {
        "web-0".to_string()
    }
    fn environment(&self) -> Vec<(String, String)> {
        vec![("HOME".into(), "/root".into()), ("POD_NAME".into(), "web-0".into())]
    }
    fn external(&mut self, argv: &[String], _env: &[(String, String)], stdin: &[u8]) -> Option<ExternalOutput> {
        if argv[0] != "kubectl" {
            return None;
        }
        let stdout = match argv.get(1).map(String::as_str) {
            Some("apply") => format!("applied {} bytes\n", stdin.len()).into_bytes(),
            _ => b"NAME    READY   STATUS    RESTARTS   AGE\nweb-0   1/1     Running   0          5m\n".to_vec(),
        };
        Some(ExternalOutput { stdout, stderr: Vec::new(), exit_code: 0 })
    }
    fn dns_lookup(&mut self, name: &str) -> DnsAnswer {
        let records = if name.starts_with("web") {
            vec![("web.default.svc.cluster.local".to_string(), "10.96.12.7".to_string())]
        } else {
            Vec::new()
        };
        DnsAnswer { server: "10.96.0.10".into(), records }
    }
    fn http_get(&mut self, url: &str) -> Result<HttpResponse, String> {
        match url {
            "http://web" | "http://web/" => Ok(HttpResponse { status: 200, body: b"<h1>hello</h1>\n".to_vec() }),
            "http://web/missing" => Ok(HttpResponse { status: 404, body: b"not found\n".to_vec() }),
            _ => Err("Connection refused".into()),
        }
    }
}

fn show(output: &Output) -> String {
    let mut text = output.stdout.clone();
    if !output.stderr.is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&output.stderr);
    }
    text.push_str(&format!("--- exit {}\n", output.exit_code));
    text
}

/// Runs a script in the terminal (sleep advances time).
#[track_caller]
fn check(script: &str, expect: Expect) {
    let mut host = TestHost::new(false);
    let output = run_to_completion(script, &mut host, STEP_BUDGET_DEFAULT);
    expect.assert_eq(&show(&output));
}

/// Runs lines one after another in one interactive shell.
#[track_caller]
fn check_session(lines: &[&str], expect: Expect) {
    let mut host = TestHost::new(false);
    let mut shell = Process::interactive();
    let mut text = String::new();
    for line in lines {
        text.push_str(&format!("$ {line}\n"));
        text.push_str(&show(&shell.run_line(line, &mut host, STEP_BUDGET_DEFAULT)));
    }
    expect.assert_eq(&text);
}

/// Runs a container process: resume, then advance time by each step (ms), logging polls and output.
#[track_caller]
fn check_container(argv: &[&str], advances_ms: &[u64], expect: Expect) {
    let mut host = TestHost::new(true);
    let argv: Vec<String> = argv.iter().map(|arg| arg.to_string()).collect();
    let mut process = Process::from_argv(&argv);
    let mut text = String::new();
    let mut advances = advances_ms.iter();
    loop {
        let poll = process.resume(&mut host, 10_000);
        let log = String::from_utf8_lossy(&std::mem::take(&mut host.log)).into_owned();
        text.push_str(&format!("t+{}s {poll:?}\n", (host.now_ms - START_MS) / 1000));
        for line in log.lines() {
            text.push_str(&format!("  | {line}\n"));
        }
        if let Poll::Exited(_) = poll {
            break;
        }
        let Some(advance) = advances.next() else {
            break;
        };
        // Snapshots must resume identically: continue from a clone.
        process = process.clone();
        host.now_ms += advance;
    }
    expect.assert_eq(&text);
}

#[test]
fn shell_should_keep_data_or_report_missing_file() {
    check(
        r#"cat /tmp/data.txt 2>/dev/null || echo 'FILE NOT FOUND'
echo 'important data' > /tmp/data.txt && cat /tmp/data.txt
cat /tmp/nope"#,
        expect![[r#"
            FILE NOT FOUND
            important data
            --- stderr
            cat: can't open '/tmp/nope': No such file or directory
            --- exit 1
        "#]],
    );
}

#[test]
fn container_should_suspend_in_sleep_after_writing() {
    check_container(
        &["sh", "-c", "echo 'important data' > /tmp/data.txt && sleep 3600"],
        &[1_800_000, 1_800_000],
        expect![[r#"
            t+0s Sleep { until_ms: 1795501800000 }
            t+1800s Sleep { until_ms: 1795501800000 }
            t+3600s Exited(0)
        "#]],
    );
}

#[test]
fn writer_loop_should_append_a_line_per_resume() {
    let mut host = TestHost::new(true);
    let mut process = Process::new("while true; do date >> /scratch/log.txt; sleep 5; done");
    let mut polls = Vec::new();
    for _ in 0..4 {
        polls.push(format!("{:?}", process.resume(&mut host, 10_000)));
        host.now_ms += 5_000;
    }
    let log = Vfs::new(&mut host.store, &host.ns).read_file("/scratch/log.txt").unwrap();
    let text = format!("{}\n{}", polls.join("\n"), String::from_utf8_lossy(&log));
    expect![[r#"
        Sleep { until_ms: 1795498205000 }
        Sleep { until_ms: 1795498210000 }
        Sleep { until_ms: 1795498215000 }
        Sleep { until_ms: 1795498220000 }
        Tue Nov 24 05:30:00 UTC 2026
        Tue Nov 24 05:30:05 UTC 2026
        Tue Nov 24 05:30:10 UTC 2026
        Tue Nov 24 05:30:15 UTC 2026
    "#]]
    .assert_eq(&text);
}

#[test]
fn tail_f_should_follow_a_file_written_by_a_background_job() {
    check_container(
        &[
            "sh",
            "-c",
            "i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo line $i >> /scratch/log.txt; sleep 5; done & sleep 1; tail -f /scratch/log.txt",
        ],
        &[1_000, 5_000, 5_000, 5_000],
        expect![[r#"
            t+0s Sleep { until_ms: 1795498201000 }
            t+1s Sleep { until_ms: 1795498205000 }
              | line 1
            t+6s Sleep { until_ms: 1795498211000 }
              | line 2
            t+11s Sleep { until_ms: 1795498216000 }
              | line 3
            t+16s WaitInput
        "#]],
    );
}

#[test]
fn counter_loop_should_count_on_simulated_time() {
    let mut host = TestHost::new(true);
    let mut process = Process::new("i=0; while true; do i=$((i+1)); echo $i > /data/counter; sleep 1; done");
    for _ in 0..5 {
        process.resume(&mut host, 10_000);
        host.now_ms += 1_000;
    }
    let snapshot = process.clone();
    let counter = Vfs::new(&mut host.store, &host.ns).read_file("/data/counter").unwrap();
    assert_eq!(counter, b"5\n");
    let mut other = snapshot;
    other.resume(&mut host, 10_000);
    let counter = Vfs::new(&mut host.store, &host.ns).read_file("/data/counter").unwrap();
    assert_eq!(counter, b"6\n");
}

#[test]
fn pod_info_should_list_downward_api_files() {
    check(
        "ls -la /etc/pod-info/ && cat /etc/pod-info/labels",
        expect![[r#"
            total 4
            drwxr-xr-x    3 root     root           120 Nov 24 05:30 .
            drwxr-xr-x    1 root     root          4096 Nov 24 05:30 ..
            drwxr-xr-x    2 root     root            80 Nov 24 05:30 ..2026_11_24_05_30_00.123
            lrwxrwxrwx    1 root     root            25 Nov 24 05:30 ..data -> ..2026_11_24_05_30_00.123
            lrwxrwxrwx    1 root     root            18 Nov 24 05:30 annotations -> ..data/annotations
            lrwxrwxrwx    1 root     root            13 Nov 24 05:30 labels -> ..data/labels
            app="web"
            tier="frontend"--- exit 0
        "#]],
    );
}

#[test]
fn heredoc_should_write_a_manifest_and_read_it_back() {
    check(
        r#"cat <<EOF > pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: $POD_NAME
EOF
cat pod.yaml
cat <<'EOF'
literal $HOME `x`
EOF
	cat <<-EOF
	tab stripped
	EOF
kubectl apply -f - < pod.yaml"#,
        expect![[r#"
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-0
            literal $HOME `x`
            tab stripped
            applied 49 bytes
            --- exit 0
        "#]],
    );
}

#[test]
fn shell_should_expand_words() {
    check(
        r#"x=hello; y="a  b"
echo $x ${x}! "${unset:-default}" ${#x} ${x%lo} ${x#h}
echo $y "$y"
echo $((1 + 2 * 3)) $((10 / 3)) $((7 % 3)) $((2 ** 10)) $((x = 4, x * x))
echo "$(echo inner; echo lines)" `echo back`
echo \$x '$x' "\$x" ~ ~/bin
set -- one "two three"; echo $# "$@" $1
echo $RANDOM $RANDOM
echo /etc/os-*  /nope/*
f() { echo "args: $*"; return 3; }; f a b; echo "status $?"
echo $$ $0"#,
        expect![[r#"
            hello hello! default 5 hel ello
            a b a  b
            7 3 1 1024 16
            inner
            lines back
            $x $x $x /root /root/bin
            2 one two three one
            2318 2411
            /etc/os-release /nope/*
            args: a b
            status 3
            1 sh
            --- exit 0
        "#]],
    );
}

#[test]
fn shell_should_run_control_flow() {
    check(
        r#"for i in 1 2 3 4 5; do
  if [ $i -eq 2 ]; then continue; elif [ $i -eq 4 ]; then break; else echo "i=$i"; fi
done
n=0; until [ $n -ge 2 ]; do n=$((n+1)); done; echo n=$n
case "pod.yaml" in *.json) echo json;; *.yaml|*.yml) echo yaml;; *) echo other;; esac
! false && echo negated
true && false || echo fallback
(cd /tmp; pwd); pwd
{ echo a; echo b; } | wc -l
echo one | { read first; echo "got $first"; }
while read line; do echo "> $line"; done < /etc/os-release
exit 4; echo unreachable"#,
        expect![[r#"
            i=1
            i=3
            n=2
            yaml
            negated
            fallback
            /tmp
            /
            2
            got one
            > NAME="BusyBox"
            > VERSION_ID=1.36.1
            --- exit 4
        "#]],
    );
}

#[test]
fn shell_should_redirect() {
    check(
        r#"echo out; echo err >&2
ls /nope 2>/dev/null; echo "ls status $?"
ls /nope > /tmp/both.txt 2>&1; cat /tmp/both.txt
echo first > /tmp/f; echo second >> /tmp/f; cat < /tmp/f
echo x > /nope/file
echo ro > /etc/pod-info/x
cat /dev/null; echo "nothing" > /dev/null"#,
        expect![[r#"
            out
            ls status 2
            ls: /nope: No such file or directory
            first
            second
            --- stderr
            err
            sh: can't create /nope/file: nonexistent directory
            sh: can't create /etc/pod-info/x: Read-only file system
            --- exit 0
        "#]],
    );
}

#[test]
fn shell_should_report_errors_like_ash() {
    check(
        "foo --bar",
        expect![[r#"
        --- stderr
        sh: foo: not found
        --- exit 127
    "#]],
    );
    check(
        "echo 'unterminated",
        expect![[r#"
        --- stderr
        sh: syntax error: unterminated quoted string
        --- exit 2
    "#]],
    );
    check(
        "if true; then echo x",
        expect![[r#"
        --- stderr
        sh: syntax error: unexpected end of file (expecting "fi")
        --- exit 2
    "#]],
    );
    check(
        "cat <<EOF\nno end",
        expect![[r#"
        --- stderr
        sh: syntax error: unexpected end of file (expecting "EOF")
        --- exit 2
    "#]],
    );
    check(
        "echo a; fi",
        expect![[r#"
        --- stderr
        sh: syntax error: unexpected "fi"
        --- exit 2
    "#]],
    );
    check(
        "echo ${x:?is required}; echo after",
        expect![[r#"
        --- stderr
        sh: x: is required
        --- exit 2
    "#]],
    );
    check(
        "echo $((1 / 0))",
        expect![[r#"
        --- stderr
        sh: divide by zero
        --- exit 2
    "#]],
    );
}

#[test]
fn busy_loop_should_stop_at_the_step_budget() {
    let mut host = TestHost::new(false);
    let output = run_to_completion("while true; do :; done", &mut host, 10_000);
    expect![[r#"
        --- stderr
        sh: step budget exhausted (10000 steps)
        --- exit 124
    "#]]
    .assert_eq(&show(&output));
    let mut process = Process::new("while true; do :; done");
    assert_eq!(process.resume(&mut host, 1_000), Poll::Busy);
    assert_eq!(process.steps_total(), 1_000);
}

#[test]
fn session_should_keep_variables_and_directory() {
    check_session(
        &[
            "export GREETING=hi; cd /data",
            "echo $GREETING; pwd; touch a; ls",
            "cd /nope",
            "tail -f /etc/hostname",
            "exit 3",
        ],
        expect![[r#"
            $ export GREETING=hi; cd /data
            --- exit 0
            $ echo $GREETING; pwd; touch a; ls
            hi
            /data
            a
            --- exit 0
            $ cd /nope
            --- stderr
            sh: cd: can't cd to /nope: No such file or directory
            --- exit 2
            $ tail -f /etc/hostname
            web-0
            --- exit 130
            $ exit 3
            --- exit 3
        "#]],
    );
}

#[test]
fn terminal_sleep_should_advance_the_host_clock() {
    check(
        "date; sleep 90; date +%H:%M:%S; sleep 1.5; date +%s",
        expect![[r#"
        Tue Nov 24 05:30:00 UTC 2026
        05:31:30
        1795498291
        --- exit 0
    "#]],
    );
}

#[test]
fn file_utilities_should_match_busybox() {
    check(
        r#"mkdir -p /data/a/b && touch /data/a/b/f && echo hello > /data/a/g
ls -R /data/a
cp -r /data/a /scratch/copy && ls /scratch/copy
mv /data/a/g /data/a/h && ls /data/a
mv /data/a/h /scratch/h && cat /scratch/h
ln -s /scratch/h /tmp/link && readlink /tmp/link && cat /tmp/link && readlink -f /tmp/link
rm /data/a; rm -r /data/a; ls /data
mkdir /tmp; rmdir /nope
stat -c '%n %s %A %U' /scratch/h
stat /scratch/h
df -h
df /scratch
du -sh /scratch
mount
cp /nope /tmp; cp /data /tmp"#,
        expect![[r#"
            /data/a:
            b
            g

            /data/a/b:
            f
            b
            g
            b
            h
            hello
            /scratch/h
            hello
            /scratch/h
            /scratch/h 6 -rw-r--r-- root
              File: /scratch/h
              Size: 6         	Blocks: 8          IO Block: 4096   regular file
            Device: 2h/2d	Inode: 6           Links: 1
            Access: (0644/-rw-r--r--)  Uid: (    0/    root)   Gid: (    0/    root)
            Access: 2026-11-24 05:30:00.000000000 +0000
            Modify: 2026-11-24 05:30:00.000000000 +0000
            Change: 2026-11-24 05:30:00.000000000 +0000
            Filesystem                Size      Used Available Use% Mounted on
            overlay                  10.0G        39     10.0G   0% /
            /dev/sdb                975.9M     24.0K    975.9M   0% /data
            tmpfs                    64.0G        45     64.0G   0% /etc/pod-info
            tmpfs                     1.0M        12      1.0M   0% /scratch
            Filesystem           1K-blocks      Used Available Use% Mounted on
            tmpfs                     1024         1      1023   0% /scratch
            8.0K	/scratch
            overlay on / type overlay (rw,relatime)
            /dev/sdb on /data type ext4 (rw,relatime)
            tmpfs on /etc/pod-info type tmpfs (ro,relatime)
            tmpfs on /scratch type tmpfs (rw,relatime)
            --- stderr
            rm: can't remove '/data/a': Is a directory
            mkdir: can't create directory '/tmp': File exists
            rmdir: '/nope': No such file or directory
            cp: can't stat '/nope': No such file or directory
            cp: omitting directory '/data'
            --- exit 1
        "#]],
    );
}

#[test]
fn text_utilities_should_match_busybox() {
    check(
        r#"printf 'b 2\na 10\nc 1\na 10\n' > /tmp/t
sort /tmp/t; sort -n -k2 /tmp/t; sort -r /tmp/t | uniq -c
grep -c a /tmp/t; grep -v a /tmp/t; grep -i A /tmp/t | head -n 1; grep -E '^(b|c) ' /tmp/t; grep -n -A1 b /tmp/t
grep zzz /tmp/t; echo "grep status $?"
wc -l /tmp/t; wc -l < /tmp/t; echo hello world | wc -w -c
cut -d' ' -f2 /tmp/t | tr '\n' ,; echo
echo 'Hello World' | tr a-z A-Z; echo aabbcc | tr -d b; echo aaabbb | tr -s ab
echo 'key=value' | sed 's/=.*//'; echo aaa | sed 's/a/b/g'; printf '1\n2\n3\n' | sed -n '2p'; printf '1\n2\n3\n' | sed '1d'
echo 'a:b:c' | awk -F: '{print $2}'; echo 'x y z' | awk '{print $3, $1}'; printf 'p q\n' | awk '{print NR": "$NF}'
echo 'important data' | base64; echo aW1wb3J0YW50IGRhdGEK | base64 -d
seq 3; seq 2 2 6 | tail -n 1; seq 10 | head -3 | tail -1
printf '%s=%d|%5s|%-3s|%03d|%x\n' a 42 r l 7 255"#,
        expect![[r#"
            a 10
            a 10
            b 2
            c 1
            c 1
            b 2
            a 10
            a 10
                  1 c 1
                  1 b 2
                  2 a 10
            2
            b 2
            c 1
            a 10
            b 2
            c 1
            1:b 2
            2-a 10
            grep status 1
            4 /tmp/t
            4
                  2      12
            2,10,1,10,
            HELLO WORLD
            aacc
            ab
            key
            bbb
            2
            2
            3
            b
            z x
            1: q
            aW1wb3J0YW50IGRhdGEK
            important data
            1
            2
            3
            6
            3
            a=42|    r|l  |007|ff
            --- exit 0
        "#]],
    );
}

#[test]
fn misc_utilities_should_use_the_host() {
    check(
        r#"hostname; whoami; id -u; uname; uname -a
env | grep POD_; printenv HOME
nslookup web; nslookup nope
wget -qO- http://web; curl -s http://web/; curl http://down; curl -f -s http://web/missing; echo "curl $?"
kubectl get pods
sudo echo as root; /bin/echo full path; env FOO=bar printenv FOO
test -d /tmp && [ -f /etc/hostname ] && [ "a" != "b" ] && echo tests ok
[ 1 -eq 2 ] || echo not equal; [ -z "" ] && echo empty; [ 1 = 1; echo "missing: $?"
kill 999"#,
        expect![[r#"
            web-0
            root
            0
            Linux
            Linux web-0 6.8.0-stowage #1 SMP PREEMPT_DYNAMIC Mon Nov 24 00:00:00 UTC 2026 x86_64 GNU/Linux
            POD_NAME=web-0
            /root
            Server:		10.96.0.10
            Address:	10.96.0.10:53

            Name:	web.default.svc.cluster.local
            Address: 10.96.12.7

            Server:		10.96.0.10
            Address:	10.96.0.10:53

            ** server can't find nope: NXDOMAIN

            <h1>hello</h1>
            <h1>hello</h1>
            curl 22
            NAME    READY   STATUS    RESTARTS   AGE
            web-0   1/1     Running   0          5m
            as root
            full path
            bar
            tests ok
            not equal
            empty
            missing: 2
            --- stderr
            curl: (7) Failed to connect to down port 80: Connection refused
            sh: missing ]
            kill: can't kill pid 999: No such process
            --- exit 1
        "#]],
    );
}

#[test]
fn garbage_input_should_never_panic() {
    let fragments = [
        "echo",
        "'",
        "\"",
        "$(",
        "$((",
        "${",
        "`",
        "<<",
        "<<-",
        "EOF",
        "|",
        "||",
        "&&",
        ";",
        ";;",
        "&",
        "(",
        ")",
        "{",
        "}",
        "if",
        "then",
        "fi",
        "while",
        "do",
        "done",
        "case",
        "in",
        "esac",
        "for",
        "x=1",
        "$x",
        "${x:-y}",
        "$((1/0))",
        ">",
        ">>",
        "<",
        "2>&1",
        "\\",
        "\n",
        " ",
        "*",
        "?",
        "[",
        "]",
        "!",
        "#",
        "cat",
        "sleep 1",
        "break",
        "exit",
        "f()",
        "$@",
        "\"$@\"",
        "$?",
        "${#",
        "}}",
        "$(($((",
        "))",
        "~",
        "tail -f /x",
        "seq 99999",
        "f",
        "f() { f; }",
    ];
    let mut seed: u64 = 7;
    let mut host = TestHost::new(false);
    for _ in 0..400 {
        let mut line = String::new();
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let count = (seed >> 60) as usize + 1;
        for _ in 0..count {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            line.push_str(fragments[(seed >> 33) as usize % fragments.len()]);
            if seed & 1 == 0 {
                line.push(' ');
            }
        }
        let _ = run_to_completion(&line, &mut host, 20_000);
        let _ = check_syntax(&line);
        let mut process = Process::new(&line);
        let _ = process.resume(&mut host, 5_000);
    }
}

#[test]
fn syntax_check_should_flag_incomplete_input() {
    assert!(check_syntax("echo hi").is_ok());
    assert!(check_syntax("cat <<EOF").is_err_and(|error| error.incomplete));
    assert!(check_syntax("while true; do").is_err_and(|error| error.incomplete));
    assert!(check_syntax("echo )").is_err_and(|error| !error.incomplete));
}

#[test]
fn container_should_resume_inside_command_substitution_in_a_function() {
    check_container(
        &[
            "sh",
            "-c",
            r#"tick() { for i in 1 2; do echo "$(sleep 1; echo tick $i) at $(date +%S)"; done; }; tick; exit 7"#,
        ],
        &[1_000, 1_000],
        expect![[r#"
            t+0s Sleep { until_ms: 1795498201000 }
            t+1s Sleep { until_ms: 1795498202000 }
              | tick 1 at 01
            t+2s Exited(7)
              | tick 2 at 02
        "#]],
    );
}

#[test]
fn container_should_run_argv_without_a_shell() {
    check_container(
        &["sleep", "2"],
        &[2_000],
        expect![[r#"
        t+0s Sleep { until_ms: 1795498202000 }
        t+2s Exited(0)
    "#]],
    );
    check_container(
        &["/bin/echo", "hello world"],
        &[],
        expect![[r#"
        t+0s Exited(0)
          | hello world
    "#]],
    );
}

#[test]
fn expansion_should_replay_side_effects_once() {
    check(
        r#"echo $RANDOM $(echo x) $RANDOM; echo $RANDOM $RANDOM
i=0; echo $((i+=1)) $(echo y) $((i+=1)); echo i=$i
x=$(false); echo "status $?"; y=$(echo inner; exit 3); echo "status $? $y"
sleep 5 & echo "bg $!"; wait"#,
        expect![[r#"
            2318 x 2411
            9501 30196
            1 y 2
            i=2
            status 1
            status 3 inner
            bg 2
            --- exit 0
        "#]],
    );
}

#[test]
fn exec_should_redirect_the_rest_of_the_script() {
    check(
        "(exec > /tmp/log 2>&1; echo to log; ls /nope; (exec > /dev/null; echo hidden)); echo after; cat /tmp/log",
        expect![[r#"
            after
            to log
            ls: /nope: No such file or directory
            --- exit 0
        "#]],
    );
}

#[test]
fn interrupted_pipeline_should_flush_the_stages_after_the_waiting_one() {
    check_session(
        &[
            "printf 'a1\\nb2\\na3\\n' > /tmp/f",
            "tail -f /tmp/f | grep a | wc -l; echo not reached",
            "echo next line runs",
        ],
        expect![[r#"
            $ printf 'a1\nb2\na3\n' > /tmp/f
            --- exit 0
            $ tail -f /tmp/f | grep a | wc -l; echo not reached
            2
            --- exit 130
            $ echo next line runs
            next line runs
            --- exit 0
        "#]],
    );
}

#[test]
fn head_should_end_its_writer_with_sigpipe() {
    check(
        "while true; do echo y; sleep 1; done | head -n 2; echo $?; i=0; while :; do i=$((i+1)); echo $i; done | head -3 | tail -1",
        expect![[r#"
            y
            y
            0
            3
            --- exit 0
        "#]],
    );
}

#[test]
fn kill_should_end_the_shells_background_jobs() {
    check_session(
        &["sleep 100 & kill $!; echo $?", "sleep 50 &", "kill $!; echo $?", "kill 4242"],
        expect![[r#"
            $ sleep 100 & kill $!; echo $?
            0
            --- exit 0
            $ sleep 50 &
            --- exit 0
            $ kill $!; echo $?
            0
            --- exit 0
            $ kill 4242
            --- stderr
            kill: can't kill pid 4242: No such process
            --- exit 1
        "#]],
    );
}

/// A Debian-based image's userland.
struct GnuHost(TestHost);

impl Host for GnuHost {
    fn fs(&mut self) -> Vfs<'_> {
        self.0.fs()
    }
    fn now_ms(&self) -> u64 {
        self.0.now_ms()
    }
    fn random_u32(&mut self) -> u32 {
        self.0.random_u32()
    }
    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        self.0.write(stream, bytes)
    }
    fn sleep(&mut self, duration_ms: u64) -> SleepOutcome {
        self.0.sleep(duration_ms)
    }
    fn gnu_coreutils(&self) -> bool {
        true
    }
}

#[test]
fn ls_should_print_gnu_columns_in_debian_images() {
    let script = "mkdir -p /data/d; printf 'hello\\n' > /data/f; ls -l /data; ls -ld /data/f /data/d; ls /nope";
    let mut host = GnuHost(TestHost::new(false));
    let gnu = show(&run_to_completion(script, &mut host, STEP_BUDGET_DEFAULT));
    let mut host = TestHost::new(false);
    let busybox = show(&run_to_completion(script, &mut host, STEP_BUDGET_DEFAULT));
    expect![[r#"
        total 8
        drwxr-xr-x 2 root root 4096 Nov 24 05:30 d
        -rw-r--r-- 1 root root    6 Nov 24 05:30 f
        drwxr-xr-x 2 root root 4096 Nov 24 05:30 /data/d
        -rw-r--r-- 1 root root    6 Nov 24 05:30 /data/f
        --- stderr
        ls: cannot access '/nope': No such file or directory
        --- exit 2
    "#]]
    .assert_eq(&gnu);
    expect![[r#"
        total 8
        drwxr-xr-x    2 root     root          4096 Nov 24 05:30 d
        -rw-r--r--    1 root     root             6 Nov 24 05:30 f
        drwxr-xr-x    2 root     root          4096 Nov 24 05:30 /data/d
        -rw-r--r--    1 root     root             6 Nov 24 05:30 /data/f
        --- stderr
        ls: /nope: No such file or directory
        --- exit 2
    "#]]
    .assert_eq(&busybox);
}
