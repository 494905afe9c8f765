//! The only source of randomness in the engine: a ChaCha8 stream from the cluster's seed.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// The seed a cluster is created with; the same seed and inputs give the same run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seed(pub u64);

/// A seeded, cloneable random stream. Same seed, same draws, on every platform.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// A stream for `seed`, separated from other streams of the same seed by `stream`.
    pub fn new(seed: Seed, stream: u64) -> SimRng {
        let mut inner = ChaCha8Rng::seed_from_u64(seed.0);
        inner.set_stream(stream);
        SimRng { inner }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A number in `0..bound` (`bound` > 0), without modulo bias worth caring about for a simulator.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 { 0 } else { self.next_u64() % bound }
    }

    /// A random version-4 UUID string, as the API server assigns to `metadata.uid`.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let hi = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
        let lo = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }

    /// `n` characters from the alphabet Kubernetes uses for generated name suffixes (`bcdfghjklmnpqrstvwxz2456789`).
    pub fn name_suffix(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..n).map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_should_repeat_for_the_same_seed() {
        let mut a = SimRng::new(Seed(7), 1);
        let mut b = SimRng::new(Seed(7), 1);
        assert_eq!(a.uuid(), b.uuid());
        let uuid = a.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert_ne!(SimRng::new(Seed(7), 2).next_u64(), SimRng::new(Seed(7), 1).next_u64());
    }
}
