//! The etcd analogue: objects by key, integer resourceVersions, and the watch log.
//!
//! # Model
//! - Every write bumps one cluster-wide resourceVersion counter; the stored object carries it.
//! - resourceVersions are integers and compared as integers (`"2" < "10"`).
//! - The watch log records every change (added, modified, deleted) in order. It is bounded; consumers
//!   keep a cursor and read what came after it.
//! - Nothing here validates or admits: that is the API server's job ([`crate::apiserver`]).

pub(crate) mod key;

use crate::api::{Kind, Object, ObjectKey, Typed};
use key::{FastKey, Parts};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::ops::Bound;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ChangeKind {
    /// The object was created.
    Added,
    /// The object was updated (including being marked for deletion).
    Modified,
    /// The object was removed.
    Deleted,
}

/// One entry of the watch log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The resourceVersion of the write.
    pub resource_version: u64,
    /// What happened.
    pub kind: ChangeKind,
    /// Which object.
    pub key: ObjectKey,
}

/// The object store.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Objects in `ObjectKey` order; [`FastKey`]s compare without reading the heap.
    objects: BTreeMap<FastKey, Object>,
    last_resource_version: u64,
    changes: Vec<Change>,
    changes_dropped: u64,
    /// The final state of recently deleted objects, by the resourceVersion of the deletion (what a
    /// DELETED watch event carries).
    tombstones: BTreeMap<u64, Object>,
}

impl Store {
    /// The most watch-log entries kept.
    pub const CHANGES_MAX: usize = 500_000;
    /// The most deleted objects remembered for watchers.
    pub const TOMBSTONES_MAX: usize = 10_000;

    /// The object under `key`.
    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(Parts::of(key).probe())
    }

    /// The typed object named by namespace and name (namespace ignored for cluster-scoped kinds).
    pub fn get_typed<T: Typed>(&self, namespace: &str, name: &str) -> Option<&T> {
        let kind = <T as Typed>::KIND;
        let namespace = if kind.is_namespaced() { namespace } else { "" };
        self.objects.get(Parts::new(kind, namespace, name).probe()).and_then(T::from_object)
    }

    /// Every object of `kind`, in key order (namespace, then name).
    pub fn list(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        let start = Parts::new(kind, "", "");
        self.objects
            .range::<Parts<'_>, _>((Bound::Included(start.probe()), Bound::Unbounded))
            .take_while(move |(k, _)| k.kind() == kind)
            .map(|(_, o)| o)
    }

    /// Every object of `kind` in `namespace`, in name order.
    pub fn list_in(&self, kind: Kind, namespace: &str) -> impl Iterator<Item = &Object> {
        let start = Parts::new(kind, namespace, "");
        self.objects
            .range::<Parts<'_>, _>((Bound::Included(start.probe()), Bound::Unbounded))
            .take_while(move |(k, _)| k.kind() == kind && k.namespace() == namespace)
            .map(|(_, o)| o)
    }

    /// Every typed object of `T`'s kind.
    pub fn list_typed<'a, T: Typed + 'a>(&'a self) -> impl Iterator<Item = &'a T> {
        self.list(<T as Typed>::KIND).filter_map(T::from_object)
    }

    /// Every typed object of `T`'s kind in `namespace`.
    pub fn list_typed_in<'a, T: Typed + 'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a T> {
        self.list_in(<T as Typed>::KIND, namespace).filter_map(T::from_object)
    }

    /// Every object, in key order.
    pub fn all(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    /// The number of stored objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The resourceVersion of the last write.
    pub fn last_resource_version(&self) -> u64 {
        self.last_resource_version
    }

    /// Writes `object` under its key with a new resourceVersion, returning the stored copy.
    pub fn put(&mut self, mut object: Object) -> &Object {
        self.last_resource_version += 1;
        let resource_version = self.last_resource_version;
        object.meta_mut().resource_version = Some(resource_version.to_string());
        let key = object.key();
        let entry = self.objects.entry(FastKey::new(key.clone()));
        let kind = if matches!(entry, Entry::Occupied(_)) { ChangeKind::Modified } else { ChangeKind::Added };
        Self::record(&mut self.changes, &mut self.changes_dropped, Change { resource_version, kind, key });
        match entry {
            Entry::Occupied(mut occupied) => {
                occupied.insert(object);
                occupied.into_mut()
            }
            Entry::Vacant(vacant) => vacant.insert(object),
        }
    }

    /// Removes the object under `key`, returning it.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Object> {
        let object = self.objects.remove(Parts::of(key).probe())?;
        self.last_resource_version += 1;
        Self::record(
            &mut self.changes,
            &mut self.changes_dropped,
            Change { resource_version: self.last_resource_version, kind: ChangeKind::Deleted, key: key.clone() },
        );
        if self.tombstones.len() >= Self::TOMBSTONES_MAX {
            self.tombstones.pop_first();
        }
        self.tombstones.insert(self.last_resource_version, object.clone());
        Some(object)
    }

    fn record(changes: &mut Vec<Change>, changes_dropped: &mut u64, change: Change) {
        if changes.len() >= Self::CHANGES_MAX {
            let drop = Self::CHANGES_MAX / 10;
            changes.drain(..drop);
            *changes_dropped += drop as u64;
        }
        changes.push(change);
    }

    /// The final state of the object under `key` when it was deleted at or after resourceVersion
    /// `since` (what a watcher that saw an earlier change is told when the object is gone).
    pub fn deleted_since(&self, key: &ObjectKey, since: u64) -> Option<&Object> {
        self.tombstones.range(since..).find(|(_, o)| o.key() == *key).map(|(_, o)| o)
    }

    /// The changes with a resourceVersion greater than `after`, oldest first.
    pub fn changes_after(&self, after: u64) -> &[Change] {
        let start = self.changes.partition_point(|c| c.resource_version <= after);
        &self.changes[start..]
    }
}

/// Parses a resourceVersion as the integer it is; anything else is `None`.
pub fn parse_resource_version(text: &str) -> Option<u64> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::PersistentVolume;

    fn volume(name: &str) -> Object {
        let mut volume = PersistentVolume::default();
        volume.metadata.name = Some(name.to_string());
        volume.into_object()
    }

    #[test]
    fn resource_versions_should_compare_as_integers() {
        let mut store = Store::default();
        for i in 0..10 {
            store.put(volume(&format!("v{i}")));
        }
        let last = store.get(&ObjectKey::cluster(Kind::PersistentVolume, "v9")).unwrap();
        let second = store.get(&ObjectKey::cluster(Kind::PersistentVolume, "v1")).unwrap();
        let rv = |o: &Object| parse_resource_version(o.meta().resource_version.as_deref().unwrap()).unwrap();
        assert!(rv(second) < rv(last), "\"2\" > \"10\" as strings, but 2 < 10 as integers");
        assert_eq!(rv(last), 10);
    }

    #[test]
    fn watch_log_should_record_every_change_in_order() {
        let mut store = Store::default();
        store.put(volume("a"));
        store.put(volume("a"));
        store.remove(&ObjectKey::cluster(Kind::PersistentVolume, "a"));
        let kinds: Vec<_> = store.changes_after(0).iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChangeKind::Added, ChangeKind::Modified, ChangeKind::Deleted]);
        assert_eq!(store.changes_after(2).len(), 1);
        assert!(store.is_empty());
    }

    #[test]
    fn list_should_return_one_kind_in_key_order() {
        let mut store = Store::default();
        store.put(volume("b"));
        store.put(volume("a"));
        let names: Vec<_> = store.list(Kind::PersistentVolume).map(Object::name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(store.list(Kind::Pod).count(), 0);
        assert_eq!(store.list_typed::<PersistentVolume>().count(), 2);
    }
}
