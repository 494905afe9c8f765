//! The single-threaded work queue: reconciles of (controller, object) due at simulated instants.
//!
//! # Model
//! - One entry per (controller, key); a new request keeps the earlier due time (dedupe).
//! - Entries pop in `(due, seq)` order, so equal due times run in request order: deterministic.
//! - An entry is *background* when it only polls (periodic resyncs, sleeping container processes,
//!   retries after repeated errors). `settle` stops when only background entries remain.

use super::SimTime;
use crate::api::ObjectKey;
use crate::store::key::FastKey;
use std::collections::BTreeMap;

/// One pending reconcile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueEntry {
    /// When it is due.
    pub due: SimTime,
    /// Index of the controller in the registry.
    pub controller: u16,
    /// The object to reconcile.
    pub key: ObjectKey,
    /// Whether the entry only polls (does not keep `settle` running).
    pub background: bool,
}

/// The queue. Bounded: adding beyond [`WorkQueue::ENTRIES_MAX`] drops background entries first.
#[derive(Clone, Debug, Default)]
pub struct WorkQueue {
    by_due: BTreeMap<(SimTime, u64), (u16, FastKey)>,
    /// Keys are [`FastKey`]s: the dedupe lookup is the queue's hot path.
    by_key: BTreeMap<(u16, FastKey), (SimTime, u64, bool)>,
    next_seq: u64,
    foreground: usize,
}

impl WorkQueue {
    /// The most entries the queue holds.
    pub const ENTRIES_MAX: usize = 1_000_000;

    /// Requests a reconcile of `key` by `controller` at `due`. An existing entry keeps the earlier due
    /// time; a foreground request makes a background entry foreground.
    pub fn add(&mut self, controller: u16, key: ObjectKey, due: SimTime, background: bool) {
        let map_key = (controller, FastKey::new(key));
        if let Some(&(old_due, old_seq, old_background)) = self.by_key.get(&map_key) {
            let new_background = old_background && background;
            if old_due <= due && new_background == old_background {
                return;
            }
            let keep_due = old_due.min(due);
            self.by_due.remove(&(old_due, old_seq));
            if !old_background {
                self.foreground -= 1;
            }
            self.insert(map_key, keep_due, new_background);
        } else if self.by_key.len() < Self::ENTRIES_MAX || !background {
            self.insert(map_key, due, background);
        } else {
            // A full queue sheds background polls; they are re-requested by the next resync.
        }
    }

    fn insert(&mut self, map_key: (u16, FastKey), due: SimTime, background: bool) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_due.insert((due, seq), map_key.clone());
        self.by_key.insert(map_key, (due, seq, background));
        if !background {
            self.foreground += 1;
        }
    }

    /// The due time of the earliest entry.
    pub fn next_due(&self) -> Option<SimTime> {
        self.by_due.keys().next().map(|(due, _)| *due)
    }

    /// The due time of the earliest foreground entry (a linear scan; foreground entries are few).
    pub fn next_foreground_due(&self) -> Option<SimTime> {
        if self.foreground == 0 {
            return None;
        }
        self.by_due
            .iter()
            .find(|(_, map_key)| self.by_key.get(*map_key).is_some_and(|(_, _, background)| !background))
            .map(|((due, _), _)| *due)
    }

    /// Removes and returns the earliest entry if it is due at or before `now`.
    pub fn pop_due(&mut self, now: SimTime) -> Option<QueueEntry> {
        let (&(due, seq), _) = self.by_due.iter().next()?;
        if due > now {
            return None;
        }
        let map_key = self.by_due.remove(&(due, seq))?;
        let (_, _, background) = self.by_key.remove(&map_key)?;
        if !background {
            self.foreground -= 1;
        }
        let (controller, key) = map_key;
        Some(QueueEntry { due, controller, key: key.into_key(), background })
    }

    /// Whether any foreground work is pending.
    pub fn has_foreground(&self) -> bool {
        self.foreground > 0
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Kind;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::cluster(Kind::PersistentVolume, name)
    }

    #[test]
    fn queue_should_dedupe_and_keep_the_earlier_due_time() {
        let mut queue = WorkQueue::default();
        queue.add(0, key("a"), SimTime(50), false);
        queue.add(0, key("a"), SimTime(10), false);
        queue.add(0, key("a"), SimTime(90), false);
        queue.add(1, key("a"), SimTime(10), true);
        assert_eq!(queue.len(), 2);
        let first = queue.pop_due(SimTime(100)).unwrap();
        assert_eq!((first.controller, first.due, first.background), (0, SimTime(10), false));
        assert!(!queue.has_foreground());
        assert_eq!(queue.next_foreground_due(), None);
        assert_eq!(queue.pop_due(SimTime(5)), None);
        assert_eq!(queue.pop_due(SimTime(10)).map(|e| e.controller), Some(1));
        assert!(queue.is_empty());
    }

    #[test]
    fn foreground_request_should_promote_a_background_entry() {
        let mut queue = WorkQueue::default();
        queue.add(0, key("a"), SimTime(10), true);
        queue.add(0, key("a"), SimTime(20), false);
        assert!(queue.has_foreground());
        assert_eq!(queue.next_foreground_due(), Some(SimTime(10)));
    }
}
