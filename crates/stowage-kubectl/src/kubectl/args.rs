//! Command-line flags as cobra and pflag parse them: long and short forms, `=` values,
//! combined boolean shorthands (`-it`), interspersed positionals and `--`.

use std::collections::BTreeMap;

/// How a flag takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// A boolean: `--force`, `--force=false`; never consumes the next argument.
    Bool,
    /// A single value: the last occurrence wins.
    Value,
    /// A repeatable value (`--from-literal`, `-f`); string slices also split on commas when `split` is set.
    Values {
        /// Whether each occurrence is split on commas (pflag `StringSlice` rather than `StringArray`).
        split: bool,
    },
    /// A value flag with a default when given without `=` (`--cascade`, `--dry-run`).
    OptionalValue(&'static str),
}

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    /// The long name, without dashes.
    pub long: &'static str,
    /// The one-letter shorthand.
    pub short: Option<char>,
    /// How it takes a value.
    pub kind: FlagKind,
}

/// A bool flag.
pub const fn bool_flag(long: &'static str, short: Option<char>) -> FlagSpec {
    FlagSpec { long, short, kind: FlagKind::Bool }
}

/// A value flag.
pub const fn value_flag(long: &'static str, short: Option<char>) -> FlagSpec {
    FlagSpec { long, short, kind: FlagKind::Value }
}

/// A repeatable flag.
pub const fn values_flag(long: &'static str, short: Option<char>, split: bool) -> FlagSpec {
    FlagSpec { long, short, kind: FlagKind::Values { split } }
}

/// A flag with a default when given bare.
pub const fn optional_flag(long: &'static str, default: &'static str) -> FlagSpec {
    FlagSpec { long, short: None, kind: FlagKind::OptionalValue(default) }
}

/// The global flags every kubectl command accepts (`kubectl options`).
pub const GLOBAL_FLAGS: &[FlagSpec] = &[
    value_flag("namespace", Some('n')),
    value_flag("context", None),
    value_flag("cluster", None),
    value_flag("user", None),
    value_flag("kubeconfig", None),
    value_flag("server", Some('s')),
    value_flag("token", None),
    value_flag("request-timeout", None),
    value_flag("v", Some('v')),
    value_flag("as", None),
    values_flag("as-group", None, false),
    value_flag("as-uid", None),
    value_flag("cache-dir", None),
    value_flag("certificate-authority", None),
    value_flag("client-certificate", None),
    value_flag("client-key", None),
    value_flag("tls-server-name", None),
    value_flag("username", None),
    value_flag("password", None),
    value_flag("profile", None),
    value_flag("profile-output", None),
    bool_flag("insecure-skip-tls-verify", None),
    bool_flag("match-server-version", None),
    bool_flag("warnings-as-errors", None),
    bool_flag("disable-compression", None),
    bool_flag("help", Some('h')),
];

/// Flags after parsing.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    /// Positional arguments before `--`.
    pub positionals: Vec<String>,
    /// Arguments after `--`, when `--` was given.
    pub after_dash: Option<Vec<String>>,
}

impl Parsed {
    /// Whether the flag was given at all.
    pub fn has(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }

    /// The last value of a flag.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.values.get(long).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value of a repeatable flag.
    pub fn values(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }

    /// A boolean flag's value.
    ///
    /// # Errors
    /// The pflag message for a value that is not a boolean.
    pub fn bool(&self, long: &str) -> Result<bool, String> {
        match self.value(long) {
            None => Ok(false),
            Some(text) => parse_bool(text).ok_or_else(|| {
                format!("invalid argument \"{text}\" for \"--{long}\" flag: strconv.ParseBool: parsing \"{text}\": invalid syntax")
            }),
        }
    }

    /// A boolean flag with a default when absent.
    ///
    /// # Errors
    /// As [`Parsed::bool`].
    pub fn bool_or(&self, long: &str, default: bool) -> Result<bool, String> {
        if self.has(long) { self.bool(long) } else { Ok(default) }
    }

    /// An integer flag.
    ///
    /// # Errors
    /// The pflag message for a value that is not an integer.
    pub fn int(&self, long: &str) -> Result<Option<i64>, String> {
        match self.value(long) {
            None => Ok(None),
            Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
                format!("invalid argument \"{text}\" for \"--{long}\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax")
            }),
        }
    }

    /// The namespace flag.
    pub fn namespace(&self) -> Option<&str> {
        self.value("namespace")
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Parses `args` (after the command words) against the command's flags plus the global ones.
///
/// # Errors
/// pflag's message: `unknown flag: --foo`, `unknown shorthand flag: 'x' in -x`,
/// `flag needs an argument: --namespace`, `flag needs an argument: 'n' in -n`.
pub fn parse(args: &[String], specs: &[FlagSpec]) -> Result<Parsed, String> {
    let find_long = |name: &str| -> Option<FlagSpec> {
        let name = name.replace('_', "-");
        specs.iter().chain(GLOBAL_FLAGS).find(|s| s.long == name).copied()
    };
    let find_short =
        |c: char| -> Option<FlagSpec> { specs.iter().chain(GLOBAL_FLAGS).find(|s| s.short == Some(c)).copied() };
    let mut parsed = Parsed::default();
    let mut index = 0;
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        if arg == "--" {
            parsed.after_dash = Some(args[index..].to_vec());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(spec) = find_long(name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let value = match (spec.kind, inline) {
                (_, Some(v)) => v,
                (FlagKind::Bool, None) => "true".to_string(),
                (FlagKind::OptionalValue(default), None) => default.to_string(),
                (_, None) => {
                    if index < args.len() {
                        index += 1;
                        args[index - 1].clone()
                    } else {
                        return Err(format!("flag needs an argument: --{name}"));
                    }
                }
            };
            parsed.push(spec, value);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let shorts: Vec<char> = arg[1..].chars().collect();
            let mut at = 0;
            while at < shorts.len() {
                let c = shorts[at];
                let Some(spec) = find_short(c) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {arg}"));
                };
                let rest: String = shorts[at + 1..].iter().collect();
                match spec.kind {
                    FlagKind::Bool => {
                        if let Some(value) = rest.strip_prefix('=') {
                            parsed.push(spec, value.to_string());
                            break;
                        }
                        parsed.push(spec, "true".to_string());
                        at += 1;
                    }
                    FlagKind::OptionalValue(default) => {
                        let value = rest.strip_prefix('=').map_or(default.to_string(), str::to_string);
                        parsed.push(spec, value);
                        break;
                    }
                    _ => {
                        let value = if let Some(v) = rest.strip_prefix('=') {
                            v.to_string()
                        } else if !rest.is_empty() {
                            rest
                        } else if index < args.len() {
                            index += 1;
                            args[index - 1].clone()
                        } else {
                            return Err(format!("flag needs an argument: '{c}' in -{c}"));
                        };
                        parsed.push(spec, value);
                        break;
                    }
                }
            }
        } else {
            parsed.positionals.push(arg.clone());
        }
    }
    Ok(parsed)
}

impl Parsed {
    fn push(&mut self, spec: FlagSpec, value: String) {
        let entry = self.values.entry(spec.long).or_default();
        match spec.kind {
            FlagKind::Values { split: true } => {
                entry.extend(value.split(',').filter(|s| !s.is_empty()).map(str::to_string))
            }
            FlagKind::Values { split: false } => entry.push(value),
            _ => {
                entry.clear();
                entry.push(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    const SPECS: &[FlagSpec] = &[
        bool_flag("stdin", Some('i')),
        bool_flag("tty", Some('t')),
        value_flag("output", Some('o')),
        values_flag("filename", Some('f'), true),
        optional_flag("cascade", "background"),
    ];

    #[test]
    fn flags_should_parse_like_pflag() {
        let parsed =
            parse(&argv("pods -it -nprod --output=wide -f a.yaml,b.yaml x --cascade -- sh -c"), SPECS).unwrap();
        assert_eq!(parsed.positionals, ["pods", "x"]);
        assert!(parsed.bool("stdin").unwrap() && parsed.bool("tty").unwrap());
        assert_eq!(parsed.namespace(), Some("prod"));
        assert_eq!(parsed.value("output"), Some("wide"));
        assert_eq!(parsed.values("filename"), ["a.yaml", "b.yaml"]);
        assert_eq!(parsed.value("cascade"), Some("background"));
        assert_eq!(parsed.after_dash.unwrap(), ["sh", "-c"]);
    }

    #[test]
    fn unknown_flags_should_fail_with_pflag_text() {
        assert_eq!(parse(&argv("--foo"), SPECS).unwrap_err(), "unknown flag: --foo");
        assert_eq!(parse(&argv("-x"), SPECS).unwrap_err(), "unknown shorthand flag: 'x' in -x");
        assert_eq!(parse(&argv("-n"), SPECS).unwrap_err(), "flag needs an argument: 'n' in -n");
        assert_eq!(parse(&argv("--output"), SPECS).unwrap_err(), "flag needs an argument: --output");
    }
}
