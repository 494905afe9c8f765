//! Map keys that order exactly as [`ObjectKey`] does but compare without touching the heap.
//!
//! # Model
//! A B-tree lookup compares the probe with a few dozen stored keys. `ObjectKey`'s derived order
//! compares two heap strings per key (namespace, name), and those strings sit all over the heap,
//! so a lookup among 30,000 objects is mostly cache misses. A [`FastKey`] keeps the first 16 bytes
//! of the namespace and of the name inline, as big-endian integers: most comparisons are decided by
//! the kind and two integer comparisons, and the strings are read only when two 16-byte prefixes
//! tie and one of the strings is longer than 16 bytes.
//!
//! The order is the same as `ObjectKey`'s (kind, then namespace, then name, each byte-wise), so
//! iterating a map of `FastKey`s gives the same sequence as a map of `ObjectKey`s.
//!
//! Lookups borrow the map's keys as a [`Parts`] view whose strings are `Cow`s (owned in the map,
//! borrowed in the probe): a probe built from an `&ObjectKey` costs two 16-byte copies, no
//! allocation and no virtual call.

use crate::api::{Kind, ObjectKey};
use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;

/// The first 16 bytes of `text`, zero-padded, as a big-endian integer: comparing two prefixes as
/// integers compares the strings' first 16 bytes lexicographically.
fn prefix(text: &str) -> u128 {
    let bytes = text.as_bytes();
    let mut buffer = [0u8; 16];
    let n = bytes.len().min(16);
    buffer[..n].copy_from_slice(&bytes[..n]);
    u128::from_be_bytes(buffer)
}

/// Compares two strings given their prefixes: byte-wise, as `str::cmp` does.
fn cmp_text(a_prefix: u128, a: &str, b_prefix: u128, b: &str) -> Ordering {
    match a_prefix.cmp(&b_prefix) {
        // Both fit in their prefixes: equal padded prefixes differ only by trailing zero bytes,
        // and the shorter string is the smaller.
        Ordering::Equal if a.len() <= 16 && b.len() <= 16 => a.len().cmp(&b.len()),
        Ordering::Equal => a.cmp(b),
        order => order,
    }
}

/// A key with its prefixes computed; borrowed (a probe built from an `&ObjectKey`) or owned (inside
/// a [`FastKey`]).
#[derive(Clone, Debug)]
pub(crate) struct Parts<'a> {
    kind: Kind,
    namespace_prefix: u128,
    name_prefix: u128,
    namespace: Cow<'a, str>,
    name: Cow<'a, str>,
}

impl<'a> Parts<'a> {
    /// The view of `kind`/`namespace`/`name`.
    pub(crate) fn new(kind: Kind, namespace: &'a str, name: &'a str) -> Parts<'a> {
        Parts {
            kind,
            namespace_prefix: prefix(namespace),
            name_prefix: prefix(name),
            namespace: Cow::Borrowed(namespace),
            name: Cow::Borrowed(name),
        }
    }

    /// The view of `key`.
    pub(crate) fn of(key: &'a ObjectKey) -> Parts<'a> {
        Parts::new(key.kind, &key.namespace, &key.name)
    }

    /// The view as maps of [`FastKey`]s are looked up by.
    pub(crate) fn probe(&self) -> &Parts<'a> {
        self
    }
}

impl PartialEq for Parts<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Parts<'_> {}

impl PartialOrd for Parts<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Parts<'_> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.kind
            .cmp(&other.kind)
            .then_with(|| cmp_text(self.namespace_prefix, &self.namespace, other.namespace_prefix, &other.namespace))
            .then_with(|| cmp_text(self.name_prefix, &self.name, other.name_prefix, &other.name))
    }
}

/// An owned key with its prefixes stored inline. Maps keyed by it are looked up by a borrowed
/// [`Parts`] (`FastKey: Borrow<Parts<'a>>`), so a lookup neither allocates nor makes virtual calls.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FastKey(Parts<'static>);

impl FastKey {
    /// The fast key of `key`.
    pub(crate) fn new(key: ObjectKey) -> FastKey {
        FastKey(Parts {
            kind: key.kind,
            namespace_prefix: prefix(&key.namespace),
            name_prefix: prefix(&key.name),
            namespace: Cow::Owned(key.namespace),
            name: Cow::Owned(key.name),
        })
    }

    /// The kind.
    pub(crate) fn kind(&self) -> Kind {
        self.0.kind
    }

    /// The namespace.
    pub(crate) fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The key, by value.
    pub(crate) fn into_key(self) -> ObjectKey {
        let Parts { kind, namespace, name, .. } = self.0;
        ObjectKey { kind, namespace: namespace.into_owned(), name: name.into_owned() }
    }
}

impl<'a> Borrow<Parts<'a>> for FastKey {
    fn borrow(&self) -> &Parts<'a> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_keys_should_order_as_object_keys_do() {
        let names = [
            "",
            "a",
            "a\0",
            "a\0\0",
            "ab",
            "b",
            "pvc-00001",
            "pvc-00002",
            "pvc-0001",
            "abcdefghijklmnop",
            "abcdefghijklmnop\0",
            "abcdefghijklmnopq",
            "abcdefghijklmnoq",
            "abcdefghijklmnopqr",
            "é",
            "\u{7f}",
        ];
        let mut keys = Vec::new();
        for kind in [Kind::PersistentVolume, Kind::PersistentVolumeClaim] {
            for namespace in ["", "default", "default-long-namespace-name", "a"] {
                for name in names {
                    keys.push(ObjectKey::new(kind, namespace, name));
                }
            }
        }
        for a in &keys {
            for b in &keys {
                let fast = FastKey::new(a.clone()).cmp(&FastKey::new(b.clone()));
                assert_eq!(fast, a.cmp(b), "{a:?} vs {b:?}");
                let probe = Parts::of(a).cmp(&Parts::of(b));
                assert_eq!(probe, a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }
}
