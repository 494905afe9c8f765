//! Glob patterns (`*`, `?`, `[a-z]`, `[!x]`, backslash escapes) for `case`, `${x%pat}` and pathname expansion.

/// Whether `pattern` matches all of `text`.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    match_from(&pattern, &text)
}

fn match_from(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() {
            match pattern[p] {
                '*' => {
                    backtrack = Some((p, t));
                    p += 1;
                    continue;
                }
                '?' if t < text.len() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                '[' if t < text.len() => {
                    if let Some((matched, next)) = bracket(pattern, p, text[t]) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == '[' {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                '\\' if p + 1 < pattern.len() && t < text.len() && pattern[p + 1] == text[t] => {
                    p += 2;
                    t += 1;
                    continue;
                }
                c if c != '\\' && c != '?' && c != '[' && t < text.len() && c == text[t] => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        } else if t == text.len() {
            return true;
        }
        match backtrack {
            Some((star, start)) if start < text.len() => {
                backtrack = Some((star, start + 1));
                p = star + 1;
                t = start + 1;
            }
            _ => return false,
        }
    }
}

/// Matches `c` against the bracket expression at `pattern[start]`; `None` if it is not one.
fn bracket(pattern: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(pattern.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let current = *pattern.get(i)?;
        if current == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if current == '[' && pattern.get(i + 1) == Some(&':') {
            let rest: String = pattern[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                matched |= match class {
                    "alpha" => c.is_ascii_alphabetic(),
                    "digit" => c.is_ascii_digit(),
                    "alnum" => c.is_ascii_alphanumeric(),
                    "upper" => c.is_ascii_uppercase(),
                    "lower" => c.is_ascii_lowercase(),
                    "space" => c.is_ascii_whitespace(),
                    "punct" => c.is_ascii_punctuation(),
                    "xdigit" => c.is_ascii_hexdigit(),
                    _ => false,
                };
                i += 2 + class.chars().count() + 2;
                continue;
            }
        }
        let low = if current == '\\' {
            i += 1;
            *pattern.get(i)?
        } else {
            current
        };
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|high| *high != ']') {
            let high = pattern[i + 2];
            matched |= low <= c && c <= high;
            i += 3;
        } else {
            matched |= low == c;
            i += 1;
        }
    }
}

/// Whether a pattern has an unescaped glob character.
pub(crate) fn has_glob(pattern: &str) -> bool {
    let mut escaped = false;
    for c in pattern.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// Removes pattern escapes (`\*` becomes `*`).
pub(crate) fn unescape(pattern: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in pattern.chars() {
        if c == '\\' && !escaped {
            escaped = true;
        } else {
            out.push(c);
            escaped = false;
        }
    }
    out
}

/// Escapes glob characters so the text matches itself.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
