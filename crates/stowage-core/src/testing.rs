//! Test builders and a controller harness, in the shape of upstream's `framework_test.go`:
//! worlds of volumes, claims and classes built with `volume("v1").capacity("10Gi")...`, run through
//! a controller either once or until stable (bounded), with invariants checked after every step.
//!
//! Symbolic uids: builders take uids such as `"uid1-1"`. The API server assigns real uids; the
//! harness maps each claim's symbolic uid to its real one and rewrites volumes' claimRefs, so tables
//! read like upstream's. [`World::uid`] maps back for assertions.

use crate::api::well_known::*;
use crate::api::{Kind, Object, ObjectKey, Typed};
use crate::apiserver::ApiServer;
use crate::backend::Backend;
use crate::cluster::Cluster;
use crate::controllers::pv_controller::helpers::*;
use crate::controllers::{Controller, Ctx};
use crate::profiles::Profile;
use crate::sim::{Seed, SimDuration, SimRng, SimTime};
use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, Event, HostPathVolumeSource, NFSVolumeSource, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimStatus, PersistentVolumeSpec,
    PersistentVolumeStatus, Pod, PodSpec, PodStatus, Volume, VolumeResourceRequirements,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

/// A volume under construction.
#[derive(Clone, Debug)]
pub struct VolumeBuilder(PersistentVolume);

/// A volume named `name`: 1Gi, ReadWriteOnce, class `""`, Available, Retain, a hostPath source.
pub fn volume(name: &str) -> VolumeBuilder {
    let mut volume = PersistentVolume {
        metadata: ObjectMeta { name: Some(name.to_string()), ..ObjectMeta::default() },
        spec: Some(PersistentVolumeSpec {
            capacity: Some(BTreeMap::from([("storage".to_string(), Quantity("1Gi".to_string()))])),
            access_modes: Some(vec!["ReadWriteOnce".to_string()]),
            persistent_volume_reclaim_policy: Some("Retain".to_string()),
            host_path: Some(HostPathVolumeSource { path: format!("/tmp/{name}"), type_: None }),
            ..PersistentVolumeSpec::default()
        }),
        status: Some(PersistentVolumeStatus {
            phase: Some("Available".to_string()),
            ..PersistentVolumeStatus::default()
        }),
    };
    volume.metadata.finalizers = Some(vec![FINALIZER_PV_PROTECTION.to_string()]);
    VolumeBuilder(volume)
}

impl VolumeBuilder {
    fn spec(&mut self) -> &mut PersistentVolumeSpec {
        self.0.spec.get_or_insert_with(Default::default)
    }
    /// `spec.capacity.storage`.
    pub fn capacity(mut self, quantity: &str) -> Self {
        self.spec().capacity = Some(BTreeMap::from([("storage".to_string(), Quantity(quantity.to_string()))]));
        self
    }
    /// `spec.accessModes`.
    pub fn modes(mut self, modes: &[&str]) -> Self {
        self.spec().access_modes = Some(modes.iter().map(|m| m.to_string()).collect());
        self
    }
    /// `spec.storageClassName`.
    pub fn class(mut self, class: &str) -> Self {
        self.spec().storage_class_name = Some(class.to_string());
        self
    }
    /// `status.phase`.
    pub fn phase(mut self, phase: &str) -> Self {
        self.0.status.get_or_insert_with(Default::default).phase = Some(phase.to_string());
        self
    }
    /// `spec.claimRef` to `default/<claim>` with a symbolic uid (`""` for a pre-bound volume).
    pub fn bound_to(mut self, claim: &str, uid: &str) -> Self {
        self.spec().claim_ref = Some(ObjectReference {
            kind: Some("PersistentVolumeClaim".to_string()),
            api_version: Some("v1".to_string()),
            namespace: Some("default".to_string()),
            name: Some(claim.to_string()),
            uid: if uid.is_empty() { None } else { Some(uid.to_string()) },
            ..ObjectReference::default()
        });
        self
    }
    /// `spec.persistentVolumeReclaimPolicy`.
    pub fn reclaim(mut self, policy: &str) -> Self {
        self.spec().persistent_volume_reclaim_policy = Some(policy.to_string());
        self
    }
    /// An annotation.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        set_annotation(&mut self.0.metadata, key, value);
        self
    }
    /// A label.
    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.0.metadata.labels.get_or_insert_with(BTreeMap::new).insert(key.to_string(), value.to_string());
        self
    }
    /// `spec.volumeMode`.
    pub fn volume_mode(mut self, mode: &str) -> Self {
        self.spec().volume_mode = Some(mode.to_string());
        self
    }
    /// A hostPath source at `path`.
    pub fn host_path(mut self, path: &str) -> Self {
        let spec = self.spec();
        spec.host_path = Some(HostPathVolumeSource { path: path.to_string(), type_: None });
        self
    }
    /// An NFS source instead of hostPath.
    pub fn nfs(mut self, server: &str, path: &str) -> Self {
        let spec = self.spec();
        spec.host_path = None;
        spec.nfs = Some(NFSVolumeSource { server: server.to_string(), path: path.to_string(), read_only: None });
        self
    }
    /// A CSI source instead of hostPath.
    pub fn csi(mut self, driver: &str, handle: &str) -> Self {
        let spec = self.spec();
        spec.host_path = None;
        spec.csi = Some(CSIPersistentVolumeSource {
            driver: driver.to_string(),
            volume_handle: handle.to_string(),
            ..Default::default()
        });
        self
    }
    /// No finalizers (upstream's fake API server has none).
    pub fn no_finalizers(mut self) -> Self {
        self.0.metadata.finalizers = None;
        self
    }
    /// No volume source at all (a plugin the controller does not know).
    pub fn no_source(mut self) -> Self {
        self.spec().host_path = None;
        self
    }
    /// The volume.
    pub fn build(self) -> PersistentVolume {
        self.0
    }
}

/// A claim under construction.
#[derive(Clone, Debug)]
pub struct ClaimBuilder(PersistentVolumeClaim);

/// A claim `default/<name>`: 1Gi, ReadWriteOnce, class `""`, Pending, uid `uid-<name>`.
pub fn claim(name: &str) -> ClaimBuilder {
    let claim = PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some("default".to_string()),
            uid: Some(format!("uid-{name}")),
            finalizers: Some(vec![FINALIZER_PVC_PROTECTION.to_string()]),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".to_string()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), Quantity("1Gi".to_string()))])),
                ..Default::default()
            }),
            storage_class_name: Some(String::new()),
            ..PersistentVolumeClaimSpec::default()
        }),
        status: Some(PersistentVolumeClaimStatus { phase: Some("Pending".to_string()), ..Default::default() }),
    };
    ClaimBuilder(claim)
}

impl ClaimBuilder {
    fn spec(&mut self) -> &mut PersistentVolumeClaimSpec {
        self.0.spec.get_or_insert_with(Default::default)
    }
    /// `spec.resources.requests.storage`.
    pub fn request(mut self, quantity: &str) -> Self {
        self.spec().resources = Some(VolumeResourceRequirements {
            requests: Some(BTreeMap::from([("storage".to_string(), Quantity(quantity.to_string()))])),
            ..Default::default()
        });
        self
    }
    /// `spec.accessModes`.
    pub fn modes(mut self, modes: &[&str]) -> Self {
        self.spec().access_modes = Some(modes.iter().map(|m| m.to_string()).collect());
        self
    }
    /// `spec.storageClassName`.
    pub fn class(mut self, class: &str) -> Self {
        self.spec().storage_class_name = Some(class.to_string());
        self
    }
    /// `spec.storageClassName` unset.
    pub fn no_class(mut self) -> Self {
        self.spec().storage_class_name = None;
        self
    }
    /// The symbolic uid.
    pub fn uid(mut self, uid: &str) -> Self {
        self.0.metadata.uid = Some(uid.to_string());
        self
    }
    /// `spec.volumeName`.
    pub fn volume_name(mut self, name: &str) -> Self {
        self.spec().volume_name = Some(name.to_string());
        self
    }
    /// `status.phase`.
    pub fn phase(mut self, phase: &str) -> Self {
        self.0.status.get_or_insert_with(Default::default).phase = Some(phase.to_string());
        self
    }
    /// An annotation.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        set_annotation(&mut self.0.metadata, key, value);
        self
    }
    /// `spec.selector.matchLabels`.
    pub fn selector(mut self, labels: &[(&str, &str)]) -> Self {
        self.spec().selector = Some(LabelSelector {
            match_labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
            match_expressions: None,
        });
        self
    }
    /// `spec.volumeMode`.
    pub fn volume_mode(mut self, mode: &str) -> Self {
        self.spec().volume_mode = Some(mode.to_string());
        self
    }
    /// The claim.
    pub fn build(self) -> PersistentVolumeClaim {
        self.0
    }
}

/// A StorageClass under construction.
#[derive(Clone, Debug)]
pub struct ClassBuilder(StorageClass);

/// A class `name` of `provisioner`: Immediate, Delete.
pub fn storage_class(name: &str, provisioner: &str) -> ClassBuilder {
    ClassBuilder(StorageClass {
        metadata: ObjectMeta { name: Some(name.to_string()), ..ObjectMeta::default() },
        provisioner: provisioner.to_string(),
        reclaim_policy: Some("Delete".to_string()),
        volume_binding_mode: Some("Immediate".to_string()),
        ..StorageClass::default()
    })
}

impl ClassBuilder {
    /// `volumeBindingMode: WaitForFirstConsumer`.
    pub fn wait_for_first_consumer(mut self) -> Self {
        self.0.volume_binding_mode = Some("WaitForFirstConsumer".to_string());
        self
    }
    /// `reclaimPolicy`.
    pub fn reclaim(mut self, policy: &str) -> Self {
        self.0.reclaim_policy = Some(policy.to_string());
        self
    }
    /// A parameter.
    pub fn parameter(mut self, key: &str, value: &str) -> Self {
        self.0.parameters.get_or_insert_with(BTreeMap::new).insert(key.to_string(), value.to_string());
        self
    }
    /// `allowVolumeExpansion: true`.
    pub fn expandable(mut self) -> Self {
        self.0.allow_volume_expansion = Some(true);
        self
    }
    /// Marks the class default.
    pub fn default_class(mut self) -> Self {
        set_annotation(&mut self.0.metadata, ANN_DEFAULT_STORAGE_CLASS, "true");
        self
    }
    /// The class.
    pub fn build(self) -> StorageClass {
        self.0
    }
}

/// A running pod `default/<name>` on `node` (or unscheduled with `""`) using `claims`.
pub fn pod(name: &str, node: &str, claims: &[&str]) -> Pod {
    Pod {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some("default".to_string()),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            node_name: if node.is_empty() { None } else { Some(node.to_string()) },
            volumes: Some(
                claims
                    .iter()
                    .map(|c| Volume {
                        name: format!("vol-{c}"),
                        persistent_volume_claim: Some(k8s_openapi::api::core::v1::PersistentVolumeClaimVolumeSource {
                            claim_name: c.to_string(),
                            read_only: None,
                        }),
                        ..Volume::default()
                    })
                    .collect(),
            ),
            containers: vec![k8s_openapi::api::core::v1::Container {
                name: "app".to_string(),
                image: Some("busybox".to_string()),
                ..Default::default()
            }],
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase: Some(if node.is_empty() { "Pending" } else { "Running" }.to_string()),
            ..PodStatus::default()
        }),
    }
}

/// A controller world outside a [`Cluster`]: an API server holding exactly the objects given
/// (status included), a backend and a random stream.
pub struct World {
    /// The API server.
    pub api: ApiServer,
    /// The backend.
    pub backend: Backend,
    /// Randomness for controllers.
    pub rng: SimRng,
    uids: BTreeMap<String, String>,
    cursor: u64,
    /// Violations of the world as given (tables start from half-written states on purpose).
    initial_violations: Vec<String>,
    /// Invariant violations that appeared after a step (the initial world's own are not counted).
    pub violations: Vec<String>,
}

impl World {
    /// A world holding these objects.
    pub fn new(
        volumes: Vec<PersistentVolume>,
        claims: Vec<PersistentVolumeClaim>,
        classes: Vec<StorageClass>,
        pods: Vec<Pod>,
    ) -> World {
        let mut api = ApiServer::new(Seed(7));
        api.set_now(SimTime(1_000));
        let mut uids = BTreeMap::new();
        for class in classes {
            let _ = api.bootstrap(class.into_object());
        }
        for claim in claims {
            let symbolic = claim.metadata.uid.clone().unwrap_or_default();
            if let Ok(stored) = api.bootstrap(claim.into_object()) {
                uids.insert(symbolic, stored.uid().to_string());
            }
        }
        for mut volume in volumes {
            if let Some(claim_ref) = volume.spec.as_mut().and_then(|s| s.claim_ref.as_mut())
                && let Some(real) = claim_ref.uid.as_ref().and_then(|u| uids.get(u))
            {
                claim_ref.uid = Some(real.clone());
            }
            let _ = api.bootstrap(volume.into_object());
        }
        for pod in pods {
            let _ = api.bootstrap(pod.into_object());
        }
        let cursor = api.store().last_resource_version();
        let initial_violations = crate::invariants::check(&api);
        World {
            api,
            backend: Backend::default(),
            rng: SimRng::new(Seed(7), 3),
            uids,
            cursor,
            initial_violations,
            violations: Vec::new(),
        }
    }

    /// The real uid of a symbolic one.
    pub fn uid(&self, symbolic: &str) -> String {
        self.uids.get(symbolic).cloned().unwrap_or_else(|| symbolic.to_string())
    }

    /// Runs one reconcile of `key` by `controller`.
    ///
    /// # Errors
    /// The reconcile's error (some upstream cases expect one).
    pub fn reconcile(
        &mut self,
        controller: &dyn Controller,
        key: &ObjectKey,
    ) -> Result<crate::controllers::Action, crate::controllers::ReconcileError> {
        let mut wakeups = Vec::new();
        let mut ctx = Ctx { api: &mut self.api, backend: &mut self.backend, rng: &mut self.rng, wakeups: &mut wakeups };
        let result = controller.reconcile(key, &mut ctx);
        self.check_invariants();
        result
    }

    /// Runs `controller` over every object it reconciles and every change it triggers on, until no
    /// change is left, advancing the clock over in-flight operations; fails after `steps_max`.
    ///
    /// # Errors
    /// `too many iterations` when the controller does not settle.
    pub fn run_until_stable(&mut self, controller: &dyn Controller, steps_max: usize) -> Result<usize, String> {
        let mut queue: Vec<ObjectKey> = controller
            .reconciles()
            .iter()
            .flat_map(|k| self.api.store().list(*k).map(Object::key).collect::<Vec<_>>())
            .collect();
        let mut steps = 0;
        while !queue.is_empty() {
            let key = queue.remove(0);
            steps += 1;
            if steps > steps_max {
                return Err(format!("too many iterations ({steps_max})"));
            }
            let mut wakeups = Vec::new();
            let mut ctx =
                Ctx { api: &mut self.api, backend: &mut self.backend, rng: &mut self.rng, wakeups: &mut wakeups };
            let action = controller.reconcile(&key, &mut ctx);
            self.check_invariants();
            if let Ok(action) = action
                && action.is_pending()
                && let Some(after) = action.requeue_after()
            {
                let now = self.api.now().plus(after);
                self.api.set_now(now);
                queue.push(key.clone());
            }
            for (woken, _, _) in wakeups {
                if !queue.contains(&woken) {
                    queue.push(woken);
                }
            }
            let changes: Vec<_> = self.api.store().changes_after(self.cursor).to_vec();
            if let Some(last) = changes.last() {
                self.cursor = last.resource_version;
            }
            for change in changes {
                let mut keys = Vec::new();
                controller.triggers(&change, &self.api, &mut keys);
                for key in keys {
                    if !queue.contains(&key) {
                        queue.push(key);
                    }
                }
            }
        }
        Ok(steps)
    }

    fn check_invariants(&mut self) {
        for violation in crate::invariants::check(&self.api) {
            if !self.initial_violations.contains(&violation) && !self.violations.contains(&violation) {
                self.violations.push(violation);
            }
        }
    }

    /// A stored volume.
    pub fn volume(&self, name: &str) -> Option<&PersistentVolume> {
        self.api.store().get_typed::<PersistentVolume>("", name)
    }

    /// A stored claim in `default`.
    pub fn claim(&self, name: &str) -> Option<&PersistentVolumeClaim> {
        self.api.store().get_typed::<PersistentVolumeClaim>("default", name)
    }

    /// Every event as `Type Reason: message`, oldest first.
    pub fn events(&self) -> Vec<String> {
        events_of(&self.api)
    }
}

/// The events about the object named `involved` as `Type Reason: message`, oldest first (by first timestamp,
/// then by event name).
pub fn events_about(api: &ApiServer, involved: &str) -> Vec<String> {
    let mut events: Vec<&Event> =
        api.store().list_typed::<Event>().filter(|e| e.involved_object.name.as_deref() == Some(involved)).collect();
    events.sort_by_key(|e| (e.first_timestamp.clone().map(|t| t.0), e.metadata.name.clone()));
    events.iter().map(|e| event_line(e)).collect()
}

fn event_line(e: &Event) -> String {
    format!(
        "{} {}: {}",
        e.type_.as_deref().unwrap_or(""),
        e.reason.as_deref().unwrap_or(""),
        e.message.as_deref().unwrap_or("")
    )
}

/// Every event of an API server as `Type Reason: message`, in creation order.
pub fn events_of(api: &ApiServer) -> Vec<String> {
    let mut events: Vec<&Event> = api.store().list_typed::<Event>().collect();
    // Event names end in a hex number that grows with every new event: creation order.
    events.sort_by_key(|e| {
        let name = e.metadata.name.as_deref().unwrap_or("");
        u64::from_str_radix(name.rsplit('.').next().unwrap_or(""), 16).unwrap_or(0)
    });
    events.iter().map(|e| event_line(e)).collect()
}

/// A summary line of a volume for table assertions: `phase claim=<ns/name or -> ann=[...]`.
pub fn volume_summary(volume: &PersistentVolume) -> String {
    let claim = volume
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .map(|r| format!("{}/{}", r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or("")))
        .unwrap_or_else(|| "-".to_string());
    let annotations: Vec<String> = volume
        .metadata
        .annotations
        .iter()
        .flatten()
        .map(|(k, _)| k.rsplit('/').next().unwrap_or(k).to_string())
        .collect();
    format!("{} claim={claim} ann=[{}]", volume_phase(volume), annotations.join(","))
}

/// A summary line of a claim for table assertions: `phase volume=<name or -> ann=[...]`.
pub fn claim_summary(claim: &PersistentVolumeClaim) -> String {
    let volume = claim_volume_name(claim);
    let annotations: Vec<String> = claim
        .metadata
        .annotations
        .iter()
        .flatten()
        .map(|(k, _)| k.rsplit('/').next().unwrap_or(k).to_string())
        .collect();
    format!(
        "{} volume={} ann=[{}]",
        claim_phase(claim),
        if volume.is_empty() { "-" } else { volume },
        annotations.join(",")
    )
}

/// A Bare cluster with `n` Available static volumes `pv-<i>` of 1Gi..(n)Gi, settled.
pub fn bind_world(n: usize) -> Cluster {
    let mut cluster = Cluster::new(Profile::Bare, Seed(1));
    for i in 0..n {
        let volume = volume(&format!("pv-{i:05}")).capacity(&format!("{}Gi", 1 + i % 100)).class("manual").build();
        let mut object = volume.into_object();
        if let Object::PersistentVolume(v) = &mut object {
            v.status = None;
        }
        let _ = cluster.create(object);
    }
    cluster.settle();
    cluster
}

/// Creates `n` claims `pvc-<i>` against [`bind_world`]'s volumes and settles; panics unless every
/// claim is Bound.
pub fn settle_bound(cluster: &mut Cluster, n: usize) {
    for i in 0..n {
        let claim = claim(&format!("pvc-{i:05}")).request(&format!("{}Gi", 1 + i % 100)).class("manual").build();
        let _ = cluster.create(claim.into_object());
    }
    cluster.settle();
    let bound =
        cluster.api().store().list_typed::<PersistentVolumeClaim>().filter(|c| claim_phase(c) == "Bound").count();
    assert_eq!(bound, n, "every claim binds");
}

/// Advances a cluster by `seconds` of simulated time.
pub fn advance_secs(cluster: &mut Cluster, seconds: u64) {
    cluster.advance(SimDuration::from_secs(seconds));
}

/// The key of a claim in `default`.
pub fn claim_key(name: &str) -> ObjectKey {
    ObjectKey::namespaced(Kind::PersistentVolumeClaim, "default", name)
}

/// The key of a volume.
pub fn volume_key(name: &str) -> ObjectKey {
    ObjectKey::cluster(Kind::PersistentVolume, name)
}
