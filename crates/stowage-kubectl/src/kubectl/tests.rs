//! kubectl command tests against a fresh cluster, through [`super::run`].

use super::*;
use stowage_core::{Profile, Seed};

fn kubectl(cluster: &mut Cluster, line: &str) -> Outcome {
    let argv: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    run(cluster, &NoFiles, &argv, b"")
}

#[test]
fn unknown_command_should_suggest_like_cobra() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(1));
    let out = kubectl(&mut cluster, "kubectl gte pods");
    assert_eq!(out.stderr, "error: unknown command \"gte\" for \"kubectl\"\n\nDid you mean this?\n\tget\n");
    assert_eq!(out.exit_code, 1);
}

#[test]
fn unknown_flag_should_print_usage_pointer() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(1));
    let out = kubectl(&mut cluster, "kubectl get pods --foo");
    assert_eq!(out.stderr, "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n");
}

#[test]
fn unknown_resource_type_should_fail_like_kubectl() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(1));
    let out = kubectl(&mut cluster, "kubectl get widgets");
    assert_eq!(out.stderr, "error: the server doesn't have a resource type \"widgets\"\n");
}

#[test]
fn missing_claim_should_be_not_found() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(1));
    let out = kubectl(&mut cluster, "kubectl get pvc x");
    assert_eq!(out.stderr, "Error from server (NotFound): persistentvolumeclaims \"x\" not found\n");
    let out = kubectl(&mut cluster, "kubectl get pvc");
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", "No resources found in default namespace.\n"));
}

#[test]
fn pv_field_selector_on_phase_should_fail_with_a_hint() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(1));
    let out = kubectl(&mut cluster, "kubectl get pv --field-selector status.phase=Released");
    assert_eq!(
        out.stderr,
        "Error from server (BadRequest): Unable to find \"/v1, Resource=persistentvolumes\" that match label selector \"\", field selector \"status.phase=Released\": field label not supported: status.phase\n"
    );
    assert_eq!(out.hints.len(), 1, "{:?}", out.hints);
    assert!(out.hints[0].contains("kubectl get pv | grep Released"), "{:?}", out.hints);
}

#[test]
fn invalid_errors_should_render_causes() {
    use stowage_core::api::FieldError;
    let one = ApiError::invalid(
        Kind::PersistentVolumeClaim,
        "c",
        vec![FieldError::required("spec.accessModes", "at least 1 access mode is required")],
    );
    assert_eq!(
        render_api_error(&one),
        "The PersistentVolumeClaim \"c\" is invalid: spec.accessModes: Required value: at least 1 access mode is required"
    );
    let two = ApiError::invalid(
        Kind::PersistentVolumeClaim,
        "c",
        vec![FieldError::required("a", ""), FieldError::required("b", "")],
    );
    assert_eq!(
        render_api_error(&two),
        "The PersistentVolumeClaim \"c\" is invalid: \n* a: Required value\n* b: Required value\n"
    );
}
