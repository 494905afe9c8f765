//! Service IP and port allocation, as the API server's Service REST storage does it on create.
//!
//! # Model
//! - ClusterIPs come from the service CIDR `10.96.0.0/12`. The network and broadcast addresses are
//!   never handed out. The range is split as `ServiceIPStaticSubrange` splits it: the lower band (the
//!   first 256 addresses, `min(max(16, size/16), 256)`) is kept for IPs users ask for by hand, and
//!   dynamic allocation picks a random free address in the upper band, falling back to the lower band
//!   only when the upper band is full.
//! - "Random" is seeded: the pick is a hash of the new Service's uid (itself drawn from the seeded
//!   uid stream), rehashed on a collision. Allocation never draws from a random stream of its own, so
//!   creating a Service does not shift the uids of later objects.
//! - The allocated set is the Services in storage: deleting a Service releases its IP and node ports.
//!   `10.96.0.1` (the `kubernetes` Service) and `10.96.0.10` (kube-dns) are always taken.
//! - A headless Service (`clusterIP: None`) keeps `None` (and `clusterIPs: [None]`); ExternalName
//!   Services get no IP. Every other Service is single-stack IPv4: `ipFamilies: [IPv4]`,
//!   `ipFamilyPolicy: SingleStack` (headless Services with a selector too, as the API server does).
//! - NodePort and LoadBalancer Services get a node port per port from `30000-32767`, with the same
//!   static/dynamic split (`min(max(16, size/32), 128)` = 86 ports kept for manual use), and
//!   `externalTrafficPolicy: Cluster`.
//! - On update, allocated values the request leaves empty are kept (`patchAllocatedValues`), and an
//!   allocated ClusterIP may not change.

use crate::api::{ApiError, FieldError, Kind, Object};
use crate::store::Store;
use k8s_openapi::api::core::v1::Service;

/// The service CIDR.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
/// The first address of the service CIDR, as an integer.
const SERVICE_NETWORK: u32 = 0x0a60_0000;
/// Addresses in the CIDR, network and broadcast included.
const SERVICE_RANGE_SIZE: u32 = 1 << 20;
/// The lower band kept for static allocation (`calculateRangeOffset` for a /12).
const STATIC_IP_BAND: u32 = 256;
/// The ClusterIP of the `kubernetes` Service.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// The ClusterIP of kube-dns.
pub const DNS_SERVICE_IP: &str = "10.96.0.10";
/// The node port range.
pub const NODE_PORT_MIN: i32 = 30000;
/// The last node port.
pub const NODE_PORT_MAX: i32 = 32767;
/// The lower band of node ports kept for static allocation (`calculateRangeOffset` for 2768 ports).
const STATIC_PORT_BAND: i32 = 86;
/// Rehashes tried before falling back to a scan.
const ATTEMPTS_MAX: u64 = 64;

/// Allocates a new Service's ClusterIPs and node ports, after it has its uid.
///
/// # Errors
/// Invalid when the Service asks for an address or port outside the ranges or already in use.
pub(crate) fn allocate_on_create(store: &Store, object: &mut Object) -> Result<(), ApiError> {
    let Object::Service(service) = object else { return Ok(()) };
    let name = service.metadata.name.clone().unwrap_or_default();
    let uid = service.metadata.uid.clone().unwrap_or_default();
    let mut errors = Vec::new();
    let spec = service.spec.get_or_insert_with(Default::default);
    let service_type = spec.type_.clone().unwrap_or_else(|| "ClusterIP".to_string());
    if service_type == "ExternalName" {
        spec.cluster_ip = None;
        spec.cluster_ips = None;
        return Ok(());
    }
    let requested = spec
        .cluster_ip
        .clone()
        .filter(|ip| !ip.is_empty())
        .or_else(|| spec.cluster_ips.as_ref().and_then(|ips| ips.first().cloned()))
        .filter(|ip| !ip.is_empty());
    let taken = taken_ips(store);
    let cluster_ip = match requested.as_deref() {
        Some("None") => "None".to_string(),
        Some(ip) => match parse_ipv4(ip) {
            None => {
                errors.push(FieldError::invalid_str(
                    "spec.clusterIPs[0]",
                    ip,
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                ));
                String::new()
            }
            Some(address) if !in_service_range(address) => {
                errors.push(FieldError::invalid(
                    "spec.clusterIPs",
                    format!("[]string{{{ip:?}}}"),
                    format!(
                        "failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"
                    ),
                ));
                String::new()
            }
            Some(address) if taken.contains(&address) => {
                errors.push(FieldError::invalid(
                    "spec.clusterIPs",
                    format!("[]string{{{ip:?}}}"),
                    format!("failed to allocate IP {ip}: provided IP is already allocated"),
                ));
                String::new()
            }
            Some(address) => render_ipv4(address),
        },
        None => match next_free_ip(&uid, &taken) {
            Some(address) => render_ipv4(address),
            None => {
                errors.push(FieldError::invalid(
                    "spec.clusterIPs",
                    "[]string{}",
                    "failed to allocate a serviceIP: range is full",
                ));
                String::new()
            }
        },
    };
    if !cluster_ip.is_empty() {
        spec.cluster_ip = Some(cluster_ip.clone());
        spec.cluster_ips = Some(vec![cluster_ip]);
        spec.ip_families = Some(vec!["IPv4".to_string()]);
        spec.ip_family_policy = Some("SingleStack".to_string());
    }
    if matches!(service_type.as_str(), "NodePort" | "LoadBalancer") {
        if spec.external_traffic_policy.as_deref().is_none_or(str::is_empty) {
            spec.external_traffic_policy = Some("Cluster".to_string());
        }
        let mut used = taken_node_ports(store);
        for (index, port) in spec.ports.iter_mut().flatten().enumerate() {
            match port.node_port.filter(|p| *p != 0) {
                Some(wanted) if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&wanted) => {
                    errors.push(FieldError::invalid(
                        format!("spec.ports[{index}].nodePort"),
                        wanted.to_string(),
                        format!(
                            "provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
                        ),
                    ));
                }
                Some(wanted) if used.contains(&wanted) => {
                    errors.push(FieldError::invalid(
                        format!("spec.ports[{index}].nodePort"),
                        wanted.to_string(),
                        "provided port is already allocated",
                    ));
                }
                Some(wanted) => used.push(wanted),
                None => match next_free_port(&uid, index as u64, &used) {
                    Some(allocated) => {
                        port.node_port = Some(allocated);
                        used.push(allocated);
                    }
                    None => errors.push(FieldError::invalid(
                        format!("spec.ports[{index}].nodePort"),
                        "0",
                        "failed to allocate a nodePort: range is full",
                    )),
                },
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::invalid(Kind::Service, &name, errors)) }
}

/// Keeps allocated values an update leaves empty, and refuses a changed ClusterIP.
///
/// # Errors
/// Invalid when the update changes an allocated ClusterIP.
pub(crate) fn keep_on_update(old: &Object, new: &mut Object) -> Result<(), ApiError> {
    let (Object::Service(old), Object::Service(new)) = (old, new) else { return Ok(()) };
    let Some(old_spec) = old.spec.as_ref() else { return Ok(()) };
    let spec = new.spec.get_or_insert_with(Default::default);
    if spec.type_.as_deref() == Some("ExternalName") {
        return Ok(());
    }
    if spec.cluster_ip.as_deref().is_none_or(str::is_empty) && spec.cluster_ips.as_ref().is_none_or(Vec::is_empty) {
        spec.cluster_ip = old_spec.cluster_ip.clone();
        spec.cluster_ips = old_spec.cluster_ips.clone();
    } else if spec.cluster_ip.as_deref().is_none_or(str::is_empty) {
        spec.cluster_ip = spec.cluster_ips.as_ref().and_then(|ips| ips.first().cloned());
    } else if spec.cluster_ips.as_ref().is_none_or(Vec::is_empty) {
        spec.cluster_ips = spec.cluster_ip.clone().map(|ip| vec![ip]);
    }
    if spec.ip_families.as_ref().is_none_or(Vec::is_empty) {
        spec.ip_families = old_spec.ip_families.clone();
    }
    if spec.ip_family_policy.is_none() {
        spec.ip_family_policy = old_spec.ip_family_policy.clone();
    }
    if matches!(spec.type_.as_deref(), Some("NodePort" | "LoadBalancer")) {
        if spec.external_traffic_policy.is_none() {
            spec.external_traffic_policy = old_spec.external_traffic_policy.clone();
        }
        for port in spec.ports.iter_mut().flatten() {
            if port.node_port.is_none_or(|p| p == 0) {
                port.node_port = old_spec
                    .ports
                    .iter()
                    .flatten()
                    .find(|o| o.port == port.port && o.protocol == port.protocol)
                    .and_then(|o| o.node_port);
            }
        }
    }
    let old_ip = old_spec.cluster_ip.as_deref().unwrap_or("");
    let new_ip = spec.cluster_ip.as_deref().unwrap_or("");
    if !old_ip.is_empty() && old_ip != new_ip {
        let name = new.metadata.name.clone().unwrap_or_default();
        let rendered = format!("[]string{{{:?}}}", new_ip);
        return Err(ApiError::invalid(
            Kind::Service,
            &name,
            vec![FieldError::invalid("spec.clusterIPs[0]", rendered, "may not change once set")],
        ));
    }
    Ok(())
}

/// The ClusterIPs in use, as integers.
fn taken_ips(store: &Store) -> Vec<u32> {
    let mut taken: Vec<u32> = store
        .list_typed::<Service>()
        .filter_map(|s| s.spec.as_ref()?.cluster_ip.as_deref().and_then(parse_ipv4))
        .collect();
    taken.extend([KUBERNETES_SERVICE_IP, DNS_SERVICE_IP].iter().filter_map(|ip| parse_ipv4(ip)));
    taken.sort_unstable();
    taken.dedup();
    taken
}

/// The node ports in use.
fn taken_node_ports(store: &Store) -> Vec<i32> {
    store
        .list_typed::<Service>()
        .flat_map(|s| s.spec.iter().flat_map(|spec| spec.ports.iter().flatten()))
        .filter_map(|p| p.node_port.filter(|n| *n != 0))
        .collect()
}

fn in_service_range(address: u32) -> bool {
    address > SERVICE_NETWORK && address < SERVICE_NETWORK + SERVICE_RANGE_SIZE - 1
}

/// A free address: random in the upper band, then the first free one in the lower band.
fn next_free_ip(uid: &str, taken: &[u32]) -> Option<u32> {
    // Offsets count from the first usable address (network + 1); the last usable is broadcast - 1.
    let usable = SERVICE_RANGE_SIZE - 2;
    let dynamic = u64::from(usable - STATIC_IP_BAND);
    for attempt in 0..ATTEMPTS_MAX {
        let offset = STATIC_IP_BAND + (mix(uid, 0x5eed_c1a5, attempt) % dynamic) as u32;
        let address = SERVICE_NETWORK + 1 + offset;
        if taken.binary_search(&address).is_err() {
            return Some(address);
        }
    }
    (STATIC_IP_BAND..usable)
        .chain(0..STATIC_IP_BAND)
        .map(|offset| SERVICE_NETWORK + 1 + offset)
        .find(|address| taken.binary_search(address).is_err())
}

/// A free node port: random above the static band, then the first free one below it.
fn next_free_port(uid: &str, index: u64, used: &[i32]) -> Option<i32> {
    let low = NODE_PORT_MIN + STATIC_PORT_BAND;
    let dynamic = (NODE_PORT_MAX - low + 1) as u64;
    for attempt in 0..ATTEMPTS_MAX {
        let port = low + (mix(uid, 0x90d3_0000 + index, attempt) % dynamic) as i32;
        if !used.contains(&port) {
            return Some(port);
        }
    }
    (low..=NODE_PORT_MAX).chain(NODE_PORT_MIN..low).find(|port| !used.contains(port))
}

/// fnv-1a of the uid, salted and finished with splitmix64: a well-spread pick per attempt.
fn mix(uid: &str, salt: u64, attempt: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in uid.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = hash ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ attempt.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Parses a dotted IPv4 address.
pub fn parse_ipv4(text: &str) -> Option<u32> {
    let mut value: u32 = 0;
    let mut parts = 0;
    for part in text.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = part.parse().ok()?;
        if octet > 255 {
            return None;
        }
        value = (value << 8) | octet;
        parts += 1;
    }
    (parts == 4).then_some(value)
}

/// Renders an IPv4 address in dotted form.
pub fn render_ipv4(address: u32) -> String {
    let [a, b, c, d] = address.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_should_round_trip() {
        assert_eq!(parse_ipv4("10.96.0.10"), Some(0x0a60_000a));
        assert_eq!(render_ipv4(0x0a6f_fffe), "10.111.255.254");
        assert_eq!(parse_ipv4("10.96.0"), None);
        assert_eq!(parse_ipv4("10.96.0.256"), None);
        assert!(in_service_range(0x0a60_0001));
        assert!(!in_service_range(0x0a70_0000));
        assert!(!in_service_range(0x0a6f_ffff), "the broadcast address is not allocatable");
    }

    #[test]
    fn dynamic_allocation_should_use_the_upper_band() {
        for uid in ["a", "b", "c", "d"] {
            let address = next_free_ip(uid, &[]).unwrap();
            assert!(address >= SERVICE_NETWORK + 1 + STATIC_IP_BAND, "{}", render_ipv4(address));
            assert!(in_service_range(address));
            let port = next_free_port(uid, 0, &[]).unwrap();
            assert!((30086..=32767).contains(&port), "{port}");
        }
    }
}
