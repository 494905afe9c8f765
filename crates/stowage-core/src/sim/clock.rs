//! Simulated time: milliseconds since the cluster was created, never read from a wall clock.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::fmt;

/// Milliseconds since the Unix epoch of the moment the simulation starts:
/// 2026-05-14T09:00:00Z, a fixed date so that every run prints the same timestamps.
const EPOCH_UNIX_MS: i64 = 1_778_749_200_000;

/// An instant on the simulated clock, in milliseconds since the cluster was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct SimTime(pub u64);

/// A span of simulated time in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct SimDuration(pub u64);

impl SimDuration {
    /// `n` milliseconds.
    pub const fn from_millis(n: u64) -> SimDuration {
        SimDuration(n)
    }
    /// `n` seconds.
    pub const fn from_secs(n: u64) -> SimDuration {
        SimDuration(n * 1000)
    }
    /// The span in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }
}

impl SimTime {
    /// The moment the cluster is created.
    pub const ZERO: SimTime = SimTime(0);

    /// Milliseconds since the cluster was created.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// This instant plus a span, saturating.
    pub fn plus(self, duration: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(duration.0))
    }

    /// The span from `earlier` to this instant, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// Milliseconds since the Unix epoch, for timestamps users see.
    pub fn unix_millis(self) -> i64 {
        EPOCH_UNIX_MS.saturating_add(i64::try_from(self.0).unwrap_or(i64::MAX / 2))
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.unix_millis().div_euclid(1000)
    }

    /// The instant as a Kubernetes `metav1.Time`, truncated to whole seconds as the API server stores it.
    pub fn to_k8s_time(self) -> Time {
        let timestamp = k8s_openapi::jiff::Timestamp::from_second(self.unix_seconds())
            .unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH);
        Time(timestamp)
    }

    /// The simulated instant a Kubernetes timestamp stands for; times before the cluster existed map to zero.
    pub fn from_k8s_time(time: &Time) -> SimTime {
        let ms = time.0.as_millisecond() - EPOCH_UNIX_MS;
        SimTime(u64::try_from(ms).unwrap_or(0))
    }

    /// RFC 3339 with second precision, as the API server serializes timestamps: `2026-05-14T09:00:00Z`.
    pub fn rfc3339(self) -> String {
        let (year, month, day, hour, minute, second) = civil_from_unix(self.unix_seconds());
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t+{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

/// Converts Unix seconds to (year, month, day, hour, minute, second) in UTC
/// (Howard Hinnant's days-from-civil inverse).
pub fn civil_from_unix(unix_seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = unix_seconds.div_euclid(86_400);
    let secs_of_day = unix_seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let hour = (secs_of_day / 3600) as u32;
    let minute = (secs_of_day % 3600 / 60) as u32;
    let second = (secs_of_day % 60) as u32;
    (year, month, day, hour, minute, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_should_start_at_the_fixed_epoch() {
        assert_eq!(SimTime::ZERO.rfc3339(), "2026-05-14T09:00:00Z");
        assert_eq!(SimTime(86_400_000 + 61_000).rfc3339(), "2026-05-15T09:01:01Z");
        let time = SimTime(5_700).to_k8s_time();
        assert_eq!(serde_json::to_string(&time).unwrap(), "\"2026-05-14T09:00:05Z\"");
        assert_eq!(SimTime::from_k8s_time(&time), SimTime(5_000), "stored at second precision");
    }

    #[test]
    fn civil_dates_should_handle_leap_years() {
        assert_eq!(civil_from_unix(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil_from_unix(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
