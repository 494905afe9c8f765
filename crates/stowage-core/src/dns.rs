//! Cluster DNS as CoreDNS's kubernetes plugin answers it: Services, headless Services' pods, pod names.
//!
//! # Model
//! - `{svc}.{ns}.svc.cluster.local`: a ClusterIP Service answers its ClusterIP; a headless Service
//!   answers the IPs of its ready endpoints, read from its EndpointSlices (none ready: NXDOMAIN).
//! - `{hostname}.{svc}.{ns}.svc.cluster.local`: a ready endpoint of `svc` whose slice entry carries
//!   that hostname (the EndpointSlice controller sets it when the pod's `hostname` and `subdomain`
//!   name it: StatefulSet pods, `postgres-0.postgres-headless...`); an endpoint without a hostname
//!   answers to its dashed IP (`10-244-1-5.{svc}...`), as CoreDNS's `endpoint_pod_names` off does.
//! - `{a-b-c-d}.{ns}.pod.cluster.local`: the pod IP `a.b.c.d`.
//! - Names with fewer than five dots go through the pod's search path first
//!   (`{ns}.svc.cluster.local svc.cluster.local cluster.local`, `ndots:5`), as resolv.conf says.
//! - The server is kube-dns's ClusterIP, `10.96.0.10`.

use crate::apiserver::ApiServer;
use crate::controllers::endpoints::LABEL_SERVICE_NAME;
use crate::runtime::DnsAnswer;
use k8s_openapi::api::core::v1::{Endpoints, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

/// The cluster domain.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// kube-dns's ClusterIP, the nameserver in every pod's resolv.conf.
pub const DNS_SERVER: &str = "10.96.0.10";

/// A pod's `/etc/resolv.conf` for `namespace` (dnsPolicy ClusterFirst).
pub fn resolv_conf(namespace: &str) -> String {
    format!(
        "search {namespace}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\nnameserver {DNS_SERVER}\noptions ndots:5\n"
    )
}

/// The search list for a pod in `namespace`.
pub fn search_path(namespace: &str) -> Vec<String> {
    vec![format!("{namespace}.svc.{CLUSTER_DOMAIN}"), format!("svc.{CLUSTER_DOMAIN}"), CLUSTER_DOMAIN.to_string()]
}

/// Resolves `name` as a pod in `namespace` would (search path, then the name as given).
pub fn resolve(api: &ApiServer, namespace: &str, name: &str) -> DnsAnswer {
    let name = name.trim_end_matches('.');
    let mut candidates = Vec::new();
    let absolute = name.ends_with('.') || name.matches('.').count() >= 5;
    if !absolute {
        for suffix in search_path(namespace) {
            candidates.push(format!("{name}.{suffix}"));
        }
    }
    candidates.push(name.to_string());
    for candidate in candidates {
        let addresses = lookup_fqdn(api, &candidate);
        if !addresses.is_empty() {
            return DnsAnswer {
                server: DNS_SERVER.to_string(),
                records: addresses.into_iter().map(|a| (candidate.clone(), a)).collect(),
            };
        }
    }
    DnsAnswer { server: DNS_SERVER.to_string(), records: Vec::new() }
}

/// The A records of a fully qualified name (without the trailing dot).
pub fn lookup_fqdn(api: &ApiServer, fqdn: &str) -> Vec<String> {
    let Some(rest) = fqdn.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) else {
        return Vec::new();
    };
    let parts: Vec<&str> = rest.split('.').collect();
    match parts.as_slice() {
        [service, namespace, "svc"] => service_addresses(api, namespace, service),
        [host, service, namespace, "svc"] => ready_endpoints(api, namespace, service)
            .into_iter()
            .filter(|(hostname, ip)| match hostname {
                Some(hostname) => hostname == host,
                None => ip.replace('.', "-") == *host,
            })
            .map(|(_, ip)| ip)
            .collect(),
        [dashed, namespace, "pod"] => {
            let ip = dashed.replace('-', ".");
            let exists = api
                .store()
                .list_typed_in::<Pod>(namespace)
                .any(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip.as_str()));
            if exists { vec![ip] } else { Vec::new() }
        }
        _ => Vec::new(),
    }
}

fn service_addresses(api: &ApiServer, namespace: &str, name: &str) -> Vec<String> {
    let Some(service) = api.store().get_typed::<Service>(namespace, name) else {
        return Vec::new();
    };
    let spec = service.spec.as_ref();
    if let Some(external) = spec
        .and_then(|s| s.external_name.clone())
        .filter(|_| spec.and_then(|s| s.type_.as_deref()) == Some("ExternalName"))
    {
        return vec![external];
    }
    match spec.and_then(|s| s.cluster_ip.as_deref()) {
        Some("None") => {
            let mut out: Vec<String> = ready_endpoints(api, namespace, name).into_iter().map(|(_, ip)| ip).collect();
            out.sort_by_key(|ip| ip_sort_key(ip));
            out.dedup();
            out
        }
        Some(ip) if !ip.is_empty() => vec![ip.to_string()],
        _ => Vec::new(),
    }
}

/// The ready endpoints of a Service as CoreDNS reads them, as (hostname, IP): from its
/// EndpointSlices (an endpoint whose `ready` condition is unset counts as ready), else from its
/// Endpoints object, else from the ready pods its selector matches.
fn ready_endpoints(api: &ApiServer, namespace: &str, service: &str) -> Vec<(Option<String>, String)> {
    let mut slices = api
        .store()
        .list_typed_in::<EndpointSlice>(namespace)
        .filter(|s| {
            s.metadata.labels.as_ref().and_then(|l| l.get(LABEL_SERVICE_NAME)).map(String::as_str) == Some(service)
        })
        .filter(|s| s.address_type == "IPv4")
        .peekable();
    if slices.peek().is_some() {
        return slices
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
            .flat_map(|e| e.addresses.iter().map(|ip| (e.hostname.clone(), ip.clone())))
            .collect();
    }
    if let Some(endpoints) = api.store().get_typed::<Endpoints>(namespace, service) {
        return endpoints
            .subsets
            .iter()
            .flatten()
            .flat_map(|s| s.addresses.iter().flatten())
            .map(|a| (a.hostname.clone(), a.ip.clone()))
            .collect();
    }
    selected_pods(api, namespace, service)
        .into_iter()
        .map(|(host, ip)| ((!host.is_empty()).then_some(host), ip))
        .collect()
}

/// Ready pods a Service selects, as (hostname under the Service, IP), when no Endpoints object exists.
fn selected_pods(api: &ApiServer, namespace: &str, service: &str) -> Vec<(String, String)> {
    let Some(selector) =
        api.store().get_typed::<Service>(namespace, service).and_then(|s| s.spec.as_ref()?.selector.clone())
    else {
        return Vec::new();
    };
    api.store()
        .list_typed_in::<Pod>(namespace)
        .filter(|p| selector.iter().all(|(k, v)| p.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v)))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .filter_map(|p| {
            let ip = p.status.as_ref()?.pod_ip.clone()?;
            let spec = p.spec.as_ref()?;
            let host = if spec.subdomain.as_deref() == Some(service) {
                spec.hostname.clone().unwrap_or_default()
            } else {
                String::new()
            };
            Some((host, ip))
        })
        .collect()
}

fn ip_sort_key(ip: &str) -> Vec<u32> {
    ip.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The Service that owns a ClusterIP, if any.
pub fn service_by_cluster_ip<'a>(api: &'a ApiServer, ip: &str) -> Option<&'a Service> {
    api.store()
        .list_typed::<Service>()
        .find(|s| s.spec.as_ref().and_then(|spec| spec.cluster_ip.as_deref()) == Some(ip))
}

/// busybox `nslookup` output for an answer, as busybox 1.36 prints it.
pub fn nslookup_output(query: &str, answer: &DnsAnswer) -> (String, String, i32) {
    let mut out = format!("Server:\t\t{}\nAddress:\t{}:53\n\n", answer.server, answer.server);
    if answer.records.is_empty() {
        let fqdn = query;
        let err = format!("** server can't find {fqdn}: NXDOMAIN\n\n");
        return (out, err, 1);
    }
    for (name, address) in &answer.records {
        out.push_str(&format!("Name:\t{name}\nAddress: {address}\n"));
    }
    out.push('\n');
    (out, String::new(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_should_list_the_search_path() {
        assert_eq!(
            resolv_conf("production"),
            "search production.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        );
    }

    #[test]
    fn nslookup_should_print_busybox_format() {
        let answer = DnsAnswer {
            server: DNS_SERVER.to_string(),
            records: vec![("web.default.svc.cluster.local".to_string(), "10.96.12.7".to_string())],
        };
        let (out, _, code) = nslookup_output("web", &answer);
        assert_eq!(
            out,
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.12.7\n\n"
        );
        assert_eq!(code, 0);
    }
}
