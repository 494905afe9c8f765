//! Table tests of the PV controller, ported from upstream `binder_test.go`, `provision_test.go`,
//! `delete_test.go` and `recycle_test.go` (each row names its upstream case id). Every row runs in
//! two modes: one sync of the named object (`runSyncTests`), and until stable with a bound of 100
//! reconciles (`runMultisyncTests`); invariants are checked after every step of both.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use stowage_core::api::well_known::*;
use stowage_core::controllers::pv_controller::PvController;
use stowage_core::testing::*;

/// Which object the single sync runs on.
#[derive(Clone, Copy)]
enum Sync {
    Claim(&'static str),
    Volume(&'static str),
}

struct Case {
    name: &'static str,
    volumes: Vec<PersistentVolume>,
    claims: Vec<PersistentVolumeClaim>,
    classes: Vec<StorageClass>,
    pods: Vec<Pod>,
    sync: Sync,
    /// (volume, summary) after one sync; summary `gone` for a deleted volume.
    expected_volumes: &'static [(&'static str, &'static str)],
    /// (claim, summary) after one sync.
    expected_claims: &'static [(&'static str, &'static str)],
    /// Events after one sync, `Type Reason: message` prefixes in order.
    events: &'static [&'static str],
}

fn case(name: &'static str, sync: Sync) -> Case {
    Case {
        name,
        volumes: vec![],
        claims: vec![],
        classes: vec![],
        pods: vec![],
        sync,
        expected_volumes: &[],
        expected_claims: &[],
        events: &[],
    }
}

impl Case {
    fn volumes(mut self, volumes: Vec<PersistentVolume>) -> Self {
        self.volumes = volumes;
        self
    }
    fn claims(mut self, claims: Vec<PersistentVolumeClaim>) -> Self {
        self.claims = claims;
        self
    }
    fn classes(mut self, classes: Vec<StorageClass>) -> Self {
        self.classes = classes;
        self
    }
    fn pods(mut self, pods: Vec<Pod>) -> Self {
        self.pods = pods;
        self
    }
    fn expect(
        mut self,
        volumes: &'static [(&'static str, &'static str)],
        claims: &'static [(&'static str, &'static str)],
        events: &'static [&'static str],
    ) -> Self {
        self.expected_volumes = volumes;
        self.expected_claims = claims;
        self.events = events;
        self
    }
    fn world(&self) -> World {
        World::new(self.volumes.clone(), self.claims.clone(), self.classes.clone(), self.pods.clone())
    }
}

fn check_once(case: &Case) {
    let mut world = case.world();
    let key = match case.sync {
        Sync::Claim(name) => claim_key(name),
        Sync::Volume(name) => volume_key(name),
    };
    let _ = world.reconcile(&PvController, &key);
    for (name, expected) in case.expected_volumes {
        let actual = world.volume(name).map(volume_summary).unwrap_or_else(|| "gone".to_string());
        assert_eq!(&actual, expected, "{}: volume {name}", case.name);
    }
    for (name, expected) in case.expected_claims {
        let actual = world.claim(name).map(claim_summary).unwrap_or_else(|| "gone".to_string());
        assert_eq!(&actual, expected, "{}: claim {name}", case.name);
    }
    let events = world.events();
    assert_eq!(events.len(), case.events.len(), "{}: events {events:?}", case.name);
    for (event, expected) in events.iter().zip(case.events) {
        assert!(event.starts_with(expected), "{}: event {event:?} does not start with {expected:?}", case.name);
    }
    assert!(world.violations.is_empty(), "{}: {:?}", case.name, world.violations);
}

fn check_stable(case: &Case) {
    let mut world = case.world();
    let steps = world.run_until_stable(&PvController, 100);
    assert!(steps.is_ok(), "{}: {steps:?}", case.name);
    assert!(world.violations.is_empty(), "{}: {:?}", case.name, world.violations);
    let events = world.events();
    for expected in case.events {
        let reason = expected.split(':').next().unwrap_or(expected);
        assert!(events.iter().any(|e| e.starts_with(reason)), "{}: {reason} missing from {events:?}", case.name);
    }
}

fn run(cases: Vec<Case>) {
    for case in &cases {
        check_once(case);
        check_stable(case);
    }
}

#[test]
fn binder_set_1_should_match_unbound_claims() {
    run(vec![
        case("1-1 - successful bind", Sync::Claim("claim1-1"))
            .volumes(vec![volume("volume1-1").build()])
            .claims(vec![claim("claim1-1").uid("uid1-1").build()])
            .expect(
                &[("volume1-1", "Bound claim=default/claim1-1 ann=[bound-by-controller]")],
                &[("claim1-1", "Bound volume=volume1-1 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("1-2 - noop", Sync::Claim("claim1-2"))
            .volumes(vec![volume("volume1-2").build()])
            .claims(vec![claim("claim1-2").request("10Gi").build()])
            .expect(
                &[("volume1-2", "Available claim=- ann=[]")],
                &[("claim1-2", "Pending volume=- ann=[]")],
                &["Normal FailedBinding: no persistent volumes available for this claim and no storage class is set"],
            ),
        case("1-3 - reset to Pending", Sync::Claim("claim1-3"))
            .volumes(vec![volume("volume1-3").build()])
            .claims(vec![claim("claim1-3").request("10Gi").phase("Bound").build()])
            .expect(&[], &[("claim1-3", "Pending volume=- ann=[]")], &["Normal FailedBinding"]),
        case("1-4 - smallest volume", Sync::Claim("claim1-4"))
            .volumes(vec![
                volume("volume1-4-1").capacity("10Gi").build(),
                volume("volume1-4-2").capacity("1Gi").build(),
            ])
            .claims(vec![claim("claim1-4").build()])
            .expect(
                &[
                    ("volume1-4-1", "Available claim=- ann=[]"),
                    ("volume1-4-2", "Bound claim=default/claim1-4 ann=[bound-by-controller]"),
                ],
                &[("claim1-4", "Bound volume=volume1-4-2 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("1-5 - prebound volume by name - success", Sync::Claim("claim1-5"))
            .volumes(vec![
                volume("volume1-5-1").capacity("10Gi").bound_to("claim1-5", "").phase("Pending").build(),
                volume("volume1-5-2").build(),
            ])
            .claims(vec![claim("claim1-5").build()])
            .expect(
                &[("volume1-5-1", "Bound claim=default/claim1-5 ann=[]"), ("volume1-5-2", "Available claim=- ann=[]")],
                &[("claim1-5", "Bound volume=volume1-5-1 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("1-6 - prebound volume by UID - success", Sync::Claim("claim1-6"))
            .volumes(vec![
                volume("volume1-6-1").capacity("10Gi").bound_to("claim1-6", "uid1-6").phase("Pending").build(),
                volume("volume1-6-2").build(),
            ])
            .claims(vec![claim("claim1-6").uid("uid1-6").build()])
            .expect(
                &[("volume1-6-1", "Bound claim=default/claim1-6 ann=[]")],
                &[("claim1-6", "Bound volume=volume1-6-1 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("1-7 - prebound volume to different claim", Sync::Claim("claim1-7"))
            .volumes(vec![
                volume("volume1-7").capacity("10Gi").bound_to("claim1-7", "uid1-777").phase("Pending").build(),
            ])
            .claims(vec![claim("claim1-7").uid("uid1-7").build()])
            .expect(
                &[("volume1-7", "Pending claim=default/claim1-7 ann=[]")],
                &[("claim1-7", "Pending volume=- ann=[]")],
                &["Normal FailedBinding"],
            ),
        case("1-8 - complete bind after crash - PV bound", Sync::Claim("claim1-8"))
            .volumes(vec![
                volume("volume1-8")
                    .bound_to("claim1-8", "uid1-8")
                    .phase("Pending")
                    .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
                    .build(),
            ])
            .claims(vec![claim("claim1-8").uid("uid1-8").build()])
            .expect(
                &[("volume1-8", "Bound claim=default/claim1-8 ann=[bound-by-controller]")],
                &[("claim1-8", "Bound volume=volume1-8 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("1-10 - complete bind after crash - PVC bound", Sync::Claim("claim1-10"))
            .volumes(vec![
                volume("volume1-10")
                    .bound_to("claim1-10", "uid1-10")
                    .phase("Bound")
                    .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
                    .build(),
            ])
            .claims(vec![
                claim("claim1-10")
                    .uid("uid1-10")
                    .volume_name("volume1-10")
                    .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
                    .annotation(ANN_BIND_COMPLETED, "yes")
                    .build(),
            ])
            .expect(&[], &[("claim1-10", "Bound volume=volume1-10 ann=[bind-completed,bound-by-controller]")], &[]),
        case("1-11 - bind when selector matches", Sync::Claim("claim1-11"))
            .volumes(vec![volume("volume1-11").label("foo", "true").label("bar", "false").build()])
            .claims(vec![claim("claim1-11").selector(&[("foo", "true"), ("bar", "false")]).build()])
            .expect(&[("volume1-11", "Bound claim=default/claim1-11 ann=[bound-by-controller]")], &[], &[]),
        case("1-12 - do not bind when selector does not match", Sync::Claim("claim1-12"))
            .volumes(vec![volume("volume1-12").build()])
            .claims(vec![claim("claim1-12").selector(&[("foo", "true")]).build()])
            .expect(
                &[("volume1-12", "Available claim=- ann=[]")],
                &[("claim1-12", "Pending volume=- ann=[]")],
                &["Normal FailedBinding"],
            ),
        case("1-13 - volume being deleted is not bound [current upstream]", Sync::Claim("claim1-13"))
            .volumes(vec![{
                let mut v = volume("volume1-13").build();
                v.metadata.deletion_timestamp = Some(stowage_core::sim::SimTime(0).to_k8s_time());
                v
            }])
            .claims(vec![claim("claim1-13").build()])
            .expect(
                &[("volume1-13", "Available claim=- ann=[]")],
                &[("claim1-13", "Pending volume=- ann=[]")],
                &["Normal FailedBinding"],
            ),
    ]);
}

#[test]
fn binder_set_2_should_honour_claims_prebound_by_the_user() {
    run(vec![
        case("2-1 - claim prebound to non-existing volume - noop", Sync::Claim("claim2-1"))
            .claims(vec![claim("claim2-1").request("10Gi").volume_name("volume2-1").build()])
            .expect(&[], &[("claim2-1", "Pending volume=volume2-1 ann=[]")], &[]),
        case("2-2 - claim prebound to non-existing volume - reset status", Sync::Claim("claim2-2"))
            .claims(vec![claim("claim2-2").request("10Gi").volume_name("volume2-2").phase("Bound").build()])
            .expect(&[], &[("claim2-2", "Pending volume=volume2-2 ann=[]")], &[]),
        case("2-3 - claim prebound to unbound volume", Sync::Claim("claim2-3"))
            .volumes(vec![volume("volume2-3").build()])
            .claims(vec![claim("claim2-3").volume_name("volume2-3").build()])
            .expect(
                &[("volume2-3", "Bound claim=default/claim2-3 ann=[bound-by-controller]")],
                &[("claim2-3", "Bound volume=volume2-3 ann=[bind-completed]")],
                &[],
            ),
        case("2-4 - claim prebound to prebound volume by name", Sync::Claim("claim2-4"))
            .volumes(vec![volume("volume2-4").bound_to("claim2-4", "").build()])
            .claims(vec![claim("claim2-4").volume_name("volume2-4").build()])
            .expect(&[("volume2-4", "Bound claim=default/claim2-4 ann=[]")], &[("claim2-4", "Bound volume=volume2-4 ann=[bind-completed]")], &[]),
        case("2-5 - claim prebound to prebound volume by UID", Sync::Claim("claim2-5"))
            .volumes(vec![volume("volume2-5").bound_to("claim2-5", "uid2-5").phase("Pending").build()])
            .claims(vec![claim("claim2-5").uid("uid2-5").volume_name("volume2-5").build()])
            .expect(&[("volume2-5", "Bound claim=default/claim2-5 ann=[]")], &[("claim2-5", "Bound volume=volume2-5 ann=[bind-completed]")], &[]),
        case("2-6 - claim prebound to already bound volume", Sync::Claim("claim2-6"))
            .volumes(vec![volume("volume2-6").bound_to("claim2-6-1", "uid2-6_1").phase("Bound").build()])
            .claims(vec![claim("claim2-6").volume_name("volume2-6").phase("Bound").build()])
            .expect(
                &[("volume2-6", "Bound claim=default/claim2-6-1 ann=[]")],
                &[("claim2-6", "Pending volume=volume2-6 ann=[]")],
                &["Warning FailedBinding: volume \"volume2-6\" already bound to a different claim."],
            ),
        case("2-7 - claim bound by controller to already bound volume", Sync::Claim("claim2-7"))
            .volumes(vec![volume("volume2-7").bound_to("claim2-7-1", "uid2-7_1").phase("Bound").build()])
            .claims(vec![claim("claim2-7").volume_name("volume2-7").phase("Bound").annotation(ANN_BOUND_BY_CONTROLLER, "yes").build()])
            .expect(&[], &[("claim2-7", "Bound volume=volume2-7 ann=[bound-by-controller]")], &[]),
        case("2-8 - claim prebound to unbound volume that does not match the selector", Sync::Claim("claim2-8"))
            .volumes(vec![volume("volume2-8").build()])
            .claims(vec![claim("claim2-8").volume_name("volume2-8").selector(&[("foo", "true")]).build()])
            .expect(&[], &[("claim2-8", "Bound volume=volume2-8 ann=[bind-completed]")], &[]),
        case("2-9 - claim prebound to too small volume", Sync::Claim("claim2-9"))
            .volumes(vec![volume("volume2-9").build()])
            .claims(vec![claim("claim2-9").request("10Gi").volume_name("volume2-9").build()])
            .expect(
                &[("volume2-9", "Available claim=- ann=[]")],
                &[("claim2-9", "Pending volume=volume2-9 ann=[]")],
                &["Warning VolumeMismatch: Cannot bind to requested volume \"volume2-9\": requested PV is too small"],
            ),
        case("2-10 - claim prebound to volume with different class", Sync::Claim("claim2-10"))
            .volumes(vec![volume("volume2-10").class("gold").build()])
            .claims(vec![claim("claim2-10").volume_name("volume2-10").build()])
            .expect(&[], &[("claim2-10", "Pending volume=volume2-10 ann=[]")], &["Warning VolumeMismatch: Cannot bind to requested volume \"volume2-10\": storageClassName does not match"]),
        case("14-5-2 - claim prebound to volume with other access modes", Sync::Claim("claim14-5"))
            .volumes(vec![volume("volume14-5").build()])
            .claims(vec![claim("claim14-5").modes(&["ReadWriteMany"]).volume_name("volume14-5").build()])
            .expect(&[], &[], &["Warning VolumeMismatch: Cannot bind to requested volume \"volume14-5\": incompatible accessMode"]),
        case("14-8 - claim prebound to block volume", Sync::Claim("claim14-8"))
            .volumes(vec![volume("volume14-8").volume_mode("Block").build()])
            .claims(vec![claim("claim14-8").volume_name("volume14-8").build()])
            .expect(&[], &[], &["Warning VolumeMismatch: Cannot bind to requested volume \"volume14-8\": incompatible volumeMode"]),
    ]);
}

#[test]
fn binder_set_3_should_sync_bound_claims() {
    let done = |c: stowage_core::testing::ClaimBuilder| {
        c.annotation(ANN_BIND_COMPLETED, "yes").annotation(ANN_BOUND_BY_CONTROLLER, "yes")
    };
    run(vec![
        case("3-1 - bound claim with missing VolumeName", Sync::Claim("claim3-1"))
            .claims(vec![done(claim("claim3-1")).phase("Bound").build()])
            .expect(
                &[],
                &[("claim3-1", "Lost volume=- ann=[bind-completed,bound-by-controller]")],
                &["Warning ClaimLost: Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"],
            ),
        case("3-2 - bound claim with missing volume", Sync::Claim("claim3-2"))
            .claims(vec![done(claim("claim3-2")).volume_name("volume3-2").phase("Bound").build()])
            .expect(
                &[],
                &[("claim3-2", "Lost volume=volume3-2 ann=[bind-completed,bound-by-controller]")],
                &["Warning ClaimLost: Bound claim has lost its PersistentVolume. Data on the volume is lost!"],
            ),
        case("3-3 - bound claim with unbound volume", Sync::Claim("claim3-3"))
            .volumes(vec![volume("volume3-3").capacity("10Gi").build()])
            .claims(vec![done(claim("claim3-3")).request("10Gi").volume_name("volume3-3").build()])
            .expect(
                &[("volume3-3", "Bound claim=default/claim3-3 ann=[bound-by-controller]")],
                &[("claim3-3", "Bound volume=volume3-3 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("3-4 - bound claim with prebound volume", Sync::Claim("claim3-4"))
            .volumes(vec![
                volume("volume3-4").capacity("10Gi").bound_to("claim3-4", "claim3-4-x").phase("Pending").build(),
            ])
            .claims(vec![done(claim("claim3-4")).request("10Gi").uid("uid3-4").volume_name("volume3-4").build()])
            .expect(
                &[],
                &[("claim3-4", "Lost volume=volume3-4 ann=[bind-completed,bound-by-controller]")],
                &["Warning ClaimMisbound: Two claims are bound to the same volume, this one is bound incorrectly"],
            ),
        case("3-5 - bound claim with bound volume", Sync::Claim("claim3-5"))
            .volumes(vec![volume("volume3-5").capacity("10Gi").bound_to("claim3-5", "uid3-5").phase("Pending").build()])
            .claims(vec![
                claim("claim3-5")
                    .uid("uid3-5")
                    .request("10Gi")
                    .volume_name("volume3-5")
                    .annotation(ANN_BIND_COMPLETED, "yes")
                    .build(),
            ])
            .expect(
                &[("volume3-5", "Bound claim=default/claim3-5 ann=[]")],
                &[("claim3-5", "Bound volume=volume3-5 ann=[bind-completed]")],
                &[],
            ),
        case("3-6 - bound claim with bound volume", Sync::Claim("claim3-6"))
            .volumes(vec![
                volume("volume3-6").capacity("10Gi").bound_to("claim3-6-x", "uid3-6-x").phase("Pending").build(),
            ])
            .claims(vec![
                claim("claim3-6")
                    .uid("uid3-6")
                    .request("10Gi")
                    .volume_name("volume3-6")
                    .annotation(ANN_BIND_COMPLETED, "yes")
                    .build(),
            ])
            .expect(&[], &[("claim3-6", "Lost volume=volume3-6 ann=[bind-completed]")], &["Warning ClaimMisbound"]),
        case("3-7 - bound claim with unbound volume where selector doesn't match", Sync::Claim("claim3-7"))
            .volumes(vec![volume("volume3-7").capacity("10Gi").build()])
            .claims(vec![
                done(claim("claim3-7")).request("10Gi").volume_name("volume3-7").selector(&[("foo", "true")]).build(),
            ])
            .expect(
                &[("volume3-7", "Bound claim=default/claim3-7 ann=[bound-by-controller]")],
                &[("claim3-7", "Bound volume=volume3-7 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
    ]);
}

#[test]
fn binder_set_4_should_sync_volumes() {
    run(vec![
        case("4-1 - pending volume", Sync::Volume("volume4-1")).volumes(vec![volume("volume4-1").phase("Pending").build()]).expect(&[("volume4-1", "Available claim=- ann=[]")], &[], &[]),
        case("4-2 - pending prebound volume", Sync::Volume("volume4-2"))
            .volumes(vec![volume("volume4-2").bound_to("claim4-2", "").phase("Pending").build()])
            .expect(&[("volume4-2", "Available claim=default/claim4-2 ann=[]")], &[], &[]),
        case("4-3 - bound volume with missing claim", Sync::Volume("volume4-3"))
            .volumes(vec![volume("volume4-3").bound_to("claim4-3", "uid4-3").phase("Bound").build()])
            .expect(&[("volume4-3", "Released claim=default/claim4-3 ann=[]")], &[], &[]),
        case("4-4 - volume bound to claim with different UID", Sync::Volume("volume4-4"))
            .volumes(vec![volume("volume4-4").bound_to("claim4-4", "uid4-4").phase("Bound").build()])
            .claims(vec![claim("claim4-4").uid("uid4-4-x").volume_name("volume4-4").phase("Bound").annotation(ANN_BIND_COMPLETED, "yes").build()])
            .expect(&[("volume4-4", "Released claim=default/claim4-4 ann=[]")], &[], &[]),
        case("4-5 - volume bound by controller to unbound claim", Sync::Volume("volume4-5"))
            .volumes(vec![volume("volume4-5").bound_to("claim4-5", "uid4-5").phase("Bound").annotation(ANN_BOUND_BY_CONTROLLER, "yes").build()])
            .claims(vec![claim("claim4-5").uid("uid4-5").build()])
            .expect(&[("volume4-5", "Bound claim=default/claim4-5 ann=[bound-by-controller]")], &[("claim4-5", "Pending volume=- ann=[]")], &[]),
        case("4-6 - volume bound by to bound claim", Sync::Volume("volume4-6"))
            .volumes(vec![volume("volume4-6").bound_to("claim4-6", "uid4-6").build()])
            .claims(vec![claim("claim4-6").uid("uid4-6").volume_name("volume4-6").phase("Bound").annotation(ANN_BIND_COMPLETED, "yes").build()])
            .expect(&[("volume4-6", "Bound claim=default/claim4-6 ann=[]")], &[], &[]),
        case("4-7 - volume bound by controller to claim bound somewhere else", Sync::Volume("volume4-7"))
            .volumes(vec![volume("volume4-7").bound_to("claim4-7", "uid4-7").phase("Bound").annotation(ANN_BOUND_BY_CONTROLLER, "yes").build()])
            .claims(vec![claim("claim4-7").uid("uid4-7").volume_name("volume4-7-x").phase("Bound").build()])
            .expect(&[("volume4-7", "Available claim=- ann=[]")], &[], &[]),
        case("4-8 - volume bound by user to claim bound somewhere else", Sync::Volume("volume4-8"))
            .volumes(vec![volume("volume4-8").bound_to("claim4-8", "uid4-8").phase("Bound").build()])
            .claims(vec![claim("claim4-8").uid("uid4-8").volume_name("volume4-8-x").phase("Bound").build()])
            .expect(&[("volume4-8", "Available claim=default/claim4-8 ann=[]")], &[], &[]),
        case("14-13 - volume bound to claim with incompatible volumeMode", Sync::Volume("volume14-13"))
            .volumes(vec![volume("volume14-13").volume_mode("Block").bound_to("claim14-13", "uid14-13").phase("Bound").build()])
            .claims(vec![claim("claim14-13").uid("uid14-13").build()])
            .expect(
                &[],
                &[],
                &[
                    "Warning VolumeMismatch: Cannot bind PersistentVolume to requested PersistentVolumeClaim \"claim14-13\" due to incompatible volumeMode.",
                    "Warning VolumeMismatch: Cannot bind PersistentVolume \"volume14-13\" to requested PersistentVolumeClaim due to incompatible volumeMode.",
                ],
            ),
    ]);
}

#[test]
fn binder_set_13_should_match_classes_as_strings() {
    run(vec![
        case("13-1 - binding to class", Sync::Claim("claim13-1"))
            .volumes(vec![
                volume("volume13-1-1").build(),
                volume("volume13-1-2").capacity("10Gi").class("gold").build(),
            ])
            .claims(vec![claim("claim13-1").class("gold").build()])
            .expect(&[("volume13-1-2", "Bound claim=default/claim13-1 ann=[bound-by-controller]")], &[], &[]),
        case("13-2 - binding without a class", Sync::Claim("claim13-2"))
            .volumes(vec![
                volume("volume13-2-1").class("gold").build(),
                volume("volume13-2-2").capacity("10Gi").build(),
            ])
            .claims(vec![claim("claim13-2").build()])
            .expect(&[("volume13-2-2", "Bound claim=default/claim13-2 ann=[bound-by-controller]")], &[], &[]),
        case("13-5 - nil class binds a class-\"\" volume and gets no default", Sync::Claim("claim13-5"))
            .volumes(vec![volume("volume13-5").build()])
            .claims(vec![claim("claim13-5").no_class().build()])
            .classes(vec![storage_class("standard", "ebs.csi.aws.com").default_class().build()])
            .expect(
                &[("volume13-5", "Bound claim=default/claim13-5 ann=[bound-by-controller]")],
                &[("claim13-5", "Bound volume=volume13-5 ann=[bind-completed,bound-by-controller]")],
                &[],
            ),
        case("semantics 1.3 - class name without a StorageClass object", Sync::Claim("claim-manual"))
            .volumes(vec![volume("volume-manual").class("manual").build()])
            .claims(vec![claim("claim-manual").class("manual").build()])
            .expect(&[("volume-manual", "Bound claim=default/claim-manual ann=[bound-by-controller]")], &[], &[]),
    ]);
}

#[test]
fn provision_set_11_should_hand_claims_to_provisioners() {
    run(vec![
        case("11-6 - provisioning when there is a volume available", Sync::Claim("claim11-6"))
            .volumes(vec![volume("volume11-6").class("gold").build()])
            .claims(vec![claim("claim11-6").class("gold").build()])
            .classes(vec![storage_class("gold", "ebs.csi.aws.com").build()])
            .expect(&[("volume11-6", "Bound claim=default/claim11-6 ann=[bound-by-controller]")], &[], &[]),
        case("11-15 - claim with class \"\" is not provisioned", Sync::Claim("claim11-15"))
            .claims(vec![claim("claim11-15").build()])
            .classes(vec![storage_class("gold", "ebs.csi.aws.com").default_class().build()])
            .expect(&[], &[("claim11-15", "Pending volume=- ann=[]")], &["Normal FailedBinding"]),
        case("11-17 - external provisioner", Sync::Claim("claim11-17"))
            .claims(vec![claim("claim11-17").class("external").build()])
            .classes(vec![storage_class("external", "vendor.com/my-volume").build()])
            .expect(
                &[],
                &[("claim11-17", "Pending volume=- ann=[storage-provisioner,storage-provisioner]")],
                &["Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'vendor.com/my-volume' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."],
            ),
        case("11-18 - kubernetes.io/no-provisioner", Sync::Claim("claim11-18"))
            .claims(vec![claim("claim11-18").class("local").build()])
            .classes(vec![storage_class("local", "kubernetes.io/no-provisioner").build()])
            .expect(&[], &[("claim11-18", "Pending volume=- ann=[]")], &["Warning ProvisioningFailed: no volume plugin matched name: kubernetes.io/no-provisioner"]),
        case("11-? - class does not exist", Sync::Claim("claim11-x"))
            .claims(vec![claim("claim11-x").class("nope").build()])
            .expect(&[], &[("claim11-x", "Pending volume=- ann=[]")], &["Warning ProvisioningFailed: storageclass.storage.k8s.io \"nope\" not found"]),
        case("migrated in-tree provisioner", Sync::Claim("claim-gp2"))
            .claims(vec![claim("claim-gp2").class("gp2").build()])
            .classes(vec![storage_class("gp2", "kubernetes.io/aws-ebs").build()])
            .expect(
                &[],
                &[("claim-gp2", "Pending volume=- ann=[migrated-to,storage-provisioner,storage-provisioner]")],
                &["Normal ExternalProvisioning: Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com'"],
            ),
        case("retroactive default class", Sync::Claim("claim-nil"))
            .claims(vec![claim("claim-nil").no_class().build()])
            .classes(vec![storage_class("standard", "ebs.csi.aws.com").default_class().build()])
            .expect(&[], &[("claim-nil", "Pending volume=- ann=[]")], &[]),
        case("WaitForFirstConsumer without a pod", Sync::Claim("claim-wffc"))
            .claims(vec![claim("claim-wffc").class("wffc").build()])
            .classes(vec![storage_class("wffc", "ebs.csi.aws.com").wait_for_first_consumer().build()])
            .expect(&[], &[("claim-wffc", "Pending volume=- ann=[]")], &["Normal WaitForFirstConsumer: waiting for first consumer to be created before binding"]),
        case("WaitForFirstConsumer with an unscheduled pod", Sync::Claim("claim-wffc"))
            .claims(vec![claim("claim-wffc").class("wffc").build()])
            .classes(vec![storage_class("wffc", "ebs.csi.aws.com").wait_for_first_consumer().build()])
            .pods(vec![pod("web-0", "", &["claim-wffc"])])
            .expect(&[], &[], &["Normal WaitForPodScheduled: waiting for pod web-0 to be scheduled"]),
        case("WaitForFirstConsumer does not bind unbound volumes", Sync::Claim("claim-wffc"))
            .volumes(vec![volume("volume-wffc").class("wffc").build()])
            .claims(vec![claim("claim-wffc").class("wffc").build()])
            .classes(vec![storage_class("wffc", "kubernetes.io/no-provisioner").wait_for_first_consumer().build()])
            .expect(&[("volume-wffc", "Available claim=- ann=[]")], &[], &["Normal WaitForFirstConsumer"]),
    ]);
}

#[test]
fn delete_set_8_should_delete_or_fail_like_upstream() {
    run(vec![
        case("8-1 - successful delete (hostPath under /tmp)", Sync::Volume("volume8-1"))
            .volumes(vec![volume("volume8-1").no_finalizers().host_path("/tmp/data8-1").bound_to("claim8-1", "uid8-1").phase("Bound").reclaim("Delete").build()])
            .expect(&[("volume8-1", "gone")], &[], &[]),
        case("8-3 - plugin not found", Sync::Volume("volume8-3"))
            .volumes(vec![volume("volume8-3").no_source().bound_to("claim8-3", "uid8-3").phase("Bound").reclaim("Delete").build()])
            .expect(&[("volume8-3", "Failed claim=default/claim8-3 ann=[]")], &[], &["Warning VolumeFailedDelete: error getting deleter volume plugin for volume \"volume8-3\": no volume plugin matched"]),
        case("8-x - nfs has no deleter", Sync::Volume("volume8-nfs"))
            .volumes(vec![volume("volume8-nfs").nfs("10.0.1.50", "/exports").bound_to("claim8-nfs", "uid8-nfs").phase("Bound").reclaim("Delete").build()])
            .expect(&[("volume8-nfs", "Failed claim=default/claim8-nfs ann=[]")], &[], &["Warning VolumeFailedDelete: error getting deleter volume plugin for volume \"volume8-nfs\": no deletable volume plugin matched"]),
        case("8-x - hostPath deleter refuses paths outside /tmp", Sync::Volume("volume8-hp"))
            .volumes(vec![volume("volume8-hp").host_path("/mnt/data").bound_to("claim8-hp", "uid8-hp").phase("Bound").reclaim("Delete").build()])
            .expect(&[("volume8-hp", "Failed claim=default/claim8-hp ann=[]")], &[], &["Warning VolumeFailedDelete: host_path deleter only supports /tmp/.+ but received provided /mnt/data"]),
        case("8-10-1 - external provisioner deletes", Sync::Volume("volume8-10"))
            .volumes(vec![
                volume("volume8-10").csi("ebs.csi.aws.com", "vol-1").annotation(ANN_DYNAMICALLY_PROVISIONED, "ebs.csi.aws.com").bound_to("claim8-10", "uid8-10").phase("Bound").reclaim("Delete").build(),
            ])
            .expect(&[("volume8-10", "Released claim=default/claim8-10 ann=[provisioned-by]")], &[], &[]),
        case("8-10-2 - static CSI volume is left to its driver", Sync::Volume("volume8-10-2"))
            .volumes(vec![volume("volume8-10-2").csi("ebs.csi.aws.com", "vol-2").bound_to("claim8-10-2", "uid8-10-2").phase("Bound").reclaim("Delete").build()])
            .expect(&[("volume8-10-2", "Released claim=default/claim8-10-2 ann=[]")], &[], &[]),
        case("8-11 - provisioned volume for a claim bound elsewhere is deleted", Sync::Volume("volume8-11"))
            .volumes(vec![
                volume("volume8-11").csi("ebs.csi.aws.com", "vol-3").annotation(ANN_DYNAMICALLY_PROVISIONED, "ebs.csi.aws.com").bound_to("claim8-11", "uid8-11").phase("Bound").reclaim("Delete").build(),
            ])
            .claims(vec![claim("claim8-11").uid("uid8-11").volume_name("volume8-11-x").phase("Bound").build()])
            .expect(&[("volume8-11", "Released claim=default/claim8-11 ann=[provisioned-by]")], &[], &[]),
        case("5-x - retain keeps the volume Released", Sync::Volume("volume5-1"))
            .volumes(vec![volume("volume5-1").bound_to("claim5-1", "uid5-1").phase("Bound").build()])
            .expect(&[("volume5-1", "Released claim=default/claim5-1 ann=[]")], &[], &[]),
    ]);
}

#[test]
fn recycle_set_6_should_scrub_or_refuse_like_upstream() {
    run(vec![
        case("6-1 - successful recycle", Sync::Volume("volume6-1"))
            .volumes(vec![
                volume("volume6-1")
                    .nfs("10.0.1.50", "/exports/6-1")
                    .bound_to("claim6-1", "uid6-1")
                    .phase("Bound")
                    .reclaim("Recycle")
                    .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
                    .build(),
            ])
            // The recycler pod runs for a few seconds; the volume stays Released meanwhile (no node
            // here, so the pod records no events). `recycler_pod_should_*` covers the whole run.
            .expect(&[("volume6-1", "Released claim=default/claim6-1 ann=[bound-by-controller]")], &[], &[]),
        case("6-2 - recycle volume pre-bound by the user", Sync::Volume("volume6-2"))
            .volumes(vec![
                volume("volume6-2")
                    .nfs("10.0.1.50", "/exports/6-2")
                    .bound_to("claim6-2", "uid6-2")
                    .phase("Bound")
                    .reclaim("Recycle")
                    .build(),
            ])
            .expect(&[("volume6-2", "Released claim=default/claim6-2 ann=[]")], &[], &[]),
        case("6-3 - no recycler for the plugin", Sync::Volume("volume6-3"))
            .volumes(vec![
                volume("volume6-3")
                    .csi("ebs.csi.aws.com", "vol-6")
                    .bound_to("claim6-3", "uid6-3")
                    .phase("Bound")
                    .reclaim("Recycle")
                    .build(),
            ])
            .expect(
                &[("volume6-3", "Failed claim=default/claim6-3 ann=[]")],
                &[],
                &["Warning VolumeFailedRecycle: No recycler plugin found for the volume!"],
            ),
        case("6-10 - unknown reclaim policy", Sync::Volume("volume6-10"))
            .volumes(vec![
                volume("volume6-10").bound_to("claim6-10", "uid6-10").phase("Bound").reclaim("Shred").build(),
            ])
            .expect(
                &[("volume6-10", "Failed claim=default/claim6-10 ann=[]")],
                &[],
                &["Warning VolumeUnknownReclaimPolicy: Volume has unrecognized PersistentVolumeReclaimPolicy"],
            ),
        case("6-11 - volume still used by a running pod", Sync::Volume("volume6-11"))
            .volumes(vec![
                volume("volume6-11")
                    .nfs("10.0.1.50", "/e")
                    .bound_to("claim6-11", "uid6-11")
                    .phase("Released")
                    .reclaim("Recycle")
                    .build(),
            ])
            .pods(vec![pod("runningPod", "node-a", &["claim6-11"])])
            .expect(
                &[("volume6-11", "Released claim=default/claim6-11 ann=[]")],
                &[],
                &["Normal VolumeFailedRecycle: Volume is used by pods: default/runningPod"],
            ),
        case("6-13 - completed pods do not block recycling", Sync::Volume("volume6-13"))
            .volumes(vec![
                volume("volume6-13")
                    .nfs("10.0.1.50", "/e")
                    .bound_to("claim6-13", "uid6-13")
                    .phase("Released")
                    .reclaim("Recycle")
                    .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
                    .build(),
            ])
            .pods(vec![{
                let mut p = pod("donePod", "node-a", &["claim6-13"]);
                p.status.get_or_insert_with(Default::default).phase = Some("Succeeded".to_string());
                p
            }])
            .expect(&[("volume6-13", "Released claim=default/claim6-13 ann=[bound-by-controller]")], &[], &[]),
    ]);
}

#[test]
fn recycling_should_scrub_the_backend_data() {
    let nfs = volume("nfs")
        .nfs("10.0.1.50", "/exports/data")
        .bound_to("gone", "uid-gone")
        .phase("Bound")
        .reclaim("Recycle")
        .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
        .build();
    let mut world = World::new(vec![nfs.clone()], vec![], vec![], vec![]);
    let fs = world.backend.volume_fs_for_pv(&nfs, stowage_core::sim::SimTime(0)).unwrap();
    world.backend.fs.get_mut(fs).unwrap().write_file_at("/important.txt", b"data", 0).unwrap();
    let _ = world.reconcile(&PvController, &volume_key("nfs"));
    assert_ne!(world.backend.fs.get(fs).unwrap().used_bytes(), 0, "the recycler pod has not run yet");
    assert_eq!(
        world.volume("nfs").map(volume_summary).unwrap(),
        "Released claim=default/gone ann=[bound-by-controller]"
    );
    let steps = world.run_until_stable(&PvController, 100);
    assert!(steps.is_ok(), "{steps:?}");
    assert_eq!(world.backend.fs.get(fs).unwrap().used_bytes(), 0, "find /scrub -mindepth 1 -delete");
    assert_eq!(world.volume("nfs").map(volume_summary).unwrap(), "Available claim=- ann=[]");
    assert!(world.events().iter().any(|e| e == "Normal VolumeRecycled: Volume recycled"), "{:?}", world.events());
}

#[test]
fn recycler_pod_should_report_its_events_on_the_volume_then_recycle() {
    let nfs = volume("nfs")
        .nfs("10.0.1.50", "/exports/data")
        .bound_to("gone", "uid-gone")
        .phase("Bound")
        .reclaim("Recycle")
        .annotation(ANN_BOUND_BY_CONTROLLER, "yes")
        .build();
    let mut world = World::new(vec![nfs], vec![], vec![], vec![]);
    let node: k8s_openapi::api::core::v1::Node =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "node-a"}})).unwrap();
    world.api.create(stowage_core::sim::Component::User, stowage_core::Object::Node(Box::new(node))).unwrap();
    let _ = world.reconcile(&PvController, &volume_key("nfs"));
    let events = world.events();
    let expected = [
        "Normal RecyclerPod: Recycler pod: Successfully assigned default/recycler-for-nfs to node-a",
        "Normal RecyclerPod: Recycler pod: Pulling image \"registry.k8s.io/build-image/debian-base:bookworm-v1.0.4\"",
        "Normal RecyclerPod: Recycler pod: Successfully pulled image \"registry.k8s.io/build-image/debian-base:bookworm-v1.0.4\" in ",
        "Normal RecyclerPod: Recycler pod: Created container: pv-recycler",
        "Normal RecyclerPod: Recycler pod: Started container pv-recycler",
    ];
    assert_eq!(events.len(), expected.len(), "{events:?}");
    for (event, expected) in events.iter().zip(expected) {
        assert!(event.starts_with(expected), "{event:?} does not start with {expected:?}");
    }
    assert_eq!(
        world.volume("nfs").map(volume_summary).unwrap(),
        "Released claim=default/gone ann=[bound-by-controller]"
    );
    // A second sync while the pod runs records nothing new.
    let _ = world.reconcile(&PvController, &volume_key("nfs"));
    assert_eq!(world.events().len(), expected.len(), "{:?}", world.events());
    let steps = world.run_until_stable(&PvController, 100);
    assert!(steps.is_ok(), "{steps:?}");
    assert_eq!(world.volume("nfs").map(volume_summary).unwrap(), "Available claim=- ann=[]");
    let events = world.events();
    assert_eq!(events.len(), expected.len() + 1, "{events:?}");
    assert_eq!(events.last().map(String::as_str), Some("Normal VolumeRecycled: Volume recycled"));
}

#[test]
fn last_phase_transition_time_should_change_with_the_phase() {
    let mut world = World::new(vec![volume("v").phase("Pending").build()], vec![], vec![], vec![]);
    let _ = world.reconcile(&PvController, &volume_key("v"));
    let status = world.volume("v").unwrap().status.clone().unwrap();
    assert_eq!(status.phase.as_deref(), Some("Available"));
    assert!(status.last_phase_transition_time.is_some());
}

#[test]
fn index_should_prefer_the_smallest_mode_set_then_the_smallest_volume() {
    // index_test TestFindingVolumeWithDifferentAccessModes: a RWO claim takes a RWO volume over a
    // smaller RWO+ROX one.
    let volumes = vec![
        volume("gce").capacity("1Gi").modes(&["ReadWriteOnce", "ReadOnlyMany"]).build(),
        volume("ebs").capacity("5Gi").modes(&["ReadWriteOnce"]).build(),
        volume("ebs-small").capacity("2Gi").modes(&["ReadWriteOnce"]).build(),
    ];
    let mut world = World::new(volumes, vec![claim("c").build()], vec![], vec![]);
    let _ = world.reconcile(&PvController, &claim_key("c"));
    assert_eq!(
        world.claim("c").map(claim_summary).unwrap(),
        "Bound volume=ebs-small ann=[bind-completed,bound-by-controller]"
    );
}
