//! The manifests of the storage guide, indentation restored, for the examples menu (included at compile time).

/// One example manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// A stable id (the file name without `.yaml`).
    pub id: &'static str,
    /// The menu label.
    pub title: &'static str,
    /// The manifest.
    pub text: &'static str,
}

macro_rules! example {
    ($id:literal, $title:literal) => {
        Example { id: $id, title: $title, text: include_str!(concat!("examples/", $id, ".yaml")) }
    };
}

/// Every example, in the guide's order.
pub const EXAMPLES: &[Example] = &[
    example!("05-static-nfs-pv-and-claim", "Static NFS PersistentVolume and claim"),
    example!("11-dynamic-provisioning-immediate", "Dynamic provisioning (Immediate class + claim)"),
    example!("01-emptydir-pod", "emptyDir: shared scratch space"),
    example!("02-hostpath-pod", "hostPath: node filesystem access"),
    example!("03-configmap-secret-pod", "ConfigMap and Secret volumes"),
    example!("04-projected-pod", "Projected and downward API volume"),
    example!("06-storageclass-fast-ssd", "StorageClass fast-ssd (EBS gp3)"),
    example!("07-gcp-and-azure-storageclasses", "GCP PD and Azure Disk StorageClasses"),
    example!("08-snapshot-and-restore", "VolumeSnapshot and restore"),
    example!("09-statefulset-postgres", "StatefulSet with volumeClaimTemplates"),
    example!("10-headless-service", "Headless Service for the StatefulSet"),
];

/// The example with this id.
pub fn find(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|example| example.id == id)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use stowage_core::api::decode::decode_documents;

    #[test]
    fn every_example_should_decode_without_errors() {
        for example in EXAMPLES {
            let documents = decode_documents(example.text);
            assert!(!documents.is_empty(), "{}", example.id);
            for document in documents {
                assert!(document.result.is_ok(), "{}: {:?}", example.id, document.result);
            }
        }
    }

    #[test]
    fn ids_should_be_unique() {
        for example in EXAMPLES {
            assert_eq!(find(example.id), Some(example));
        }
    }
}
