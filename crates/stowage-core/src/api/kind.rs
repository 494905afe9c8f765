//! The closed set of kinds the simulated API server serves, with their REST names.

use std::fmt;

/// Whether objects of a kind live in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// One object per name per namespace.
    Namespaced,
    /// One object per name in the whole cluster.
    Cluster,
}

/// Static facts about a kind: its API group, version, REST names and scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind as written in manifests, e.g. `PersistentVolumeClaim`.
    pub name: &'static str,
    /// API group; `""` is the core group.
    pub group: &'static str,
    /// API version within the group.
    pub version: &'static str,
    /// Lowercase plural used in URLs and by kubectl, e.g. `persistentvolumeclaims`.
    pub plural: &'static str,
    /// Lowercase singular, e.g. `persistentvolumeclaim`.
    pub singular: &'static str,
    /// kubectl short names, e.g. `pvc`.
    pub short_names: &'static [&'static str],
    /// Namespaced or cluster-scoped.
    pub scope: Scope,
}

impl KindInfo {
    /// `group/version`, or only `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.to_string() } else { format!("{}/{}", self.group, self.version) }
    }

    /// The resource as kubectl names it in messages: `persistentvolumeclaims` or `storageclasses.storage.k8s.io`.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() { self.plural.to_string() } else { format!("{}.{}", self.plural, self.group) }
    }

    /// The singular resource qualified by group, as kubectl prints in `pod/x` style names:
    /// `persistentvolumeclaim` or `storageclass.storage.k8s.io`.
    pub fn qualified_singular(&self) -> String {
        if self.group.is_empty() { self.singular.to_string() } else { format!("{}.{}", self.singular, self.group) }
    }
}

macro_rules! kinds {
    ($( $variant:ident => ($group:literal, $version:literal, $plural:literal, $singular:literal, [$($short:literal),*], $scope:ident) ),* $(,)?) => {
        /// Every kind the engine knows. No kind is ever compared as a string inside the engine.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum Kind {
            $(
                #[doc = concat!("`", stringify!($variant), "`")]
                $variant,
            )*
        }

        impl Kind {
            /// All kinds, in a fixed order (the order `kubectl api-resources` sorts by is derived from names).
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// Static facts about this kind.
            pub fn info(self) -> &'static KindInfo {
                match self {
                    $(Kind::$variant => &KindInfo {
                        name: stringify!($variant),
                        group: $group,
                        version: $version,
                        plural: $plural,
                        singular: $singular,
                        short_names: &[$($short),*],
                        scope: Scope::$scope,
                    },)*
                }
            }
        }
    };
}

kinds! {
    Namespace => ("", "v1", "namespaces", "namespace", ["ns"], Cluster),
    Node => ("", "v1", "nodes", "node", ["no"], Cluster),
    Pod => ("", "v1", "pods", "pod", ["po"], Namespaced),
    Service => ("", "v1", "services", "service", ["svc"], Namespaced),
    Endpoints => ("", "v1", "endpoints", "endpoints", ["ep"], Namespaced),
    EndpointSlice => ("discovery.k8s.io", "v1", "endpointslices", "endpointslice", [], Namespaced),
    ConfigMap => ("", "v1", "configmaps", "configmap", ["cm"], Namespaced),
    Secret => ("", "v1", "secrets", "secret", [], Namespaced),
    ServiceAccount => ("", "v1", "serviceaccounts", "serviceaccount", ["sa"], Namespaced),
    PersistentVolume => ("", "v1", "persistentvolumes", "persistentvolume", ["pv"], Cluster),
    PersistentVolumeClaim => ("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", ["pvc"], Namespaced),
    StorageClass => ("storage.k8s.io", "v1", "storageclasses", "storageclass", ["sc"], Cluster),
    CSIDriver => ("storage.k8s.io", "v1", "csidrivers", "csidriver", [], Cluster),
    CSINode => ("storage.k8s.io", "v1", "csinodes", "csinode", [], Cluster),
    VolumeAttachment => ("storage.k8s.io", "v1", "volumeattachments", "volumeattachment", [], Cluster),
    StatefulSet => ("apps", "v1", "statefulsets", "statefulset", ["sts"], Namespaced),
    Deployment => ("apps", "v1", "deployments", "deployment", ["deploy"], Namespaced),
    ReplicaSet => ("apps", "v1", "replicasets", "replicaset", ["rs"], Namespaced),
    Event => ("", "v1", "events", "event", ["ev"], Namespaced),
    VolumeSnapshot => ("snapshot.storage.k8s.io", "v1", "volumesnapshots", "volumesnapshot", ["vs"], Namespaced),
    VolumeSnapshotContent => ("snapshot.storage.k8s.io", "v1", "volumesnapshotcontents", "volumesnapshotcontent", ["vsc", "vscs"], Cluster),
    VolumeSnapshotClass => ("snapshot.storage.k8s.io", "v1", "volumesnapshotclasses", "volumesnapshotclass", ["vsclass", "vsclasses"], Cluster),
}

impl Kind {
    /// Whether objects of this kind live in a namespace.
    pub fn is_namespaced(self) -> bool {
        self.info().scope == Scope::Namespaced
    }

    /// Finds the kind that a manifest's `apiVersion` and `kind` name.
    /// Returns `None` for anything the simulated API server does not serve.
    pub fn from_api_version_and_kind(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| {
            let info = k.info();
            info.name == kind && info.api_version() == api_version
        })
    }

    /// Resolves what a kubectl user typed as a resource: plural, singular, short name or kind,
    /// optionally qualified by group (`pvc`, `persistentvolumeclaims`, `PersistentVolumeClaim`,
    /// `storageclasses.storage.k8s.io`, `sts.apps`). Case-insensitive, as kubectl is.
    pub fn from_resource_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let (resource, group) = match lower.split_once('.') {
            Some((resource, group)) => (resource.to_string(), Some(group.to_string())),
            None => (lower.clone(), None),
        };
        Kind::ALL.iter().copied().find(|k| {
            let info = k.info();
            let name_matches = info.plural == resource
                || info.singular == resource
                || info.name.to_ascii_lowercase() == resource
                || info.short_names.contains(&resource.as_str());
            let group_matches = match &group {
                None => true,
                Some(g) => info.group == g || (info.group.is_empty() && g == "core"),
            };
            name_matches && group_matches
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_should_resolve_like_kubectl() {
        let cases = [
            ("pvc", Some(Kind::PersistentVolumeClaim)),
            ("PersistentVolumeClaims", Some(Kind::PersistentVolumeClaim)),
            ("persistentvolumeclaim", Some(Kind::PersistentVolumeClaim)),
            ("sc", Some(Kind::StorageClass)),
            ("storageclasses.storage.k8s.io", Some(Kind::StorageClass)),
            ("sts.apps", Some(Kind::StatefulSet)),
            ("vsclass", Some(Kind::VolumeSnapshotClass)),
            ("vsc", Some(Kind::VolumeSnapshotContent)),
            ("csidriver", Some(Kind::CSIDriver)),
            ("ev", Some(Kind::Event)),
            ("pods.apps", None),
            ("widgets", None),
        ];
        for (input, expected) in cases {
            assert_eq!(Kind::from_resource_name(input), expected, "{input}");
        }
    }

    #[test]
    fn api_version_and_kind_should_resolve_only_served_pairs() {
        assert_eq!(Kind::from_api_version_and_kind("v1", "PersistentVolume"), Some(Kind::PersistentVolume));
        assert_eq!(Kind::from_api_version_and_kind("storage.k8s.io/v1", "StorageClass"), Some(Kind::StorageClass));
        assert_eq!(Kind::from_api_version_and_kind("v1", "StorageClass"), None);
        assert_eq!(
            Kind::from_api_version_and_kind("snapshot.storage.k8s.io/v1", "VolumeSnapshot"),
            Some(Kind::VolumeSnapshot)
        );
    }
}
