//! The determinism layer: simulated time, the seeded RNG, the work queue and the trace.

mod clock;
mod queue;
mod rng;
mod trace;

pub use clock::{SimDuration, SimTime};
pub use queue::{QueueEntry, WorkQueue};
pub use rng::{Seed, SimRng};
pub use trace::{Component, ObjectRef, Trace, TraceEvent, TraceVerb};
