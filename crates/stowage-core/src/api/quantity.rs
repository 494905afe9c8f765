//! `resource.Quantity`: parsing, exact comparison and canonical formatting as apimachinery does them.
//!
//! A quantity is held as `mantissa × 10^scale` (an exact decimal, no floats) plus the format its
//! suffix asked for. Parsing follows `ParseQuantity` (leading zeros, `1.G`, rounding up to nano
//! units, the BinarySI cap at 2^63-1) and [`Quantity`]'s `Display` follows `Quantity.String()`
//! (`CanonicalizeBytes`): `1024Mi` prints `1Gi`, `1536Mi` stays, `0.5Gi` prints `512Mi`,
//! `1000m` prints `1`, `1.5k` prints `1500`.

use super::Object;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Why a string is not a quantity; the texts are apimachinery's `ErrFormatWrong`, `ErrSuffix`, `ErrNumeric`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The string does not have the shape of a quantity.
    #[error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")]
    FormatWrong,
    /// The suffix is not one of the known suffixes.
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// The numeric part could not be parsed.
    #[error("unable to parse quantity's numeric part")]
    Numeric,
}

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a quantity is printed, as `resource.Format` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `e3`, `E-2` style exponents.
    DecimalExponent,
    /// `Ki`, `Mi`, `Gi`... (powers of 1024).
    BinarySI,
    /// `m`, `k`, `M`, `G`... (powers of 1000).
    DecimalSI,
}

/// An exact `resource.Quantity`.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    negative: bool,
    /// The magnitude is `mantissa × 10^scale`; `scale >= -9` after parsing.
    mantissa: u128,
    scale: i32,
    format: Format,
}

const NANO: i32 = -9;
/// `maxAllowed` in apimachinery: the largest BinarySI quantity.
const MAX_INT64: u128 = i64::MAX as u128;

impl Quantity {
    /// Parses a quantity as `resource.ParseQuantity` does.
    ///
    /// # Errors
    /// [`Error::FormatWrong`], [`Error::Suffix`] or [`Error::Numeric`], as apimachinery words them.
    pub fn parse(text: &str) -> Result<Quantity> {
        if text.is_empty() {
            return Err(Error::FormatWrong);
        }
        let parts = split(text)?;
        let (base, exponent, format) = interpret_suffix(parts.suffix).ok_or(Error::Suffix)?;
        // The numeric part: `num` and `denom` are digit strings (num without leading zeros).
        let digits = format!("{}{}", parts.num, parts.denom);
        let mut mantissa = parse_digits(&digits)?;
        let mut scale = -(parts.denom.len() as i32);
        let mut format = format;
        if base == 10 {
            scale = scale.saturating_add(exponent);
        } else {
            // Multiply by 2^exponent exactly, capping at the BinarySI maximum.
            for _ in 0..exponent {
                mantissa = mantissa.checked_mul(2).unwrap_or(u128::MAX / 2);
            }
        }
        let mut quantity = Quantity { negative: !parts.positive, mantissa, scale, format };
        quantity.normalize();
        // Round up to nano units: "if you want some resources, you should get some resources".
        if quantity.scale < NANO {
            let shift = (NANO - quantity.scale) as u32;
            let divisor = pow10(shift);
            let (q, r) = match divisor {
                Some(d) => (quantity.mantissa / d, quantity.mantissa % d),
                None => (0, quantity.mantissa),
            };
            quantity.mantissa = if r != 0 { q + 1 } else { q };
            quantity.scale = NANO;
            quantity.normalize();
        }
        if format == Format::BinarySI {
            if quantity.cmp_magnitude_int(MAX_INT64) == Ordering::Greater {
                quantity.mantissa = MAX_INT64;
                quantity.scale = 0;
            }
            if quantity.cmp_magnitude_int(1) == Ordering::Less && !quantity.is_zero() {
                format = Format::DecimalSI;
            }
        }
        quantity.format = format;
        if quantity.is_zero() {
            quantity.negative = false;
        }
        Ok(quantity)
    }

    /// A quantity of `bytes` in BinarySI format (how capacities created by the engine print).
    pub fn from_bytes(bytes: i64) -> Quantity {
        let mut quantity = Quantity {
            negative: bytes < 0,
            mantissa: u128::from(bytes.unsigned_abs()),
            scale: 0,
            format: Format::BinarySI,
        };
        quantity.normalize();
        quantity
    }

    /// The format the quantity's suffix asked for.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether the quantity is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// Whether the quantity is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative && self.mantissa != 0
    }

    /// The value rounded up to a whole number, as `Quantity.Value()` does; saturates at the i64 range.
    pub fn value(&self) -> i64 {
        self.scaled_value(0)
    }

    /// The value in thousandths, rounded up, as `Quantity.MilliValue()` does.
    pub fn milli_value(&self) -> i64 {
        self.scaled_value(-3)
    }

    /// The value in units of `10^scale`, rounded up (away from zero for positives, toward zero for negatives,
    /// like `inf.RoundUp` on the magnitude).
    fn scaled_value(&self, target: i32) -> i64 {
        let magnitude = if self.scale >= target {
            let shift = (self.scale - target) as u32;
            pow10(shift).and_then(|p| self.mantissa.checked_mul(p)).unwrap_or(u128::MAX)
        } else {
            let shift = (target - self.scale) as u32;
            match pow10(shift) {
                Some(d) => {
                    let q = self.mantissa / d;
                    if self.mantissa.is_multiple_of(d) { q } else { q + 1 }
                }
                None => u128::from(self.mantissa != 0),
            }
        };
        let clamped = i64::try_from(magnitude).unwrap_or(i64::MAX);
        if self.negative { -clamped } else { clamped }
    }

    fn normalize(&mut self) {
        if self.mantissa == 0 {
            self.scale = 0;
            return;
        }
        while self.mantissa.is_multiple_of(10) {
            self.mantissa /= 10;
            self.scale = self.scale.saturating_add(1);
        }
    }

    /// Compares magnitudes with an integer.
    fn cmp_magnitude_int(&self, other: u128) -> Ordering {
        let other = Quantity { negative: false, mantissa: other, scale: 0, format: self.format };
        let mut this = *self;
        this.negative = false;
        cmp_magnitude(&this, &other)
    }

    /// `mantissa × 10^exponent` with trailing zeros removed and the exponent lowered to a multiple of 3.
    fn canonical_decimal(&self) -> (u128, i32) {
        let mut amount = self.mantissa;
        let mut exponent = self.scale;
        let down = exponent.rem_euclid(3);
        for _ in 0..down {
            match amount.checked_mul(10) {
                Some(v) => {
                    amount = v;
                    exponent -= 1;
                }
                None => break,
            }
        }
        (amount, exponent)
    }
}

fn cmp_magnitude(a: &Quantity, b: &Quantity) -> Ordering {
    match (a.mantissa == 0, b.mantissa == 0) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    // Order of magnitude first: number of digits plus scale.
    let magnitude = |q: &Quantity| digit_count(q.mantissa) as i64 + i64::from(q.scale);
    match magnitude(a).cmp(&magnitude(b)) {
        Ordering::Equal => {}
        other => return other,
    }
    // Same order of magnitude: align scales; the difference is at most 39 digits.
    let (mut x, mut y) = (a.mantissa, b.mantissa);
    let diff = a.scale - b.scale;
    if diff > 0 {
        match pow10(diff as u32).and_then(|p| x.checked_mul(p)) {
            Some(v) => x = v,
            None => return Ordering::Greater,
        }
    } else if diff < 0 {
        match pow10((-diff) as u32).and_then(|p| y.checked_mul(p)) {
            Some(v) => y = v,
            None => return Ordering::Less,
        }
    }
    x.cmp(&y)
}

fn digit_count(v: u128) -> u32 {
    // `ilog10` instead of a loop of u128 divisions: this is on the hot path of every comparison.
    v.checked_ilog10().map_or(1, |log| log + 1)
}

fn pow10(exp: u32) -> Option<u128> {
    10u128.checked_pow(exp)
}

fn parse_digits(digits: &str) -> Result<u128> {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return Ok(0);
    }
    // Quantities beyond u128 are far past anything a cluster holds; keep the leading digits and
    // let the caller's scale carry the magnitude would be more exact, but apimachinery caps too.
    trimmed.parse::<u128>().map_err(|_| Error::Numeric)
}

struct Parts<'a> {
    positive: bool,
    num: &'a str,
    denom: &'a str,
    suffix: &'a str,
}

/// `parseQuantityString`: sign, numerator, optional `.denominator`, suffix.
fn split(text: &str) -> Result<Parts<'_>> {
    let bytes = text.as_bytes();
    let end = bytes.len();
    let mut pos = 0;
    let mut positive = true;
    match bytes.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    while pos < end && bytes[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(Parts { positive, num: "0", denom: "", suffix: "" });
    }
    let num_start = pos;
    while pos < end && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    let num = if pos == num_start { "0" } else { &text[num_start..pos] };
    let mut denom = "";
    if pos < end && bytes[pos] == b'.' {
        pos += 1;
        let denom_start = pos;
        while pos < end && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &text[denom_start..pos];
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < end && (bytes[pos] == b'-' || bytes[pos] == b'+') {
        pos += 1;
    }
    while pos < end && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(Error::FormatWrong);
    }
    Ok(Parts { positive, num, denom, suffix: &text[suffix_start..] })
}

/// `quantitySuffixer.interpret`: base, exponent and format of a suffix.
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal = |e| Some((10, e, Format::DecimalSI));
    let binary = |e| Some((2, e, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E'])?;
            if rest.is_empty() {
                return None;
            }
            let exponent: i64 = rest.parse().ok()?;
            let exponent = i32::try_from(exponent).ok()?;
            Some((10, exponent, Format::DecimalExponent))
        }
    }
}

fn decimal_suffix(exponent: i32) -> Option<&'static str> {
    Some(match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

fn binary_suffix(exponent: u32) -> &'static str {
    match exponent {
        0 => "",
        1 => "Ki",
        2 => "Mi",
        3 => "Gi",
        4 => "Ti",
        5 => "Pi",
        _ => "Ei",
    }
}

impl fmt::Display for Quantity {
    /// `Quantity.String()`: the canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let sign = if self.negative { "-" } else { "" };
        let mut format = self.format;
        if format == Format::BinarySI {
            let small = self.cmp_magnitude_int(1024) == Ordering::Less;
            if small || self.scale < 0 {
                format = Format::DecimalSI;
            }
        }
        match format {
            Format::BinarySI => {
                // Exact integer: remove factors of 1024 (at most up to Ei).
                let mut amount = match pow10(self.scale as u32).and_then(|p| self.mantissa.checked_mul(p)) {
                    Some(v) => v,
                    None => return write!(f, "{sign}{}e{}", self.mantissa, self.scale),
                };
                let mut exponent = 0;
                while exponent < 6 && amount % 1024 == 0 {
                    amount /= 1024;
                    exponent += 1;
                }
                write!(f, "{sign}{amount}{}", binary_suffix(exponent))
            }
            Format::DecimalSI | Format::DecimalExponent => {
                let (amount, exponent) = self.canonical_decimal();
                if format == Format::DecimalSI
                    && let Some(suffix) = decimal_suffix(exponent)
                {
                    return write!(f, "{sign}{amount}{suffix}");
                }
                if exponent == 0 { write!(f, "{sign}{amount}") } else { write!(f, "{sign}{amount}e{exponent}") }
            }
        }
    }
}

impl FromStr for Quantity {
    type Err = Error;
    fn from_str(text: &str) -> Result<Quantity> {
        Quantity::parse(text)
    }
}

impl PartialEq for Quantity {
    /// Equal values are equal whatever their formats (`1Gi == 1073741824`), as `Quantity.Cmp` says.
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_negative(), other.is_negative()) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_magnitude(self, other),
            (true, true) => cmp_magnitude(other, self),
        }
    }
}

/// Parses a quantity string held in a k8s-openapi `Quantity`.
///
/// # Errors
/// As [`Quantity::parse`].
pub fn parse(quantity: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Result<Quantity> {
    Quantity::parse(quantity.0.trim())
}

/// The canonical spelling of a quantity string, or `None` if it does not parse.
pub fn canonical(text: &str) -> Option<String> {
    Quantity::parse(text.trim()).ok().map(|q| q.to_string())
}

/// Calls `visit` with the path (`spec.resources.requests.storage`) and string of every quantity in
/// an object, mutably: decoding checks them, defaulting canonicalises them.
pub fn visit_quantities_mut(object: &mut Object, visit: &mut dyn FnMut(&str, &mut String)) {
    match object {
        Object::PersistentVolume(volume) => {
            if let Some(spec) = volume.spec.as_mut() {
                visit_map("spec.capacity", spec.capacity.as_mut(), visit);
            }
        }
        Object::PersistentVolumeClaim(claim) => {
            if let Some(spec) = claim.spec.as_mut() {
                visit_claim_spec("spec", spec, visit);
            }
            if let Some(status) = claim.status.as_mut() {
                visit_map("status.capacity", status.capacity.as_mut(), visit);
                visit_map("status.allocatedResources", status.allocated_resources.as_mut(), visit);
            }
        }
        Object::Pod(pod) => {
            if let Some(spec) = pod.spec.as_mut() {
                visit_pod_spec("spec", spec, visit);
            }
        }
        Object::StatefulSet(set) => {
            if let Some(spec) = set.spec.as_mut() {
                if let Some(pod) = spec.template.spec.as_mut() {
                    visit_pod_spec("spec.template.spec", pod, visit);
                }
                for (i, template) in spec.volume_claim_templates.iter_mut().flatten().enumerate() {
                    if let Some(claim) = template.spec.as_mut() {
                        visit_claim_spec(&format!("spec.volumeClaimTemplates[{i}].spec"), claim, visit);
                    }
                }
            }
        }
        Object::Deployment(deployment) => {
            if let Some(pod) = deployment.spec.as_mut().and_then(|s| s.template.spec.as_mut()) {
                visit_pod_spec("spec.template.spec", pod, visit);
            }
        }
        Object::ReplicaSet(set) => {
            if let Some(pod) = set.spec.as_mut().and_then(|s| s.template.as_mut()).and_then(|t| t.spec.as_mut()) {
                visit_pod_spec("spec.template.spec", pod, visit);
            }
        }
        Object::Node(node) => {
            if let Some(status) = node.status.as_mut() {
                visit_map("status.capacity", status.capacity.as_mut(), visit);
                visit_map("status.allocatable", status.allocatable.as_mut(), visit);
            }
        }
        Object::VolumeSnapshot(snapshot) => {
            if let Some(size) = snapshot.status.as_mut().and_then(|s| s.restore_size.as_mut()) {
                visit("status.restoreSize", size);
            }
        }
        _ => {}
    }
}

type QuantityMap = std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>;

fn visit_map(path: &str, map: Option<&mut QuantityMap>, visit: &mut dyn FnMut(&str, &mut String)) {
    for (key, value) in map.into_iter().flatten() {
        visit(&format!("{path}.{key}"), &mut value.0);
    }
}

fn visit_claim_spec(
    path: &str,
    spec: &mut k8s_openapi::api::core::v1::PersistentVolumeClaimSpec,
    visit: &mut dyn FnMut(&str, &mut String),
) {
    if let Some(resources) = spec.resources.as_mut() {
        visit_map(&format!("{path}.resources.limits"), resources.limits.as_mut(), visit);
        visit_map(&format!("{path}.resources.requests"), resources.requests.as_mut(), visit);
    }
}

fn visit_pod_spec(
    path: &str,
    spec: &mut k8s_openapi::api::core::v1::PodSpec,
    visit: &mut dyn FnMut(&str, &mut String),
) {
    let groups = [("containers", Some(&mut spec.containers)), ("initContainers", spec.init_containers.as_mut())];
    for (group, containers) in groups {
        for (i, container) in containers.into_iter().flatten().enumerate() {
            if let Some(resources) = container.resources.as_mut() {
                visit_map(&format!("{path}.{group}[{i}].resources.limits"), resources.limits.as_mut(), visit);
                visit_map(&format!("{path}.{group}[{i}].resources.requests"), resources.requests.as_mut(), visit);
            }
        }
    }
    for (i, volume) in spec.volumes.iter_mut().flatten().enumerate() {
        if let Some(limit) = volume.empty_dir.as_mut().and_then(|e| e.size_limit.as_mut()) {
            visit(&format!("{path}.volumes[{i}].emptyDir.sizeLimit"), &mut limit.0);
        }
        if let Some(claim) = volume.ephemeral.as_mut().and_then(|e| e.volume_claim_template.as_mut()) {
            visit_claim_spec(
                &format!("{path}.volumes[{i}].ephemeral.volumeClaimTemplate.spec"),
                &mut claim.spec,
                visit,
            );
        }
    }
    visit_map(&format!("{path}.overhead"), spec.overhead.as_mut(), visit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(inputs: &[&str], expect: Expect) {
        let mut out = String::new();
        for input in inputs {
            let line = match Quantity::parse(input) {
                Ok(q) => format!("{input:?} -> {q} (value {}, milli {})", q.value(), q.milli_value()),
                Err(e) => format!("{input:?} -> error: {e}"),
            };
            out.push_str(&line);
            out.push('\n');
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn quantities_should_print_canonically() {
        check(
            &[
                "100Gi",
                "1.5Gi",
                "500m",
                "1e3",
                "128974848",
                "129e6",
                "129M",
                "123Mi",
                "1000m",
                "1024Mi",
                "1536Mi",
                "0.5Gi",
                "1Gi",
                "8Gi",
                "1.5k",
                "1.5e3",
                "0",
                "0Gi",
                "-1Gi",
                "+5",
                "0.1",
                "1.",
                "007",
                "1Ki",
                "1.5Ki",
                "0.5Ki",
                "1n",
                "0.1n",
                "1E",
                "2Ei",
                "1.0001Ki",
                "1e-3",
                "10e2",
                "1000000",
                "2000k",
                "1200M",
            ],
            expect![[r#"
                "100Gi" -> 100Gi (value 107374182400, milli 107374182400000)
                "1.5Gi" -> 1536Mi (value 1610612736, milli 1610612736000)
                "500m" -> 500m (value 1, milli 500)
                "1e3" -> 1e3 (value 1000, milli 1000000)
                "128974848" -> 128974848 (value 128974848, milli 128974848000)
                "129e6" -> 129e6 (value 129000000, milli 129000000000)
                "129M" -> 129M (value 129000000, milli 129000000000)
                "123Mi" -> 123Mi (value 128974848, milli 128974848000)
                "1000m" -> 1 (value 1, milli 1000)
                "1024Mi" -> 1Gi (value 1073741824, milli 1073741824000)
                "1536Mi" -> 1536Mi (value 1610612736, milli 1610612736000)
                "0.5Gi" -> 512Mi (value 536870912, milli 536870912000)
                "1Gi" -> 1Gi (value 1073741824, milli 1073741824000)
                "8Gi" -> 8Gi (value 8589934592, milli 8589934592000)
                "1.5k" -> 1500 (value 1500, milli 1500000)
                "1.5e3" -> 1500 (value 1500, milli 1500000)
                "0" -> 0 (value 0, milli 0)
                "0Gi" -> 0 (value 0, milli 0)
                "-1Gi" -> -1Gi (value -1073741824, milli -1073741824000)
                "+5" -> 5 (value 5, milli 5000)
                "0.1" -> 100m (value 1, milli 100)
                "1." -> 1 (value 1, milli 1000)
                "007" -> 7 (value 7, milli 7000)
                "1Ki" -> 1Ki (value 1024, milli 1024000)
                "1.5Ki" -> 1536 (value 1536, milli 1536000)
                "0.5Ki" -> 512 (value 512, milli 512000)
                "1n" -> 1n (value 1, milli 1)
                "0.1n" -> 1n (value 1, milli 1)
                "1E" -> 1E (value 1000000000000000000, milli 9223372036854775807)
                "2Ei" -> 2Ei (value 2305843009213693952, milli 9223372036854775807)
                "1.0001Ki" -> 1024102400u (value 1025, milli 1024103)
                "1e-3" -> 1e-3 (value 1, milli 1)
                "10e2" -> 1e3 (value 1000, milli 1000000)
                "1000000" -> 1M (value 1000000, milli 1000000000)
                "2000k" -> 2M (value 2000000, milli 2000000000)
                "1200M" -> 1200M (value 1200000000, milli 1200000000000)
            "#]],
        );
    }

    #[test]
    fn bad_quantities_should_fail_with_apimachinery_messages() {
        check(
            &["", "10Gb", "abc", "1Gi ", "1.2.3", "5X", "Gi", "1Qi", "--1", "1e", "1ee3"],
            expect![[r#"
                "" -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "10Gb" -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "abc" -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "1Gi " -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "1.2.3" -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "5X" -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "Gi" -> 0 (value 0, milli 0)
                "1Qi" -> error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
                "--1" -> error: unable to parse quantity's suffix
                "1e" -> error: unable to parse quantity's suffix
                "1ee3" -> error: unable to parse quantity's suffix
            "#]],
        );
    }

    #[test]
    fn quantities_should_compare_exactly() {
        let q = |s: &str| Quantity::parse(s).unwrap();
        assert_eq!(q("1Gi"), q("1073741824"));
        assert_eq!(q("1000m"), q("1"));
        assert!(q("1Gi") > q("1G"));
        assert!(q("999Mi") < q("1Gi"));
        assert!(q("-1") < q("0"));
        assert!(q("-2") < q("-1"));
        assert!(q("1e30") > q("8Ei"));
        assert!(q("1n") > q("0"));
        assert_eq!(Quantity::from_bytes(1073741824).to_string(), "1Gi");
        assert_eq!(canonical("2048Mi").as_deref(), Some("2Gi"));
    }
}
