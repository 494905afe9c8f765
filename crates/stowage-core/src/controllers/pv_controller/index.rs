//! The PV controller's volume index (`index.go`): volumes by (class, access-mode set) in capacity
//! order, plus volumes pre-bound to a claim by name, fed from the API server's watch log.
//!
//! # Model
//! Upstream keeps an informer cache indexed by the string of each volume's access-mode set and scans
//! every volume of every set that contains the requested modes, keeping the smallest. We index by
//! (class, mode set) and keep each set ordered by (capacity, name), so the smallest sufficient
//! volume is found by a range query: binding 10,000 claims against 10,000 volumes stays
//! O(n log n). The observable choice is the same as upstream's: sets are tried by ascending number
//! of modes, a volume pre-bound to the claim wins within its set, otherwise the smallest capacity
//! wins (ties: name order, where upstream's is cache order).
//!
//! The index lives in [`crate::backend::Backend`] because controllers are stateless values; it
//! follows the store's watch log with a cursor, like an informer, and rebuilds itself when the log
//! has a gap.

use super::helpers::*;
use crate::api::quantity::Quantity;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim};
use std::collections::{BTreeMap, BTreeSet};

/// A capacity as an index key: ordered exactly as the [`Quantity`] is, but two whole numbers of
/// bytes (every capacity in practice) compare as integers.
#[derive(Clone, Copy, Debug)]
struct Capacity {
    /// `Quantity::value()`: rounded up, so it never decreases as the quantity grows.
    rounded: i64,
    /// Whether `rounded` is the quantity exactly.
    whole: bool,
    exact: Quantity,
}

impl Capacity {
    fn new(exact: Quantity) -> Capacity {
        let rounded = exact.value();
        let whole = Quantity::from_bytes(rounded) == exact;
        Capacity { rounded, whole, exact }
    }
}

impl PartialEq for Capacity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Capacity {}

impl PartialOrd for Capacity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Capacity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Rounding up is monotonic: different rounded values order the quantities; equal ones
        // are the same quantity when both are whole, and are compared exactly otherwise.
        match self.rounded.cmp(&other.rounded) {
            std::cmp::Ordering::Equal if self.whole && other.whole => std::cmp::Ordering::Equal,
            std::cmp::Ordering::Equal => self.exact.cmp(&other.exact),
            order => order,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    /// No claimRef: candidate for any claim of its class.
    Unbound { class: String, modes: u8, capacity: Capacity },
    /// claimRef names a claim.
    Claimed { namespace: String, name: String, modes: u8 },
}

/// The index. Cheap to clone; rebuilt on demand.
#[derive(Clone, Debug, Default)]
pub struct VolumeIndex {
    cursor: u64,
    unbound: BTreeMap<(String, u8), BTreeSet<(Capacity, String)>>,
    claimed: BTreeMap<(String, String), BTreeSet<(u8, String)>>,
    entries: BTreeMap<String, Entry>,
    mode_sets: BTreeMap<u8, u64>,
}

/// Why a candidate volume was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Skip,
    PreBound,
    Candidate,
}

/// What `find_matching_volume` is asked (`FindMatchingVolume` arguments).
pub struct MatchRequest<'a> {
    /// The claim.
    pub claim: &'a PersistentVolumeClaim,
    /// The candidate node (scheduler path) or `None` (PV controller path).
    pub node: Option<&'a Node>,
    /// Volumes already chosen for other claims of the same pod (scheduler path).
    pub excluded: &'a BTreeSet<String>,
    /// Whether the claim's class delays binding (WaitForFirstConsumer).
    pub delay_binding: bool,
}

/// One volume against the claim, in `FindMatchingVolume`'s order of checks.
fn judge(volume: &PersistentVolume, request: &MatchRequest<'_>, requested: &Quantity) -> Verdict {
    let claim = request.claim;
    let name = name_of(&volume.metadata);
    if request.excluded.contains(name) {
        return Verdict::Skip;
    }
    let claim_ref = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    if claim_ref.is_some() && !is_volume_bound_to_claim(volume, claim) {
        return Verdict::Skip;
    }
    if volume_capacity(volume) < *requested {
        return Verdict::Skip;
    }
    if volume_volume_mode(volume) != claim_volume_mode(claim) {
        return Verdict::Skip;
    }
    if volume_attributes_class(volume) != claim_attributes_class(claim) {
        return Verdict::Skip;
    }
    if volume.metadata.deletion_timestamp.is_some() {
        return Verdict::Skip;
    }
    if let Some(node) = request.node {
        // Scheduler path: the volume must be reachable from the candidate node.
        if !volume_fits_node(volume, node) {
            return Verdict::Skip;
        }
    }
    if claim_ref.is_some() {
        // Pre-bound to this claim: returned at once, whatever its class, phase or labels.
        return Verdict::PreBound;
    }
    if request.node.is_none() && request.delay_binding {
        // The PV controller never binds a WaitForFirstConsumer claim to an unbound volume.
        return Verdict::Skip;
    }
    if volume_phase(volume) != "Available" {
        return Verdict::Skip;
    }
    let selector = claim.spec.as_ref().and_then(|s| s.selector.as_ref());
    if !label_selector_matches(selector, volume.metadata.labels.as_ref()) {
        return Verdict::Skip;
    }
    if volume_class(volume) != claim_class(claim) {
        return Verdict::Skip;
    }
    if request.node.is_some() {
        // Scheduler path also checks access modes (`CheckAccessModes`).
        let wanted = claim_access_modes(claim);
        if volume_access_modes(volume) & wanted != wanted {
            return Verdict::Skip;
        }
    }
    Verdict::Candidate
}

impl VolumeIndex {
    /// Brings the index up to date with the store's watch log.
    pub fn sync(&mut self, store: &Store) {
        let last = store.last_resource_version();
        if last == self.cursor {
            return;
        }
        let changes = store.changes_after(self.cursor);
        let contiguous = changes.first().is_some_and(|c| c.resource_version == self.cursor + 1);
        if !contiguous || self.cursor == 0 {
            self.rebuild(store);
            return;
        }
        let names: BTreeSet<String> = changes
            .iter()
            .filter(|c| c.key.kind == crate::api::Kind::PersistentVolume)
            .map(|c| c.key.name.clone())
            .collect();
        for name in names {
            self.remove(&name);
            if let Some(volume) = store.get_typed::<PersistentVolume>("", &name) {
                self.insert(volume);
            }
        }
        self.cursor = last;
    }

    fn rebuild(&mut self, store: &Store) {
        *self = VolumeIndex::default();
        for volume in store.list_typed::<PersistentVolume>() {
            self.insert(volume);
        }
        self.cursor = store.last_resource_version();
    }

    fn insert(&mut self, volume: &PersistentVolume) {
        let name = name_of(&volume.metadata).to_string();
        let modes = volume_access_modes(volume);
        let entry = match volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
            Some(claim_ref) => Entry::Claimed {
                namespace: claim_ref.namespace.clone().unwrap_or_default(),
                name: claim_ref.name.clone().unwrap_or_default(),
                modes,
            },
            None => {
                let capacity = Capacity::new(volume_capacity(volume));
                Entry::Unbound { class: volume_class(volume).to_string(), modes, capacity }
            }
        };
        match &entry {
            Entry::Unbound { class, modes, capacity } => {
                self.unbound.entry((class.clone(), *modes)).or_default().insert((*capacity, name.clone()));
            }
            Entry::Claimed { namespace, name: claim, modes } => {
                self.claimed.entry((namespace.clone(), claim.clone())).or_default().insert((*modes, name.clone()));
            }
        }
        *self.mode_sets.entry(modes).or_insert(0) += 1;
        self.entries.insert(name, entry);
    }

    fn remove(&mut self, name: &str) {
        let Some(entry) = self.entries.remove(name) else {
            return;
        };
        let modes = match entry {
            Entry::Unbound { class, modes, capacity } => {
                let key = (class, modes);
                if let Some(set) = self.unbound.get_mut(&key) {
                    set.remove(&(capacity, name.to_string()));
                    if set.is_empty() {
                        self.unbound.remove(&key);
                    }
                }
                modes
            }
            Entry::Claimed { namespace, name: claim, modes } => {
                let key = (namespace, claim);
                if let Some(set) = self.claimed.get_mut(&key) {
                    set.remove(&(modes, name.to_string()));
                    if set.is_empty() {
                        self.claimed.remove(&key);
                    }
                }
                modes
            }
        };
        if let Some(count) = self.mode_sets.get_mut(&modes) {
            *count -= 1;
            if *count == 0 {
                self.mode_sets.remove(&modes);
            }
        }
    }

    /// `findByClaim` + `FindMatchingVolume`: the best volume for a claim, or `None`.
    /// The index must be synced with `store`.
    pub fn find(&self, store: &Store, request: &MatchRequest<'_>) -> Option<String> {
        let claim = request.claim;
        let wanted = claim_access_modes(claim);
        let requested = claim_request(claim);
        let class = claim_class(claim).to_string();
        let claim_key = (namespace_of(&claim.metadata).to_string(), name_of(&claim.metadata).to_string());
        let mut sets: Vec<u8> = self.mode_sets.keys().copied().filter(|m| m & wanted == wanted).collect();
        sets.sort_by_key(|m| (m.count_ones(), *m));
        let prebound = self.claimed.get(&claim_key);
        for modes in sets {
            if let Some(prebound) = prebound {
                for (_, name) in prebound.iter().filter(|(m, _)| *m == modes) {
                    let Some(volume) = store.get_typed::<PersistentVolume>("", name) else {
                        continue;
                    };
                    if judge(volume, request, &requested) == Verdict::PreBound {
                        return Some(name.clone());
                    }
                }
            }
            if request.node.is_none() && request.delay_binding {
                continue;
            }
            let Some(candidates) = self.unbound.get(&(class.clone(), modes)) else {
                continue;
            };
            for (_, name) in candidates.range((Capacity::new(requested), String::new())..) {
                let Some(volume) = store.get_typed::<PersistentVolume>("", name) else {
                    continue;
                };
                if judge(volume, request, &requested) == Verdict::Candidate {
                    return Some(name.clone());
                }
            }
        }
        None
    }
}

/// The same choice as [`VolumeIndex::find`] by a scan of every volume (the scheduler's path, which
/// has no index; clusters with WaitForFirstConsumer claims are small).
pub fn find_matching_volume_by_scan(store: &Store, request: &MatchRequest<'_>) -> Option<String> {
    let mut index = VolumeIndex::default();
    for volume in store.list_typed::<PersistentVolume>() {
        index.insert(volume);
    }
    index.find(store, request)
}
