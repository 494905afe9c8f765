//! The process seam: what a container runs, and the built-in runtime for the engine's own tests.
//!
//! Containers run their `command`/`args` with the one shell interpreter, which lives in
//! `stowage-kubectl`; the engine cannot depend on it. So the engine defines what a running program
//! is ([`Process`]), what it may do to the world ([`ProcessSys`]) and who starts programs
//! ([`ContainerRuntime`]); the cluster holds a `&'static dyn ContainerRuntime`.
//!
//! # Model
//! - A process runs only when the kubelet resumes it, on simulated time, for at most a step budget.
//!   It suspends in `sleep` ([`ProcessPoll::Sleep`]), waits for input (`tail -f`,
//!   [`ProcessPoll::Wait`]), runs out of steps ([`ProcessPoll::BudgetExhausted`]) or exits.
//! - Processes are plain data and cloned with the cluster for time travel ([`Process::clone_box`]).
//! - Images are modelled by name ([`image_model`]): `busybox` runs the command; `nginx`,
//!   `postgres`, `mysql` and `redis` run a model of the real server when no command is given
//!   ([`ImageProcess`]), writing their data directory into whatever is mounted there and logging
//!   like the real images; anything else runs the given command.
//! - The built-in runtime ([`BuiltinRuntime`]) understands `sleep N`, `true`, `false`, `echo`,
//!   `exit N`, `date`, `cat FILE`, `echo X >> FILE` and `;`/`&&` sequences. The playground uses the
//!   real shell through `stowage-kubectl`.

use crate::fs::{Vfs, WriteMode};
use crate::sim::{SimDuration, SimTime};
use std::fmt;

/// An output stream of a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutStream {
    /// File descriptor 1.
    Stdout,
    /// File descriptor 2.
    Stderr,
}

/// Why [`Process::resume`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessPoll {
    /// Suspended in `sleep` until `until`.
    Sleep {
        /// When the sleep ends.
        until: SimTime,
    },
    /// Waiting for input (`tail -f`): look again at `retry_at`.
    Wait {
        /// When to resume and look for new input.
        retry_at: SimTime,
    },
    /// Exited with this code.
    Exited(i32),
    /// The step budget ran out; the process is still runnable.
    BudgetExhausted,
}

/// The answer to a DNS query, for `nslookup`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsAnswer {
    /// The server that answered (`10.96.0.10`).
    pub server: String,
    /// `(name, address)` records; empty means NXDOMAIN.
    pub records: Vec<(String, String)>,
}

/// The answer to an HTTP GET.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// What a process can do: its container's filesystem, the clock, randomness, output, DNS and HTTP.
pub trait ProcessSys {
    /// The container's filesystem (its mount namespace).
    fn fs(&mut self) -> Vfs<'_>;
    /// Simulated time.
    fn now(&self) -> SimTime;
    /// 64 seeded random bits.
    fn random_u64(&mut self) -> u64;
    /// The host name (the pod's name, or `spec.hostname`).
    fn hostname(&self) -> String;
    /// The container's environment.
    fn env(&self) -> Vec<(String, String)>;
    /// Writes to the container's log.
    fn write(&mut self, stream: OutStream, bytes: &[u8]);
    /// Resolves a name through the cluster DNS, with the pod's search path.
    fn dns_lookup(&mut self, name: &str) -> DnsAnswer;
    /// Fetches `url` from a Service, a pod IP or a DNS name in the cluster.
    ///
    /// # Errors
    /// A message such as `Connection refused` or `bad address 'x'`.
    fn http_get(&mut self, url: &str) -> Result<HttpResponse, String>;
    /// The process id (`$$`).
    fn pid(&self) -> u32 {
        1
    }
}

/// A running program. Clone with [`Process::clone_box`]: the cluster is cloned for time travel.
pub trait Process: fmt::Debug {
    /// Runs until the process suspends, exits or has used `budget_steps`.
    fn resume(&mut self, sys: &mut dyn ProcessSys, budget_steps: u32) -> ProcessPoll;
    /// A copy of this process in its current state.
    fn clone_box(&self) -> Box<dyn Process>;
    /// SIGTERM: returns `true` if the process handles it and will exit at its next resume (nginx,
    /// postgres); `false` if it ignores it (a shell as PID 1), so the kubelet waits out the grace period.
    fn terminate(&mut self, sys: &mut dyn ProcessSys) -> bool {
        let _ = sys;
        false
    }
    /// SIGINT from the terminal that started it (`kubectl exec` ending a command that would wait
    /// forever, such as `tail -f FILE | grep x`): the process may write what its later pipeline
    /// stages would have streamed so far. The default does nothing.
    fn interrupt(&mut self, sys: &mut dyn ProcessSys) {
        let _ = sys;
    }
}

impl Clone for Box<dyn Process> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// Starts programs for containers.
pub trait ContainerRuntime: Sync + fmt::Debug {
    /// A process for a container of `image` with the pod's `command` and `args` (either may be empty,
    /// which means the image's entrypoint and cmd).
    fn spawn(&self, image: &str, command: &[String], args: &[String], env: &[(String, String)]) -> Box<dyn Process>;
}

/// The image name without registry, tag or digest: `docker.io/library/postgres:16` is `postgres`.
pub fn image_base(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// The tag of an image reference, `latest` when absent.
pub fn image_tag(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map_or("latest", |(_, tag)| tag)
}

/// Why an image cannot be pulled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// The reference does not parse (`InvalidImageName`); the kubelet's whole message.
    InvalidName(String),
    /// The registry has no such image (`ErrImagePull`); containerd's error as the CRI returns it.
    NotFound(String),
}

/// The official images (`docker.io/library/...`) the simulated registry knows, with the tags it
/// has. An empty list accepts every tag. A tag is known when it is listed, or is a listed tag
/// followed by more version numbers and known variants (`16` lists `16.4`, `16-alpine` and
/// `16.4-bookworm`, not `16-alpinee`).
const OFFICIAL_IMAGES: &[(&str, &[&str])] = &[
    ("busybox", &["latest", "stable", "musl", "glibc", "uclibc", "1.34", "1.35", "1.36", "1.37"]),
    (
        "nginx",
        &[
            "latest", "stable", "mainline", "alpine", "perl", "1.24", "1.25", "1.26", "1.27", "1.28", "1.29", "1.30",
            "1.31",
        ],
    ),
    ("postgres", &["latest", "alpine", "bookworm", "12", "13", "14", "15", "16", "17", "18"]),
    ("mysql", &["latest", "lts", "innovation", "oracle", "debian", "5.7", "8", "9"]),
    ("mariadb", &["latest", "lts", "10", "11"]),
    ("redis", &["latest", "alpine", "bookworm", "6", "7", "8"]),
    ("alpine", &["latest", "edge", "3"]),
    (
        "ubuntu",
        &[
            "latest", "rolling", "devel", "focal", "jammy", "noble", "oracular", "plucky", "20.04", "22.04", "24.04",
            "24.10", "25.04",
        ],
    ),
    (
        "debian",
        &[
            "latest",
            "stable",
            "testing",
            "unstable",
            "sid",
            "bullseye",
            "bookworm",
            "trixie",
            "stable-slim",
            "bookworm-slim",
            "bullseye-slim",
            "11",
            "12",
            "13",
        ],
    ),
    ("httpd", &[]),
    ("python", &[]),
    ("node", &[]),
    ("golang", &[]),
    ("memcached", &[]),
    ("mongo", &[]),
    ("rabbitmq", &[]),
    ("registry", &[]),
    ("centos", &[]),
    ("fedora", &[]),
    ("amazonlinux", &[]),
    ("traefik", &[]),
    ("haproxy", &[]),
    ("eclipse-temurin", &[]),
    ("openjdk", &[]),
    ("elasticsearch", &[]),
    ("wordpress", &[]),
    ("php", &[]),
    ("ruby", &[]),
    ("perl", &[]),
    ("rust", &[]),
    ("caddy", &[]),
    ("consul", &[]),
    ("vault", &[]),
    ("influxdb", &[]),
    ("cassandra", &[]),
    ("zookeeper", &[]),
    ("tomcat", &[]),
    ("ghost", &[]),
    ("nextcloud", &[]),
    ("postfixadmin", &[]),
    ("hello-world", &[]),
];

fn component_ok(component: &str) -> bool {
    // [a-z0-9]+ separated by `.`, `_`, `__` or runs of `-`.
    let bytes = component.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_alphanumeric() || !bytes[bytes.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut previous_sep = "";
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            previous_sep = "";
            i += 1;
            continue;
        }
        let sep = match b {
            b'.' => ".",
            b'_' if bytes.get(i + 1) == Some(&b'_') => {
                i += 1;
                "__"
            }
            b'_' => "_",
            b'-' => {
                while bytes.get(i + 1) == Some(&b'-') {
                    i += 1;
                }
                "-"
            }
            _ => return false,
        };
        if !previous_sep.is_empty() {
            return false;
        }
        previous_sep = sep;
        i += 1;
    }
    true
}

fn tag_ok(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn domain_ok(domain: &str) -> bool {
    let (host, port) = domain.split_once(':').map_or((domain, None), |(h, p)| (h, Some(p)));
    port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && !host.is_empty()
        && host.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// The fully qualified reference containerd resolves: `nginx` is `docker.io/library/nginx:latest`.
///
/// # Errors
/// [`ImageError::InvalidName`] with the kubelet's message when `image` does not parse.
pub fn normalize_image(image: &str) -> Result<String, ImageError> {
    let invalid = |why: &str| {
        ImageError::InvalidName(format!(
            "Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: {why}"
        ))
    };
    if image.is_empty() {
        return Err(invalid("repository name must have at least one component"));
    }
    let (name_tag, digest) = image.split_once('@').map_or((image, None), |(n, d)| (n, Some(d)));
    let (first, rest) = name_tag.split_once('/').map_or(("", name_tag), |(f, r)| (f, r));
    let is_domain = !first.is_empty()
        && (first.contains('.') || first.contains(':') || first == "localhost" || first.to_ascii_lowercase() != first);
    let (domain, remainder) = if is_domain {
        (first.to_string(), rest.to_string())
    } else if first.is_empty() {
        ("docker.io".to_string(), format!("library/{rest}"))
    } else {
        ("docker.io".to_string(), name_tag.to_string())
    };
    let remote = remainder.split(':').next().unwrap_or("");
    if remote.to_ascii_lowercase() != remote {
        return Err(invalid(&format!("invalid reference format: repository name ({remote}) must be lowercase")));
    }
    let (path, tag) = remainder.split_once(':').map_or((remainder.as_str(), None), |(p, t)| (p, Some(t)));
    let valid = domain_ok(&domain)
        && path.split('/').all(component_ok)
        && tag.is_none_or(tag_ok)
        && digest.is_none_or(|d| {
            d.split_once(':').is_some_and(|(algo, hex)| {
                !algo.is_empty() && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
            })
        });
    if !valid {
        return Err(invalid("invalid reference format"));
    }
    let mut full = format!("{domain}/{path}");
    match (tag, digest) {
        (Some(tag), _) => full = format!("{full}:{tag}"),
        (None, None) => full.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(digest) = digest {
        full = format!("{full}@{digest}");
    }
    Ok(full)
}

/// The variants official images publish after a version (`-alpine3.21`, `-bookworm-slim`).
const TAG_VARIANTS: &[&str] = &[
    "alpine",
    "slim",
    "bookworm",
    "bullseye",
    "trixie",
    "perl",
    "otel",
    "musl",
    "glibc",
    "uclibc",
    "noble",
    "jammy",
    "focal",
    "oracle",
    "oraclelinux",
    "debian",
    "stable",
    "mainline",
];

/// Whether what follows a catalogued tag is a release of it: more version numbers (`.4`), then
/// known variants (`-alpine3.21`, `-bookworm-slim`).
fn tag_suffix_known(rest: &str) -> bool {
    let mut rest = rest;
    while let Some(after) = rest.strip_prefix('.') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &after[digits..];
    }
    if rest.is_empty() {
        return true;
    }
    let Some(variants) = rest.strip_prefix('-') else {
        return false;
    };
    variants.split('-').all(|v| TAG_VARIANTS.contains(&v.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')))
}

/// Whether the simulated registry serves `image`.
///
/// Rule: images outside `docker.io/library` (another registry, or a Docker Hub user's repository)
/// exist, and run the given command. Under `docker.io/library` only the official images of the
/// catalog (`OFFICIAL_IMAGES`) exist: any other name is a repository that does not exist (Docker
/// Hub answers `insufficient_scope`, as for a private one), and a catalogued image with an unknown
/// tag is `not found`.
///
/// # Errors
/// [`ImageError`] with the message the kubelet reports.
pub fn resolve_image(image: &str) -> Result<(), ImageError> {
    let full = normalize_image(image)?;
    let Some(rest) = full.strip_prefix("docker.io/library/") else {
        return Ok(());
    };
    let name_tag = rest.split('@').next().unwrap_or(rest);
    let (name, tag) = name_tag.split_once(':').map_or((name_tag, None), |(n, t)| (n, Some(t)));
    if name.contains('/') {
        return Ok(());
    }
    let Some((_, tags)) = OFFICIAL_IMAGES.iter().find(|(n, _)| *n == name) else {
        return Err(ImageError::NotFound(format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        )));
    };
    let Some(tag) = tag else {
        return Ok(());
    };
    let known = tags.is_empty() || tags.iter().any(|t| tag.strip_prefix(t).is_some_and(tag_suffix_known));
    if known {
        Ok(())
    } else {
        Err(ImageError::NotFound(format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
        )))
    }
}

/// The server images the engine models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageModel {
    /// nginx: serves `/usr/share/nginx/html`.
    Nginx,
    /// postgres: initializes `PGDATA` once, then starts.
    Postgres,
    /// mysql: initializes `/var/lib/mysql` once, then starts.
    Mysql,
    /// redis: loads `/data/dump.rdb` if present, saves on shutdown.
    Redis,
}

/// The model of a server image, if `image` is one.
pub fn image_model(image: &str) -> Option<ImageModel> {
    match image_base(image) {
        "nginx" => Some(ImageModel::Nginx),
        "postgres" => Some(ImageModel::Postgres),
        "mysql" | "mariadb" => Some(ImageModel::Mysql),
        "redis" => Some(ImageModel::Redis),
        _ => None,
    }
}

/// Where a modelled image keeps its data, given the container's environment.
pub fn image_data_dir(model: ImageModel, env: &[(String, String)]) -> String {
    match model {
        ImageModel::Postgres => env
            .iter()
            .find(|(k, _)| k == "PGDATA")
            .map_or_else(|| "/var/lib/postgresql/data".to_string(), |(_, v)| v.clone()),
        ImageModel::Mysql => "/var/lib/mysql".to_string(),
        ImageModel::Redis => "/data".to_string(),
        ImageModel::Nginx => "/usr/share/nginx/html".to_string(),
    }
}

/// Unix seconds as (year, month, day, hour, minute, second, weekday with Sunday 0), UTC.
pub fn civil(unix_seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, (secs / 3600) as u32, (secs % 3600 / 60) as u32, (secs % 60) as u32)
}

/// `Thu May 14 09:00:05 UTC 2026`, as busybox `date` prints.
pub fn date_string(now: SimTime) -> String {
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let seconds = now.unix_seconds();
    let (y, mo, d, h, mi, s) = civil(seconds);
    let weekday = (seconds.div_euclid(86_400) + 4).rem_euclid(7) as usize;
    format!("{} {} {d:2} {h:02}:{mi:02}:{s:02} UTC {y}", WEEKDAYS[weekday], MONTHS[(mo as usize - 1) % 12])
}

fn env_of<'a>(env: &'a [(String, String)], key: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `2026-05-14 09:00:03.000 UTC`, as postgres timestamps its log lines.
fn pg_time(now: SimTime) -> String {
    let (y, mo, d, h, mi, s) = civil(now.unix_seconds());
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03} UTC", now.as_millis() % 1000)
}

/// `2026/05/14 09:00:03`, as nginx timestamps its error log.
fn nginx_time(now: SimTime) -> String {
    let (y, mo, d, h, mi, s) = civil(now.unix_seconds());
    format!("{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}")
}

/// The phase of a modelled server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ServerPhase {
    Starting,
    Serving,
    Stopping,
}

/// A model of a server image started with its default entrypoint.
#[derive(Clone, Debug)]
pub struct ImageProcess {
    model: ImageModel,
    phase: ServerPhase,
}

impl ImageProcess {
    /// A fresh server of `model`.
    pub fn new(model: ImageModel) -> ImageProcess {
        ImageProcess { model, phase: ServerPhase::Starting }
    }

    fn log(sys: &mut dyn ProcessSys, stream: OutStream, text: &str) {
        sys.write(stream, text.as_bytes());
    }

    fn start(&mut self, sys: &mut dyn ProcessSys) -> Result<(), i32> {
        let now = sys.now();
        let env = sys.env();
        match self.model {
            ImageModel::Nginx => {
                let t = nginx_time(now);
                let mut text = String::from(
                    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n\
/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/\n\
/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh\n\
10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf\n\
10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf\n\
/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh\n\
/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh\n\
/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh\n\
/docker-entrypoint.sh: Configuration complete; ready for start up\n",
                );
                for line in [
                    "using the \"epoll\" event method",
                    "nginx/1.27.5",
                    "built by gcc 12.2.0 (Debian 12.2.0-14)",
                    "OS: Linux 6.8.0-1024",
                    "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
                    "start worker processes",
                    "start worker process 29",
                ] {
                    text.push_str(&format!("{t} [notice] 1#1: {line}\n"));
                }
                Self::log(sys, OutStream::Stderr, &text);
                Ok(())
            }
            ImageModel::Postgres => self.start_postgres(sys, &env),
            ImageModel::Mysql => self.start_mysql(sys, &env),
            ImageModel::Redis => {
                let dir = image_data_dir(ImageModel::Redis, &env);
                let loaded = sys.fs().exists(&format!("{dir}/dump.rdb"));
                let t = redis_time(now);
                let mut text = format!(
                    "1:C {t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n\
1:C {t} * Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started\n\
1:C {t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf\n\
1:M {t} * monotonic clock: POSIX clock_gettime\n\
1:M {t} * Running mode=standalone, port=6379.\n\
1:M {t} * Server initialized\n"
                );
                if loaded {
                    text.push_str(&format!("1:M {t} * Loading RDB produced by version 7.4.2\n1:M {t} * DB loaded from disk: 0.000 seconds\n"));
                }
                text.push_str(&format!("1:M {t} * Ready to accept connections tcp\n"));
                Self::log(sys, OutStream::Stdout, &text);
                Ok(())
            }
        }
    }

    fn start_postgres(&mut self, sys: &mut dyn ProcessSys, env: &[(String, String)]) -> Result<(), i32> {
        let now = sys.now();
        let dir = image_data_dir(ImageModel::Postgres, env);
        let initialized = sys.fs().exists(&format!("{dir}/PG_VERSION"));
        let t = pg_time(now);
        if initialized {
            Self::log(
                sys,
                OutStream::Stdout,
                "\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n",
            );
        } else {
            let password = env_of(env, "POSTGRES_PASSWORD").unwrap_or("");
            let trust = env_of(env, "POSTGRES_HOST_AUTH_METHOD") == Some("trust");
            if password.is_empty() && !trust {
                Self::log(
                    sys,
                    OutStream::Stderr,
                    "Error: Database is uninitialized and superuser password is not specified.\n       You must specify POSTGRES_PASSWORD to a non-empty value for the\n       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".\n\n       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all\n       connections without a password. This is *not* recommended.\n\n       See PostgreSQL documentation about \"trust\":\n       https://www.postgresql.org/docs/current/auth-trust.html\n",
                );
                return Err(1);
            }
            let mut fs = sys.fs();
            let ms = now.unix_millis() as u64;
            let created = fs.create_dir_all(&format!("{dir}/base/1"), ms).and_then(|()| {
                fs.create_dir_all(&format!("{dir}/global"), ms)?;
                fs.create_dir_all(&format!("{dir}/pg_wal"), ms)?;
                fs.write_file(&format!("{dir}/PG_VERSION"), b"16\n", WriteMode::Truncate, ms)?;
                fs.write_file(&format!("{dir}/postgresql.conf"), b"listen_addresses = '*'\n", WriteMode::Truncate, ms)?;
                fs.write_file(
                    &format!("{dir}/pg_hba.conf"),
                    b"host all all all scram-sha-256\n",
                    WriteMode::Truncate,
                    ms,
                )?;
                fs.write_file(&format!("{dir}/global/pg_control"), &[0u8; 64], WriteMode::Truncate, ms)?;
                fs.write_file(&format!("{dir}/pg_wal/000000010000000000000001"), b"wal", WriteMode::Truncate, ms)
            });
            if let Err(error) = created {
                let text = format!("initdb: error: could not create directory \"{dir}\": {error}\n");
                Self::log(sys, OutStream::Stderr, &text);
                return Err(1);
            }
            let text = format!(
                "The files belonging to this database system will be owned by user \"postgres\".\n\
This user must also own the server process.\n\n\
The database cluster will be initialized with locale \"en_US.utf8\".\n\
The default database encoding has accordingly been set to \"UTF8\".\n\
The default text search configuration will be set to \"english\".\n\n\
Data page checksums are disabled.\n\n\
fixing permissions on existing directory {dir} ... ok\n\
creating subdirectories ... ok\n\
selecting dynamic shared memory implementation ... posix\n\
selecting default max_connections ... 100\n\
selecting default shared_buffers ... 128MB\n\
selecting default time zone ... Etc/UTC\n\
creating configuration files ... ok\n\
running bootstrap script ... ok\n\
performing post-bootstrap initialization ... ok\n\
syncing data to disk ... ok\n\n\n\
Success. You can now start the database server using:\n\n    pg_ctl -D {dir} -l logfile start\n\n\
waiting for server to start....{t} [48] LOG:  starting PostgreSQL 16.9 (Debian 16.9-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n\
{t} [48] LOG:  database system is ready to accept connections\n done\nserver started\n\n\
/usr/local/bin/docker-entrypoint.sh: ignoring /docker-entrypoint-initdb.d/*\n\n\
waiting for server to shut down....{t} [48] LOG:  database system is shut down\n done\nserver stopped\n\n\
PostgreSQL init process complete; ready for start up.\n\n"
            );
            Self::log(sys, OutStream::Stdout, &text);
        }
        // str_time(ControlFile->time): whole seconds, no milliseconds.
        let shut = match (t.find('.'), t.rfind(' ')) {
            (Some(dot), Some(space)) if dot < space => format!("{}{}", &t[..dot], &t[space..]),
            _ => t.clone(),
        };
        let text = format!(
            "{t} [1] LOG:  starting PostgreSQL 16.9 (Debian 16.9-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n\
{t} [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432\n\
{t} [1] LOG:  listening on IPv6 address \"::\", port 5432\n\
{t} [1] LOG:  listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\"\n\
{t} [64] LOG:  database system was shut down at {shut}\n\
{t} [1] LOG:  database system is ready to accept connections\n"
        );
        Self::log(sys, OutStream::Stderr, &text);
        Ok(())
    }

    fn start_mysql(&mut self, sys: &mut dyn ProcessSys, env: &[(String, String)]) -> Result<(), i32> {
        let now = sys.now();
        let t = now.rfc3339().replace('Z', ".000000Z");
        let dir = image_data_dir(ImageModel::Mysql, env);
        let initialized = sys.fs().exists(&format!("{dir}/mysql"));
        let date = format!("{}+00:00", now.rfc3339().replace('T', " ").replace('Z', ""));
        if !initialized {
            let has_password = ["MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"]
                .iter()
                .any(|k| env_of(env, k).is_some_and(|v| !v.is_empty()));
            if !has_password {
                let text = format!(
                    "{date} [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.4.5-1.el9 started.\n\
{date} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified\n    You need to specify one of the following as an environment variable:\n    - MYSQL_ROOT_PASSWORD\n    - MYSQL_ALLOW_EMPTY_PASSWORD\n    - MYSQL_RANDOM_ROOT_PASSWORD\n"
                );
                Self::log(sys, OutStream::Stderr, &text);
                return Err(1);
            }
            let mut fs = sys.fs();
            let ms = now.unix_millis() as u64;
            let created = fs.create_dir_all(&format!("{dir}/mysql"), ms).and_then(|()| {
                fs.write_file(&format!("{dir}/ibdata1"), &[0u8; 128], WriteMode::Truncate, ms)?;
                fs.write_file(
                    &format!("{dir}/auto.cnf"),
                    b"[auto]\nserver-uuid=00000000-0000-0000-0000-000000000000\n",
                    WriteMode::Truncate,
                    ms,
                )
            });
            if let Err(error) = created {
                Self::log(
                    sys,
                    OutStream::Stderr,
                    &format!("{t} 0 [ERROR] [MY-010187] [Server] Could not open file '{dir}': {error}\n"),
                );
                return Err(1);
            }
            let text = format!(
                "{date} [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.4.5-1.el9 started.\n\
{date} [Note] [Entrypoint]: Initializing database files\n\
{date} [Note] [Entrypoint]: Database files initialized\n\
{date} [Note] [Entrypoint]: MySQL init process done. Ready for start up.\n\n"
            );
            Self::log(sys, OutStream::Stderr, &text);
        } else {
            let text = format!("{date} [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.4.5-1.el9 started.\n");
            Self::log(sys, OutStream::Stderr, &text);
        }
        let text = format!(
            "{t} 0 [System] [MY-015015] [Server] MySQL Server - start.\n\
{t} 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.4.5) starting as process 1\n\
{t} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.5'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.\n"
        );
        Self::log(sys, OutStream::Stderr, &text);
        Ok(())
    }
}

fn redis_time(now: SimTime) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (_, mo, d, h, mi, s) = civil(now.unix_seconds());
    let month = MONTHS[(mo as usize).saturating_sub(1) % 12];
    format!("{d:02} {month} {h:02}:{mi:02}:{s:02}.{:03}", now.as_millis() % 1000)
}

impl Process for ImageProcess {
    fn resume(&mut self, sys: &mut dyn ProcessSys, budget_steps: u32) -> ProcessPoll {
        let _ = budget_steps;
        match self.phase {
            ServerPhase::Starting => match self.start(sys) {
                Ok(()) => {
                    self.phase = ServerPhase::Serving;
                    ProcessPoll::Sleep { until: SimTime(u64::MAX) }
                }
                Err(code) => ProcessPoll::Exited(code),
            },
            ServerPhase::Serving => ProcessPoll::Sleep { until: SimTime(u64::MAX) },
            ServerPhase::Stopping => ProcessPoll::Exited(0),
        }
    }

    fn clone_box(&self) -> Box<dyn Process> {
        Box::new(self.clone())
    }

    fn terminate(&mut self, sys: &mut dyn ProcessSys) -> bool {
        let now = sys.now();
        let text = match self.model {
            ImageModel::Nginx => {
                let t = nginx_time(now);
                format!("{t} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down\n{t} [notice] 1#1: exit\n")
            }
            ImageModel::Postgres => {
                let t = pg_time(now);
                format!(
                    "{t} [1] LOG:  received fast shutdown request\n{t} [1] LOG:  aborting any active transactions\n{t} [1] LOG:  database system is shut down\n"
                )
            }
            ImageModel::Mysql => {
                let t = now.rfc3339().replace('Z', ".000000Z");
                format!(
                    "{t} 0 [System] [MY-013172] [Server] Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 8.4.5).\n"
                )
            }
            ImageModel::Redis => {
                let t = redis_time(now);
                let env = sys.env();
                let dir = image_data_dir(ImageModel::Redis, &env);
                let ms = now.unix_millis() as u64;
                let _ = sys.fs().write_file(&format!("{dir}/dump.rdb"), b"REDIS0012", WriteMode::Truncate, ms);
                format!(
                    "1:signal-handler ({}) Received SIGTERM scheduling shutdown...\n1:M {t} * Saving the final RDB snapshot before exiting.\n1:M {t} * DB saved on disk\n1:M {t} # Redis is now ready to exit, bye bye...\n",
                    now.unix_seconds()
                )
            }
        };
        let stream = if self.model == ImageModel::Redis { OutStream::Stdout } else { OutStream::Stderr };
        sys.write(stream, text.as_bytes());
        self.phase = ServerPhase::Stopping;
        true
    }
}

/// One command of the built-in runtime's tiny language.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Sleep(u64),
    Exit(i32),
    Echo { text: String, append_to: Option<String> },
    Cat(String),
    Date,
    SleepForever,
}

/// A process of the built-in runtime: a list of simple commands, run in order.
#[derive(Clone, Debug)]
pub struct ScriptProcess {
    steps: Vec<Step>,
    next: usize,
    sleeping_until: Option<SimTime>,
    status: i32,
}

impl ScriptProcess {
    /// A process running `argv` (`sh -c "..."` or a plain command).
    pub fn from_argv(argv: &[String]) -> ScriptProcess {
        let script = match argv {
            [sh, flag, script, ..] if (sh == "sh" || sh == "/bin/sh" || sh == "bash") && flag == "-c" => script.clone(),
            [] => String::new(),
            other => other.join(" "),
        };
        let mut steps = Vec::new();
        for part in script.split([';', '\n']).flat_map(|p| p.split("&&")) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let step = match words.as_slice() {
                [] => continue,
                ["sleep", "infinity"] => Step::SleepForever,
                ["sleep", n] => Step::Sleep(n.parse::<u64>().unwrap_or(0).saturating_mul(1000)),
                ["true"] | [":"] => Step::Exit(0),
                ["false"] => Step::Exit(1),
                ["exit", n] => Step::Exit(n.parse().unwrap_or(0)),
                ["date"] => Step::Date,
                ["cat", file] => Step::Cat(file.to_string()),
                ["echo", rest @ ..] => match rest.iter().position(|w| *w == ">>" || *w == ">") {
                    Some(at) => Step::Echo {
                        text: unquote(&rest[..at].join(" ")),
                        append_to: rest.get(at + 1).map(|f| f.to_string()),
                    },
                    None => Step::Echo { text: unquote(&rest.join(" ")), append_to: None },
                },
                _ => Step::Exit(127),
            };
            let is_exit = matches!(step, Step::Exit(_));
            steps.push(step);
            if is_exit && !matches!(steps.last(), Some(Step::Exit(0))) {
                break;
            }
        }
        ScriptProcess { steps, next: 0, sleeping_until: None, status: 0 }
    }
}

fn unquote(text: &str) -> String {
    text.trim_matches(|c| c == '\'' || c == '"').to_string()
}

impl Process for ScriptProcess {
    fn resume(&mut self, sys: &mut dyn ProcessSys, budget_steps: u32) -> ProcessPoll {
        let mut budget = budget_steps;
        if let Some(until) = self.sleeping_until {
            if sys.now() < until {
                return ProcessPoll::Sleep { until };
            }
            self.sleeping_until = None;
        }
        while let Some(step) = self.steps.get(self.next).cloned() {
            if budget == 0 {
                return ProcessPoll::BudgetExhausted;
            }
            budget -= 1;
            self.next += 1;
            match step {
                Step::Sleep(ms) => {
                    let until = sys.now().plus(SimDuration::from_millis(ms));
                    self.sleeping_until = Some(until);
                    self.status = 0;
                    return ProcessPoll::Sleep { until };
                }
                Step::SleepForever => {
                    self.next -= 1;
                    return ProcessPoll::Sleep { until: SimTime(u64::MAX) };
                }
                Step::Exit(0) => self.status = 0,
                Step::Exit(code) => return ProcessPoll::Exited(code),
                Step::Date => {
                    let line = format!("{}\n", date_string(sys.now()));
                    sys.write(OutStream::Stdout, line.as_bytes());
                }
                Step::Cat(file) => {
                    let read = sys.fs().read_file(&file);
                    match read {
                        Ok(bytes) => sys.write(OutStream::Stdout, &bytes),
                        Err(error) => {
                            let line = format!("cat: can't open '{file}': {error}\n");
                            sys.write(OutStream::Stderr, line.as_bytes());
                            self.status = 1;
                        }
                    }
                }
                Step::Echo { text, append_to } => {
                    let line = format!("{text}\n");
                    match append_to {
                        Some(file) => {
                            let ms = sys.now().unix_millis() as u64;
                            if let Err(error) = sys.fs().write_file(&file, line.as_bytes(), WriteMode::Append, ms) {
                                let message = format!("sh: can't create {file}: {error}\n");
                                sys.write(OutStream::Stderr, message.as_bytes());
                                self.status = 1;
                            }
                        }
                        None => sys.write(OutStream::Stdout, line.as_bytes()),
                    }
                }
            }
        }
        ProcessPoll::Exited(self.status)
    }

    fn clone_box(&self) -> Box<dyn Process> {
        Box::new(self.clone())
    }
}

/// The default command of an image when the pod gives none (its entrypoint plus cmd).
pub fn image_default_argv(image: &str) -> Vec<String> {
    match image_base(image) {
        "busybox" | "alpine" | "ubuntu" | "debian" => vec!["sh".to_string()],
        "pause" => vec!["/pause".to_string()],
        _ => vec!["sleep".to_string(), "infinity".to_string()],
    }
}

/// The argv a container runs: `command` replaces the entrypoint, `args` the cmd (Kubernetes rules).
pub fn container_argv(image: &str, command: &[String], args: &[String]) -> Vec<String> {
    match (command.is_empty(), args.is_empty()) {
        (false, _) => command.iter().chain(args).cloned().collect(),
        (true, false) => match image_base(image) {
            // Images whose entrypoint is the shell-less binary itself take args as its arguments.
            "busybox" | "alpine" | "ubuntu" | "debian" => args.to_vec(),
            _ => args.to_vec(),
        },
        (true, true) => image_default_argv(image),
    }
}

/// The engine's own runtime: server models for known images, [`ScriptProcess`] for commands.
#[derive(Debug)]
pub struct BuiltinRuntime;

/// The built-in runtime, as a static for [`crate::Cluster::new`].
pub static BUILTIN_RUNTIME: BuiltinRuntime = BuiltinRuntime;

impl ContainerRuntime for BuiltinRuntime {
    fn spawn(&self, image: &str, command: &[String], args: &[String], env: &[(String, String)]) -> Box<dyn Process> {
        let _ = env;
        if command.is_empty()
            && args.is_empty()
            && let Some(model) = image_model(image)
        {
            return Box::new(ImageProcess::new(model));
        }
        Box::new(ScriptProcess::from_argv(&container_argv(image, command, args)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_base_should_strip_registry_tag_and_digest() {
        assert_eq!(image_base("docker.io/library/postgres:16"), "postgres");
        assert_eq!(image_base("busybox"), "busybox");
        assert_eq!(image_base("registry.k8s.io/pause:3.10@sha256:abc"), "pause");
        assert_eq!(image_tag("postgres:16"), "16");
        assert_eq!(image_tag("localhost:5000/busybox"), "latest");
    }

    #[test]
    fn image_references_should_parse_and_resolve_like_the_registry() {
        // (name, image, Ok(full) or Err(prefix of the error))
        let rows: [(&str, &str, Result<&str, &str>); 10] = [
            ("short name", "busybox", Ok("docker.io/library/busybox:latest")),
            ("tag", "postgres:16", Ok("docker.io/library/postgres:16")),
            ("user repo", "bitnami/redis:7.4", Ok("docker.io/bitnami/redis:7.4")),
            ("registry", "registry.k8s.io/pause:3.10", Ok("registry.k8s.io/pause:3.10")),
            ("registry port", "localhost:5000/app", Ok("localhost:5000/app:latest")),
            (
                "uppercase",
                "Busybox",
                Err(
                    "Failed to apply default image tag \"Busybox\": couldn't parse image name \"Busybox\": invalid reference format: repository name (library/Busybox) must be lowercase",
                ),
            ),
            (
                "bad char",
                "nginx!",
                Err(
                    "Failed to apply default image tag \"nginx!\": couldn't parse image name \"nginx!\": invalid reference format",
                ),
            ),
            ("double colon", "nginx::1", Err("Failed to apply default image tag")),
            ("trailing dash", "nginx-", Err("Failed to apply default image tag")),
            ("bad tag", "nginx:-x", Err("Failed to apply default image tag")),
        ];
        for (name, image, expected) in rows {
            match (normalize_image(image), expected) {
                (Ok(full), Ok(want)) => assert_eq!(full, want, "{name}"),
                (Err(ImageError::InvalidName(message)), Err(want)) => {
                    assert!(message.starts_with(want), "{name}: {message}")
                }
                (got, want) => panic!("{name}: {got:?} vs {want:?}"),
            }
        }
        // (image, exists)
        let rows = [
            ("busybox", true),
            ("busybox:1.36", true),
            ("busybox:1.36.1-musl", true),
            ("nginx:1.27", true),
            ("nginx:nope", false),
            ("nginx:1.27-alpinee", false),
            ("nginx:1.27.5-alpine3.21-slim", true),
            ("nginx:stable-alpine", true),
            ("nginx:1.27x", false),
            ("postgres:16-alpine", true),
            ("postgres:99", false),
            ("busyboxx", false),
            ("myorg/app:v1", true),
            ("python:3.13-slim", true),
            ("public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.48.0", true),
        ];
        for (image, exists) in rows {
            assert_eq!(resolve_image(image).is_ok(), exists, "{image}");
        }
        assert_eq!(
            resolve_image("nginx:nope"),
            Err(ImageError::NotFound("rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to resolve reference \"docker.io/library/nginx:nope\": docker.io/library/nginx:nope: not found".to_string()))
        );
    }

    #[test]
    fn script_should_parse_sequences() {
        let process = ScriptProcess::from_argv(&["sh".into(), "-c".into(), "echo hi > /tmp/x && sleep 3600".into()]);
        assert_eq!(
            process.steps,
            vec![Step::Echo { text: "hi".into(), append_to: Some("/tmp/x".into()) }, Step::Sleep(3_600_000)]
        );
    }
}
