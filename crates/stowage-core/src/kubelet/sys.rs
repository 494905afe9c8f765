//! What a container's process sees: its mount namespace, the clock, its log, DNS and HTTP.

use super::world::PodRuntime;
use crate::apiserver::ApiServer;
use crate::fs::{FsStore, MountNamespace, Vfs};
use crate::runtime::{DnsAnswer, HttpResponse, ImageModel, OutStream, ProcessSys, image_model};
use crate::sim::{SimRng, SimTime};
use k8s_openapi::api::core::v1::{Endpoints, Service};
use std::collections::BTreeMap;

/// A container's view of the world while its process runs.
pub struct ContainerSys<'a> {
    /// Every filesystem.
    pub fs: &'a mut FsStore,
    /// The container's mounts.
    pub mounts: &'a MountNamespace,
    /// Simulated time.
    pub now: SimTime,
    /// Randomness.
    pub rng: &'a mut SimRng,
    /// The pod's hostname.
    pub hostname: String,
    /// The container's environment.
    pub env: Vec<(String, String)>,
    /// The uid processes run as.
    pub uid: u32,
    /// Output written, in order.
    pub output: Vec<(OutStream, Vec<u8>)>,
    /// The API server, read-only (Services, Endpoints).
    pub api: &'a ApiServer,
    /// The pod's namespace.
    pub namespace: String,
    /// Every pod sandbox (to serve HTTP from another pod).
    pub pods: &'a BTreeMap<String, PodRuntime>,
    /// Log lines for other containers: (pod uid, container, line).
    pub side_logs: Vec<(String, String, String)>,
    /// The pod's IP, as servers log the client.
    pub client_ip: String,
}

impl ProcessSys for ContainerSys<'_> {
    fn fs(&mut self) -> Vfs<'_> {
        Vfs::new(&mut *self.fs, self.mounts).with_uid(self.uid)
    }

    fn now(&self) -> SimTime {
        self.now
    }

    fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    fn hostname(&self) -> String {
        self.hostname.clone()
    }

    fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }

    fn write(&mut self, stream: OutStream, bytes: &[u8]) {
        match self.output.last_mut() {
            Some((last, buffer)) if *last == stream => buffer.extend_from_slice(bytes),
            _ => self.output.push((stream, bytes.to_vec())),
        }
    }

    fn dns_lookup(&mut self, name: &str) -> DnsAnswer {
        crate::dns::resolve(self.api, &self.namespace, name)
    }

    fn http_get(&mut self, url: &str) -> Result<HttpResponse, String> {
        let rest = url.strip_prefix("http://").unwrap_or(url);
        let (authority, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse::<i32>().unwrap_or(80)),
            None => (authority.to_string(), 80),
        };
        let ip = if host.chars().all(|c| c.is_ascii_digit() || c == '.') {
            host.clone()
        } else {
            let answer = crate::dns::resolve(self.api, &self.namespace, &host);
            match answer.records.first() {
                Some((_, ip)) => ip.clone(),
                None => return Err(format!("bad address '{host}'")),
            }
        };
        let target = self.target_pod(&ip, port).ok_or_else(|| "Connection refused".to_string())?;
        self.serve(&target, &path)
    }
}

impl ContainerSys<'_> {
    /// The pod uid that serves `ip:port`: a pod IP, or one ready endpoint of the Service with that ClusterIP.
    fn target_pod(&mut self, ip: &str, port: i32) -> Option<String> {
        if let Some(service) = crate::dns::service_by_cluster_ip(self.api, ip) {
            let namespace = service.metadata.namespace.clone().unwrap_or_default();
            let name = service.metadata.name.clone().unwrap_or_default();
            let endpoints = self.api.store().get_typed::<Endpoints>(&namespace, &name)?;
            let ips: Vec<String> = endpoints
                .subsets
                .iter()
                .flatten()
                .flat_map(|s| s.addresses.iter().flatten().map(|a| a.ip.clone()))
                .collect();
            if ips.is_empty() || !service_has_port(service, port) {
                return None;
            }
            let pick = ips[(self.rng.below(ips.len() as u64)) as usize].clone();
            return self.pods.iter().find(|(_, p)| p.ip == pick).map(|(uid, _)| uid.clone());
        }
        self.pods.iter().find(|(_, p)| p.ip == ip).map(|(uid, _)| uid.clone())
    }

    fn serve(&mut self, uid: &str, path: &str) -> Result<HttpResponse, String> {
        let (status, body) = self.serve_status(uid, path, "Wget")?;
        if status == 200 {
            Ok(HttpResponse { status, body })
        } else {
            Err(format!(
                "server returned error: HTTP/1.1 {status} {}",
                if status == 404 { "Not Found" } else { "Forbidden" }
            ))
        }
    }

    /// Serves `GET path` from the nginx of the sandbox `uid` and logs it as nginx's access log does.
    ///
    /// # Errors
    /// `Connection refused` when no nginx runs in the sandbox.
    pub(super) fn serve_status(&mut self, uid: &str, path: &str, agent: &str) -> Result<(u16, Vec<u8>), String> {
        let pod = self.pods.get(uid).ok_or_else(|| "Connection refused".to_string())?;
        let server = pod
            .containers
            .iter()
            .find(|c| c.is_running() && image_model(&c.image) == Some(ImageModel::Nginx) && c.mounts.is_some())
            .ok_or_else(|| "Connection refused".to_string())?;
        let mounts = server.mounts.clone().ok_or_else(|| "Connection refused".to_string())?;
        let container = server.name.clone();
        let vfs = Vfs::new(&mut *self.fs, &mounts);
        let path = if path.is_empty() { "/" } else { path };
        let base = format!("/usr/share/nginx/html{path}");
        let file = if vfs.metadata(&base).is_ok_and(|m| m.kind == crate::fs::FileKind::Directory) {
            format!("{}/index.html", base.trim_end_matches('/'))
        } else {
            base
        };
        let (status, body) = match vfs.read_file(&file) {
            Ok(body) => (200, body),
            Err(crate::fs::Error::PermissionDenied) => (403, NGINX_403.as_bytes().to_vec()),
            Err(_) => (404, NGINX_404.as_bytes().to_vec()),
        };
        let t = self.now;
        let (y, mo, d, h, mi, s) = crate::runtime::civil(t.unix_seconds());
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let line = format!(
            "{} - - [{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} +0000] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"{agent}\" \"-\"\n",
            self.client_ip,
            MONTHS[(mo as usize).saturating_sub(1) % 12],
            body.len()
        );
        self.side_logs.push((uid.to_string(), container, line));
        Ok((status, body))
    }
}

fn service_has_port(service: &Service, port: i32) -> bool {
    service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .is_none_or(|ports| ports.is_empty() || ports.iter().any(|p| p.port == port))
}

/// nginx's 404 page.
pub const NGINX_404: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.5</center>\r\n</body>\r\n</html>\r\n";

/// nginx's 403 page.
pub const NGINX_403: &str = "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx/1.27.5</center>\r\n</body>\r\n</html>\r\n";

/// nginx's default index page (615 bytes).
pub const NGINX_INDEX: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";
