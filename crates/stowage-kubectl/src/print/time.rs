//! Durations and timestamps as kubectl prints them: `HumanDuration` (AGE), `ShortHumanDuration`,
//! and Go's `time.RFC1123Z` layout used by `kubectl describe`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use stowage_core::SimTime;

/// apimachinery `duration.HumanDuration` of a span in milliseconds (negative: in the future).
pub fn human_duration_ms(ms: i64) -> String {
    let seconds = ms / 1000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{h}h", hours / 24);
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        if days == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{days}d", hours / 24 / 365);
    }
    format!("{}y", hours / 24 / 365)
}

/// Milliseconds since the Unix epoch of a Kubernetes timestamp.
pub fn unix_ms(time: &Time) -> i64 {
    time.0.as_millisecond()
}

/// `translateTimestampSince`: the age of `time` at `now`, `<unknown>` when there is no timestamp.
pub fn since(now: SimTime, time: Option<&Time>) -> String {
    match time {
        None => "<unknown>".to_string(),
        Some(time) => human_duration_ms(now.unix_millis() - unix_ms(time)),
    }
}

/// Parses an RFC 3339 timestamp (`2026-05-14T09:00:00Z`) into Unix milliseconds.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let time: Time = serde_json::from_value(serde_json::Value::String(text.to_string())).ok()?;
    Some(unix_ms(&time))
}

/// Go's `time.RFC1123Z` layout in UTC: `Thu, 14 May 2026 09:00:00 +0000`.
pub fn rfc1123z(time: Option<&Time>) -> String {
    // A missing timestamp is Go's zero time.
    let Some(time) = time else {
        return "Mon, 01 Jan 0001 00:00:00 +0000".to_string();
    };
    let seconds = unix_ms(time).div_euclid(1000);
    let (year, month, day, hour, minute, second) = civil_from_unix(seconds);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let weekday = DAYS[seconds.div_euclid(86_400).rem_euclid(7) as usize];
    let month = MONTHS[(month as usize).saturating_sub(1).min(11)];
    format!("{weekday}, {day:02} {month} {year:04} {hour:02}:{minute:02}:{second:02} +0000")
}

/// Unix seconds to (year, month, day, hour, minute, second) in UTC (Howard Hinnant's civil-from-days).
fn civil_from_unix(unix_seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
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
    fn human_duration_should_match_apimachinery() {
        let cases = [
            (-5_000, "<invalid>"),
            (-1_500, "0s"),
            (0, "0s"),
            (5_000, "5s"),
            (119_000, "119s"),
            (120_000, "2m"),
            (130_000, "2m10s"),
            (599_000, "9m59s"),
            (600_000, "10m"),
            (179 * 60_000, "179m"),
            (3 * 3_600_000, "3h"),
            (3 * 3_600_000 + 5 * 60_000, "3h5m"),
            (8 * 3_600_000, "8h"),
            (47 * 3_600_000, "47h"),
            (48 * 3_600_000, "2d"),
            (50 * 3_600_000, "2d2h"),
            (30 * 86_400_000, "30d"),
            (729 * 86_400_000, "729d"),
            (730 * 86_400_000, "2y"),
            (775 * 86_400_000, "2y45d"),
            (3000 * 86_400_000, "8y"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_duration_ms(ms), want, "{ms}");
        }
    }

    #[test]
    fn rfc1123z_should_name_the_weekday() {
        assert_eq!(rfc1123z(Some(&SimTime::ZERO.to_k8s_time())), "Thu, 14 May 2026 09:00:00 +0000");
        assert_eq!(rfc1123z(None), "Mon, 01 Jan 0001 00:00:00 +0000");
    }
}
