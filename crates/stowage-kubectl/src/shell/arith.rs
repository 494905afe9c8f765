//! `$((...))` arithmetic: 64-bit signed integers with C precedence, as ash evaluates them.

/// Variable access for arithmetic (`i` reads `$i`, `i=i+1` assigns).
pub(crate) trait ArithVars {
    fn get(&self, name: &str) -> Option<String>;
    fn set(&mut self, name: &str, value: String);
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(i64),
    Name(String),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "<<=", ">>=", "**", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=",
    "^=", "|=", "(", ")", "+", "-", "!", "~", "*", "/", "%", "<", ">", "&", "^", "|", "?", ":", "=", ",",
];

const SYNTAX: &str = "arithmetic syntax error";

fn parse_number(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()? as i64
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8).ok()? as i64
    } else {
        digits.parse::<u64>().ok()? as i64
    };
    Some(if negative { value.wrapping_neg() } else { value })
}

fn tokenize(expr: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            tokens.push(Token::Num(parse_number(&text).ok_or(SYNTAX)?));
        } else if c == '_' || c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i] == '_' || chars[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            tokens.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let op = OPS.iter().find(|op| rest.starts_with(**op)).ok_or(SYNTAX)?;
            tokens.push(Token::Op(op));
            i += op.len();
        }
    }
    Ok(tokens)
}

struct Eval<'a> {
    tokens: Vec<Token>,
    pos: usize,
    vars: &'a mut dyn ArithVars,
    depth: u32,
    nesting: u32,
}

/// Parentheses and unary operators nested deeper than this are a syntax error.
const NESTING_MAX: u32 = 200;

/// Evaluates an arithmetic expression.
///
/// # Errors
/// Ash's messages: `arithmetic syntax error`, `divide by zero`.
pub(crate) fn eval(expr: &str, vars: &mut dyn ArithVars) -> Result<i64, String> {
    let tokens = tokenize(expr)?;
    if tokens.is_empty() {
        return Ok(0);
    }
    let mut eval = Eval { tokens, pos: 0, vars, depth: 0, nesting: 0 };
    let value = eval.comma(true)?;
    if eval.pos != eval.tokens.len() {
        return Err(SYNTAX.into());
    }
    Ok(value)
}

fn binary_precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | "<=" | ">" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        "**" => 11,
        _ => return None,
    })
}

impl Eval<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.peek() {
            Some(Token::Op(op)) => Some(op),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(SYNTAX.into())
        }
    }

    fn var(&mut self, name: &str) -> Result<i64, String> {
        let text = self.vars.get(name).unwrap_or_default();
        match parse_number(&text) {
            Some(value) => Ok(value),
            None if self.depth < 10 => {
                let tokens = tokenize(&text)?;
                let mut inner =
                    Eval { tokens, pos: 0, vars: &mut *self.vars, depth: self.depth + 1, nesting: self.nesting };
                let value = inner.comma(true)?;
                Ok(value)
            }
            None => Err(SYNTAX.into()),
        }
    }

    fn comma(&mut self, live: bool) -> Result<i64, String> {
        let mut value = self.assignment(live)?;
        while self.peek_op() == Some(",") {
            self.pos += 1;
            value = self.assignment(live)?;
        }
        Ok(value)
    }

    fn assignment(&mut self, live: bool) -> Result<i64, String> {
        if let (Some(Token::Name(name)), Some(Token::Op(op))) =
            (self.tokens.get(self.pos), self.tokens.get(self.pos + 1))
            && matches!(*op, "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "<<=" | ">>=" | "&=" | "^=" | "|=")
        {
            let (name, op) = (name.clone(), *op);
            self.pos += 2;
            let rhs = self.assignment(live)?;
            if !live {
                return Ok(0);
            }
            let value = if op == "=" { rhs } else { apply(&op[..op.len() - 1], self.var(&name)?, rhs)? };
            self.vars.set(&name, value.to_string());
            return Ok(value);
        }
        self.conditional(live)
    }

    fn conditional(&mut self, live: bool) -> Result<i64, String> {
        let cond = self.binary(1, live)?;
        if self.peek_op() != Some("?") {
            return Ok(cond);
        }
        self.pos += 1;
        let yes = self.comma(live && cond != 0)?;
        self.expect(":")?;
        let no = self.conditional(live && cond == 0)?;
        Ok(if cond != 0 { yes } else { no })
    }

    fn binary(&mut self, min: u8, live: bool) -> Result<i64, String> {
        let mut lhs = self.unary(live)?;
        while let Some(op) = self.peek_op() {
            let Some(precedence) = binary_precedence(op) else {
                break;
            };
            if precedence < min {
                break;
            }
            self.pos += 1;
            let next = if op == "**" { precedence } else { precedence + 1 };
            lhs = match op {
                "&&" => {
                    let rhs = self.binary(next, live && lhs != 0)?;
                    i64::from(lhs != 0 && rhs != 0)
                }
                "||" => {
                    let rhs = self.binary(next, live && lhs == 0)?;
                    i64::from(lhs != 0 || rhs != 0)
                }
                _ => {
                    let rhs = self.binary(next, live)?;
                    if live { apply(op, lhs, rhs)? } else { 0 }
                }
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self, live: bool) -> Result<i64, String> {
        self.nesting += 1;
        if self.nesting > NESTING_MAX {
            return Err(SYNTAX.into());
        }
        let value = self.unary_inner(live);
        self.nesting -= 1;
        value
    }

    fn unary_inner(&mut self, live: bool) -> Result<i64, String> {
        match self.peek().cloned() {
            Some(Token::Op(op @ ("+" | "-" | "!" | "~"))) => {
                self.pos += 1;
                let value = self.unary(live)?;
                Ok(match op {
                    "-" => value.wrapping_neg(),
                    "!" => i64::from(value == 0),
                    "~" => !value,
                    _ => value,
                })
            }
            Some(Token::Op(op @ ("++" | "--"))) => {
                self.pos += 1;
                let Some(Token::Name(name)) = self.peek().cloned() else {
                    return Err(SYNTAX.into());
                };
                self.pos += 1;
                let value = self.var(&name)?.wrapping_add(if op == "++" { 1 } else { -1 });
                if live {
                    self.vars.set(&name, value.to_string());
                }
                Ok(value)
            }
            Some(Token::Op("(")) => {
                self.pos += 1;
                let value = self.comma(live)?;
                self.expect(")")?;
                Ok(value)
            }
            Some(Token::Num(value)) => {
                self.pos += 1;
                Ok(value)
            }
            Some(Token::Name(name)) => {
                self.pos += 1;
                let value = self.var(&name)?;
                if let Some(op @ ("++" | "--")) = self.peek_op() {
                    self.pos += 1;
                    if live {
                        let next = value.wrapping_add(if op == "++" { 1 } else { -1 });
                        self.vars.set(&name, next.to_string());
                    }
                }
                Ok(value)
            }
            _ => Err(SYNTAX.into()),
        }
    }
}

fn apply(op: &str, lhs: i64, rhs: i64) -> Result<i64, String> {
    Ok(match op {
        "+" => lhs.wrapping_add(rhs),
        "-" => lhs.wrapping_sub(rhs),
        "*" => lhs.wrapping_mul(rhs),
        "/" | "%" if rhs == 0 => return Err("divide by zero".into()),
        "/" => lhs.wrapping_div(rhs),
        "%" => lhs.wrapping_rem(rhs),
        "**" if rhs < 0 => return Err("exponent less than 0".into()),
        "**" => lhs.wrapping_pow(u32::try_from(rhs).unwrap_or(u32::MAX)),
        "<<" => lhs.wrapping_shl(rhs as u32),
        ">>" => lhs.wrapping_shr(rhs as u32),
        "<" => i64::from(lhs < rhs),
        "<=" => i64::from(lhs <= rhs),
        ">" => i64::from(lhs > rhs),
        ">=" => i64::from(lhs >= rhs),
        "==" => i64::from(lhs == rhs),
        "!=" => i64::from(lhs != rhs),
        "&" => lhs & rhs,
        "^" => lhs ^ rhs,
        "|" => lhs | rhs,
        _ => return Err(SYNTAX.into()),
    })
}
