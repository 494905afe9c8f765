//! A hand-written parser for the POSIX shell subset, with busybox ash's error wording.

use std::sync::Arc;

use super::ast::*;

/// A syntax error; `Display` gives ash's text after `sh: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The message, e.g. `syntax error: unterminated quoted string`.
    pub message: String,
    /// The input ended early: more lines could complete it (a terminal shows a `>` prompt).
    pub incomplete: bool,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

type Result<T> = std::result::Result<T, SyntaxError>;

/// Nesting depth past which the parser gives up instead of recursing further.
const NESTING_MAX: u32 = 100;

/// Parses a whole script.
pub(crate) fn parse_program(source: &str) -> Result<List> {
    let mut parser = Parser::new(source);
    let list = parser.list(&[])?;
    match parser.peek() {
        None => Ok(list),
        Some(_) => Err(parser.unexpected()),
    }
}

struct Parser {
    src: Vec<char>,
    pos: usize,
    /// After consuming the newline at `.0`, continue at `.1` (skipping here-document bodies).
    skip: Option<(usize, usize)>,
    depth: u32,
}

fn is_meta(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')')
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

const RESERVED: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

impl Parser {
    fn new(source: &str) -> Parser {
        Parser { src: source.chars().collect(), pos: 0, skip: None, depth: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.src.get(self.pos + offset).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        if let Some((newline, resume)) = self.skip
            && newline == self.pos
        {
            self.pos = resume;
            self.skip = None;
        } else {
            self.pos += 1;
        }
        Some(c)
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError { message: format!("syntax error: {message}"), incomplete: false }
    }

    fn eof_error(&self, expecting: &str) -> SyntaxError {
        SyntaxError {
            message: format!("syntax error: unexpected end of file (expecting \"{expecting}\")"),
            incomplete: true,
        }
    }

    fn unterminated(&self) -> SyntaxError {
        SyntaxError { message: "syntax error: unterminated quoted string".into(), incomplete: true }
    }

    /// `syntax error: unexpected X` for whatever is next.
    fn unexpected(&self) -> SyntaxError {
        let token = match self.peek() {
            None => {
                return SyntaxError { message: "syntax error: unexpected end of file".into(), incomplete: true };
            }
            Some('\n') => "newline".to_string(),
            Some(_) => {
                for op in [";;", "&&", "||", ">>", "<<", ";", "&", "|", "(", ")", "<", ">"] {
                    if self.starts_with(op) {
                        return self.error(&format!("unexpected \"{op}\""));
                    }
                }
                let word: String = self.src[self.pos..].iter().take_while(|c| !is_meta(**c)).collect();
                format!("\"{word}\"")
            }
        };
        self.error(&format!("unexpected {token}"))
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > NESTING_MAX { Err(self.error("nesting too deep")) } else { Ok(()) }
    }

    /// Skips blanks, line continuations and comments (not newlines).
    fn blanks(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.bump();
                }
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                Some('#') => {
                    while !matches!(self.peek(), None | Some('\n')) {
                        self.bump();
                    }
                }
                _ => return,
            }
        }
    }

    /// Skips blanks, comments and newlines.
    fn linebreaks(&mut self) {
        loop {
            self.blanks();
            if self.peek() == Some('\n') {
                self.bump();
            } else {
                return;
            }
        }
    }

    /// The next word if it is a plain keyword-like word, without consuming it.
    fn peek_word(&self) -> Option<String> {
        let mut end = self.pos;
        while let Some(c) = self.src.get(end) {
            if is_meta(*c) || matches!(c, '\'' | '"' | '\\' | '$' | '`') {
                break;
            }
            end += 1;
        }
        if end == self.pos {
            return None;
        }
        Some(self.src[self.pos..end].iter().collect())
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        self.peek_word().as_deref() == Some(keyword)
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<()> {
        self.linebreaks();
        if self.at_keyword(keyword) {
            for _ in keyword.chars() {
                self.bump();
            }
            Ok(())
        } else if self.peek().is_none() {
            Err(self.eof_error(keyword))
        } else {
            Err(self.unexpected())
        }
    }

    /// Parses and-or lists until EOF, `)`, `;;` or one of `terminators` in command position.
    fn list(&mut self, terminators: &[&str]) -> Result<List> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.linebreaks();
            match self.peek() {
                None | Some(')') => break,
                _ if self.starts_with(";;") => break,
                _ => {}
            }
            if let Some(word) = self.peek_word()
                && terminators.contains(&word.as_str())
            {
                break;
            }
            let mut and_or = self.and_or()?;
            self.blanks();
            if self.starts_with(";;") {
                items.push(Arc::new(and_or));
                break;
            }
            match self.peek() {
                Some(';') => {
                    self.bump();
                }
                Some('&') => {
                    self.bump();
                    and_or.background = true;
                }
                Some('\n') => {
                    self.bump();
                }
                None | Some(')') => {}
                Some(_) => return Err(self.unexpected()),
            }
            items.push(Arc::new(and_or));
        }
        self.depth -= 1;
        Ok(items.into())
    }

    /// A list that must be followed by one of `terminators`, and is not empty.
    fn body(&mut self, terminators: &[&str]) -> Result<List> {
        let list = self.list(terminators)?;
        self.linebreaks();
        if list.is_empty() {
            return Err(match self.peek() {
                None => self.eof_error(terminators.first().copied().unwrap_or("done")),
                Some(_) => self.unexpected(),
            });
        }
        if self.peek().is_none() {
            return Err(self.eof_error(terminators.first().copied().unwrap_or("done")));
        }
        Ok(list)
    }

    fn and_or(&mut self) -> Result<AndOr> {
        let first = Arc::new(self.pipeline()?);
        let mut rest = Vec::new();
        loop {
            self.blanks();
            let is_and = if self.starts_with("&&") {
                true
            } else if self.starts_with("||") {
                false
            } else {
                break;
            };
            self.bump();
            self.bump();
            self.linebreaks();
            rest.push((is_and, Arc::new(self.pipeline()?)));
        }
        Ok(AndOr { first, rest, background: false })
    }

    fn pipeline(&mut self) -> Result<Pipeline> {
        self.blanks();
        let mut bang = false;
        if self.peek() == Some('!') && matches!(self.peek_at(1), Some(' ' | '\t')) {
            self.bump();
            bang = true;
        }
        let mut commands = vec![Arc::new(self.command()?)];
        loop {
            self.blanks();
            if self.peek() == Some('|') && self.peek_at(1) != Some('|') {
                self.bump();
                self.linebreaks();
                commands.push(Arc::new(self.command()?));
            } else {
                break;
            }
        }
        Ok(Pipeline { bang, commands })
    }

    fn command(&mut self) -> Result<Command> {
        self.blanks();
        let compound = match self.peek_word().as_deref() {
            Some("if") => Some(self.if_command()?),
            Some("while") => Some(self.loop_command(false)?),
            Some("until") => Some(self.loop_command(true)?),
            Some("for") => Some(self.for_command()?),
            Some("case") => Some(self.case_command()?),
            Some("{") => {
                self.bump();
                let list = self.body(&["}"])?;
                self.expect_keyword("}")?;
                Some(Compound::Brace(list))
            }
            Some(word) if RESERVED.contains(&word) => return Err(self.unexpected()),
            _ if self.peek() == Some('(') => {
                self.bump();
                let list = self.list(&[])?;
                self.linebreaks();
                match self.peek() {
                    Some(')') => {
                        self.bump();
                    }
                    None => return Err(self.eof_error(")")),
                    Some(_) => return Err(self.unexpected()),
                }
                Some(Compound::Subshell(list))
            }
            _ => None,
        };
        if let Some(compound) = compound {
            let mut redirs = Vec::new();
            loop {
                self.blanks();
                match self.redirection()? {
                    Some(redir) => redirs.push(redir),
                    None => break,
                }
            }
            return Ok(Command::Compound(compound, redirs));
        }
        self.simple_command()
    }

    fn simple_command(&mut self) -> Result<Command> {
        let mut simple = Simple { assigns: Vec::new(), words: Vec::new(), redirs: Vec::new() };
        loop {
            self.blanks();
            if let Some(redir) = self.redirection()? {
                simple.redirs.push(redir);
                continue;
            }
            match self.peek() {
                None => break,
                Some(c) if is_meta(c) => {
                    if c == '(' && simple.words.len() == 1 && simple.assigns.is_empty() && simple.redirs.is_empty() {
                        return self.function_def(simple);
                    }
                    break;
                }
                Some(_) => {}
            }
            let word = self.word()?;
            if simple.words.is_empty()
                && let Some((name, value)) = split_assignment(&word)
            {
                simple.assigns.push((name, value));
                continue;
            }
            simple.words.push(word);
        }
        if simple.words.is_empty() && simple.assigns.is_empty() && simple.redirs.is_empty() {
            return Err(self.unexpected());
        }
        Ok(Command::Simple(simple))
    }

    fn function_def(&mut self, simple: Simple) -> Result<Command> {
        let name = match simple.words.first().map(Vec::as_slice) {
            Some([WordPart::Lit(name)]) if is_name(name) || name.chars().all(|c| !is_meta(c)) => name.clone(),
            _ => return Err(self.unexpected()),
        };
        self.bump();
        self.blanks();
        if self.peek() != Some(')') {
            return Err(self.unexpected());
        }
        self.bump();
        self.linebreaks();
        if self.peek().is_none() {
            return Err(self.eof_error("}"));
        }
        let body = self.command()?;
        Ok(Command::FunctionDef(name, Arc::new(body)))
    }

    fn if_command(&mut self) -> Result<Compound> {
        self.expect_keyword("if")?;
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.body(&["then"])?;
            self.expect_keyword("then")?;
            let body = self.body(&["fi", "elif", "else"])?;
            branches.push((cond, body));
            match self.peek_word().as_deref() {
                Some("elif") => self.expect_keyword("elif")?,
                Some("else") => {
                    self.expect_keyword("else")?;
                    otherwise = Some(self.body(&["fi"])?);
                    self.expect_keyword("fi")?;
                    break;
                }
                _ => {
                    self.expect_keyword("fi")?;
                    break;
                }
            }
        }
        Ok(Compound::If(Arc::new(IfNode { branches, otherwise })))
    }

    fn do_group(&mut self) -> Result<List> {
        self.expect_keyword("do")?;
        let body = self.body(&["done"])?;
        self.expect_keyword("done")?;
        Ok(body)
    }

    fn loop_command(&mut self, until: bool) -> Result<Compound> {
        self.expect_keyword(if until { "until" } else { "while" })?;
        let cond = self.body(&["do"])?;
        let body = self.do_group()?;
        Ok(Compound::Loop(Arc::new(LoopNode { until, cond, body })))
    }

    fn for_command(&mut self) -> Result<Compound> {
        self.expect_keyword("for")?;
        self.blanks();
        let var = self.peek_word().unwrap_or_default();
        if !is_name(&var) {
            return Err(if self.peek().is_none() { self.eof_error("do") } else { self.error("bad for loop variable") });
        }
        for _ in var.chars() {
            self.bump();
        }
        self.linebreaks();
        let mut words = None;
        if self.at_keyword("in") {
            self.expect_keyword("in")?;
            let mut list = Vec::new();
            loop {
                self.blanks();
                match self.peek() {
                    Some(';' | '\n') => {
                        self.bump();
                        break;
                    }
                    None => return Err(self.eof_error("do")),
                    Some(c) if is_meta(c) => return Err(self.unexpected()),
                    Some(_) => list.push(self.word()?),
                }
            }
            words = Some(list);
        } else if self.peek() == Some(';') {
            self.bump();
        }
        let body = self.do_group()?;
        Ok(Compound::For(Arc::new(ForNode { var, words, body })))
    }

    fn case_command(&mut self) -> Result<Compound> {
        self.expect_keyword("case")?;
        self.blanks();
        if self.peek().is_none() {
            return Err(self.eof_error("in"));
        }
        let word = self.word()?;
        self.expect_keyword("in")?;
        let mut arms = Vec::new();
        loop {
            self.linebreaks();
            if self.at_keyword("esac") {
                self.expect_keyword("esac")?;
                break;
            }
            if self.peek().is_none() {
                return Err(self.eof_error("esac"));
            }
            if self.peek() == Some('(') {
                self.bump();
            }
            let mut patterns = Vec::new();
            loop {
                self.blanks();
                match self.peek() {
                    None => return Err(self.eof_error(")")),
                    Some(c) if is_meta(c) => return Err(self.unexpected()),
                    Some(_) => patterns.push(self.word()?),
                }
                self.blanks();
                match self.peek() {
                    Some('|') => {
                        self.bump();
                    }
                    Some(')') => {
                        self.bump();
                        break;
                    }
                    None => return Err(self.eof_error(")")),
                    Some(_) => return Err(self.unexpected()),
                }
            }
            let body = self.list(&["esac"])?;
            self.linebreaks();
            if self.starts_with(";;") {
                self.bump();
                self.bump();
            }
            arms.push((patterns, body));
        }
        Ok(Compound::Case(Arc::new(CaseNode { word, arms })))
    }

    fn redirection(&mut self) -> Result<Option<Redir>> {
        let start = self.pos;
        let mut digits = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            digits.push(c);
            self.pos += 1;
        }
        let op = if self.starts_with("&>") && digits.is_empty() {
            self.pos += 2;
            RedirOp::OutErr
        } else if self.starts_with(">>") {
            self.pos += 2;
            RedirOp::Append
        } else if self.starts_with(">&") {
            self.pos += 2;
            RedirOp::DupOut
        } else if self.starts_with(">|") {
            self.pos += 2;
            RedirOp::Out
        } else if self.starts_with("<<") {
            self.pos += 2;
            RedirOp::HereDoc
        } else if self.starts_with("<&") {
            self.pos += 2;
            RedirOp::DupIn
        } else if self.starts_with("<>") {
            self.pos += 2;
            RedirOp::ReadWrite
        } else if self.starts_with(">") {
            self.pos += 1;
            RedirOp::Out
        } else if self.starts_with("<") {
            self.pos += 1;
            RedirOp::In
        } else {
            self.pos = start;
            return Ok(None);
        };
        let fd = if digits.is_empty() { None } else { Some(digits.parse().unwrap_or(u32::MAX)) };
        if op == RedirOp::HereDoc {
            let strip_tabs = self.peek() == Some('-');
            if strip_tabs {
                self.pos += 1;
            }
            self.blanks();
            let target = self.here_document(strip_tabs)?;
            return Ok(Some(Redir { fd, op, target }));
        }
        self.blanks();
        match self.peek() {
            Some(c) if !is_meta(c) => {}
            _ => return Err(self.unexpected()),
        }
        let target = self.word()?;
        Ok(Some(Redir { fd, op, target }))
    }

    fn here_document(&mut self, strip_tabs: bool) -> Result<Word> {
        match self.peek() {
            Some(c) if !is_meta(c) => {}
            _ => return Err(self.unexpected()),
        }
        let delimiter_word = self.word()?;
        let mut quoted = false;
        let mut delimiter = String::new();
        flatten_literal(&delimiter_word, &mut delimiter, &mut quoted);
        // The body starts after the current line, or after the previous body on this line.
        let body_start = match self.skip {
            Some((newline, resume)) if newline >= self.pos => resume,
            _ => {
                let Some(offset) = self.src[self.pos..].iter().position(|c| *c == '\n') else {
                    return Err(self.eof_error(&delimiter));
                };
                let newline = self.pos + offset;
                self.skip = Some((newline, newline + 1));
                newline + 1
            }
        };
        let mut body = String::new();
        let mut at = body_start;
        let mut found = false;
        while at < self.src.len() {
            let end = self.src[at..].iter().position(|c| *c == '\n').map_or(self.src.len(), |offset| at + offset);
            let mut line: String = self.src[at..end].iter().collect();
            at = (end + 1).min(self.src.len());
            if strip_tabs {
                line = line.trim_start_matches('\t').to_string();
            }
            if line == delimiter || line.strip_suffix('\r') == Some(delimiter.as_str()) {
                found = true;
                break;
            }
            body.push_str(&line);
            body.push('\n');
        }
        if !found {
            return Err(self.eof_error(&delimiter));
        }
        if let Some((newline, _)) = self.skip {
            self.skip = Some((newline, at));
        }
        if quoted {
            return Ok(vec![WordPart::Quoted(body)]);
        }
        let mut inner = Parser::new(&body);
        inner.depth = self.depth;
        inner.text_with_expansions(None, true)
    }

    /// Reads an unquoted word up to a metacharacter.
    fn word(&mut self) -> Result<Word> {
        self.enter()?;
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek() {
            if is_meta(c) {
                break;
            }
            match c {
                '\\' => {
                    self.bump();
                    match self.bump() {
                        Some('\n') => {}
                        Some(escaped) => {
                            flush(&mut lit, &mut parts);
                            parts.push(WordPart::Quoted(escaped.to_string()));
                        }
                        None => lit.push('\\'),
                    }
                }
                '\'' => {
                    flush(&mut lit, &mut parts);
                    parts.push(WordPart::Quoted(self.single_quoted()?));
                }
                '"' => {
                    flush(&mut lit, &mut parts);
                    self.bump();
                    let inner = self.text_with_expansions(Some('"'), false)?;
                    parts.push(WordPart::Double(inner));
                }
                '$' | '`' => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.expansion(false)?);
                }
                _ => {
                    self.bump();
                    lit.push(c);
                }
            }
        }
        flush(&mut lit, &mut parts);
        self.depth -= 1;
        Ok(parts)
    }

    fn single_quoted(&mut self) -> Result<String> {
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                None => return Err(self.unterminated()),
                Some('\'') => return Ok(text),
                Some(c) => text.push(c),
            }
        }
    }

    /// Double-quote-like text: `"..."` (until `"`), here-document bodies and arithmetic (until EOF).
    ///
    /// In here-documents, `"` is an ordinary character.
    fn text_with_expansions(&mut self, until: Option<char>, heredoc: bool) -> Result<Vec<WordPart>> {
        self.enter()?;
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek() else {
                if until.is_some() {
                    return Err(self.unterminated());
                }
                break;
            };
            if Some(c) == until {
                self.bump();
                break;
            }
            match c {
                '\\' => {
                    self.bump();
                    match self.peek() {
                        Some('\n') => {
                            self.bump();
                        }
                        Some(escaped @ ('$' | '`' | '\\')) => {
                            self.bump();
                            lit.push(escaped);
                        }
                        Some('"') if !heredoc => {
                            self.bump();
                            lit.push('"');
                        }
                        _ => lit.push('\\'),
                    }
                }
                '$' | '`' => {
                    flush_quoted(&mut lit, &mut parts);
                    parts.push(self.expansion(true)?);
                }
                _ => {
                    self.bump();
                    lit.push(c);
                }
            }
        }
        flush_quoted(&mut lit, &mut parts);
        self.depth -= 1;
        Ok(parts)
    }

    /// `$...` or a backquoted command at the cursor.
    fn expansion(&mut self, quoted: bool) -> Result<WordPart> {
        if self.peek() == Some('`') {
            self.bump();
            let mut inner = String::new();
            loop {
                match self.bump() {
                    None => {
                        return Err(SyntaxError {
                            message: "syntax error: EOF in backquote substitution".into(),
                            incomplete: true,
                        });
                    }
                    Some('`') => break,
                    Some('\\') => match self.bump() {
                        Some(c @ ('`' | '\\' | '$')) => inner.push(c),
                        Some(c) => {
                            inner.push('\\');
                            inner.push(c);
                        }
                        None => inner.push('\\'),
                    },
                    Some(c) => inner.push(c),
                }
            }
            let mut parser = Parser::new(&inner);
            parser.depth = self.depth;
            let list = parser.list(&[])?;
            if parser.peek().is_some() {
                return Err(parser.unexpected());
            }
            return Ok(WordPart::CommandSubst(list));
        }
        self.bump(); // `$`
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.bump();
                self.bump();
                let start = self.pos;
                let mut depth = 0u32;
                loop {
                    match self.peek() {
                        None => return Err(self.eof_error("))")),
                        Some('(') => depth += 1,
                        Some(')') if depth == 0 => {
                            if self.peek_at(1) == Some(')') {
                                break;
                            }
                            return Err(self.error("missing '))'"));
                        }
                        Some(')') => depth -= 1,
                        Some(_) => {}
                    }
                    self.bump();
                }
                let text: String = self.src[start..self.pos].iter().collect();
                self.bump();
                self.bump();
                let mut parser = Parser::new(&text);
                parser.depth = self.depth;
                Ok(WordPart::Arith(parser.text_with_expansions(None, true)?))
            }
            Some('(') => {
                self.bump();
                let list = self.list(&[])?;
                self.linebreaks();
                match self.peek() {
                    Some(')') => {
                        self.bump();
                        Ok(WordPart::CommandSubst(list))
                    }
                    None => Err(self.eof_error(")")),
                    Some(_) => Err(self.unexpected()),
                }
            }
            Some('{') => {
                self.bump();
                self.braced_param()
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|c| *c == '_' || c.is_ascii_alphanumeric()) {
                    name.push(c);
                    self.bump();
                }
                Ok(WordPart::Param(Param { name, op: ParamOp::Plain, word: Vec::new() }))
            }
            Some(c) if c.is_ascii_digit() || matches!(c, '?' | '$' | '#' | '!' | '@' | '*' | '-') => {
                self.bump();
                Ok(WordPart::Param(Param { name: c.to_string(), op: ParamOp::Plain, word: Vec::new() }))
            }
            _ if quoted => Ok(WordPart::Quoted("$".into())),
            _ => Ok(WordPart::Lit("$".into())),
        }
    }

    fn braced_param(&mut self) -> Result<WordPart> {
        let bad = |p: &Parser| {
            if p.peek().is_none() { p.unterminated() } else { p.error("bad substitution") }
        };
        let mut length = false;
        if self.peek() == Some('#') && !matches!(self.peek_at(1), Some('}') | None) {
            self.bump();
            length = true;
        }
        let mut name = String::new();
        match self.peek() {
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                while let Some(c) = self.peek().filter(|c| *c == '_' || c.is_ascii_alphanumeric()) {
                    name.push(c);
                    self.bump();
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek().filter(char::is_ascii_digit) {
                    name.push(c);
                    self.bump();
                }
            }
            Some(c @ ('?' | '$' | '#' | '!' | '@' | '*' | '-')) => {
                name.push(c);
                self.bump();
            }
            _ => return Err(bad(self)),
        }
        if length {
            return if self.bump() == Some('}') {
                Ok(WordPart::Param(Param { name, op: ParamOp::Length, word: Vec::new() }))
            } else {
                Err(bad(self))
            };
        }
        let colon = self.peek() == Some(':');
        if colon {
            self.bump();
        }
        let op = match (self.peek(), colon) {
            (Some('}'), false) => {
                self.bump();
                return Ok(WordPart::Param(Param { name, op: ParamOp::Plain, word: Vec::new() }));
            }
            (Some('-'), _) => ParamOp::Default { colon },
            (Some('='), _) => ParamOp::Assign { colon },
            (Some('?'), _) => ParamOp::Error { colon },
            (Some('+'), _) => ParamOp::Alternative { colon },
            (Some('%'), false) => ParamOp::TrimSuffix { longest: self.peek_at(1) == Some('%') },
            (Some('#'), false) => ParamOp::TrimPrefix { longest: self.peek_at(1) == Some('#') },
            _ => return Err(bad(self)),
        };
        self.bump();
        if matches!(op, ParamOp::TrimSuffix { longest: true } | ParamOp::TrimPrefix { longest: true }) {
            self.bump();
        }
        let word = self.brace_word()?;
        Ok(WordPart::Param(Param { name, op, word }))
    }

    /// The word inside `${name:-word}`, up to the matching `}`; blanks are literal.
    fn brace_word(&mut self) -> Result<Word> {
        self.enter()?;
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            match self.peek() {
                None => return Err(self.unterminated()),
                Some('}') => {
                    self.bump();
                    break;
                }
                Some('\\') => {
                    self.bump();
                    if let Some(c) = self.bump() {
                        flush(&mut lit, &mut parts);
                        parts.push(WordPart::Quoted(c.to_string()));
                    }
                }
                Some('\'') => {
                    flush(&mut lit, &mut parts);
                    parts.push(WordPart::Quoted(self.single_quoted()?));
                }
                Some('"') => {
                    flush(&mut lit, &mut parts);
                    self.bump();
                    parts.push(WordPart::Double(self.text_with_expansions(Some('"'), false)?));
                }
                Some('$' | '`') => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.expansion(false)?);
                }
                Some(c) => {
                    self.bump();
                    lit.push(c);
                }
            }
        }
        flush(&mut lit, &mut parts);
        self.depth -= 1;
        Ok(parts)
    }
}

fn flush(lit: &mut String, parts: &mut Vec<WordPart>) {
    if !lit.is_empty() {
        parts.push(WordPart::Lit(std::mem::take(lit)));
    }
}

fn flush_quoted(lit: &mut String, parts: &mut Vec<WordPart>) {
    if !lit.is_empty() {
        parts.push(WordPart::Quoted(std::mem::take(lit)));
    }
}

/// The literal text of a here-document delimiter, and whether any of it was quoted.
fn flatten_literal(word: &[WordPart], out: &mut String, quoted: &mut bool) {
    for part in word {
        match part {
            WordPart::Lit(text) => out.push_str(text),
            WordPart::Quoted(text) => {
                *quoted = true;
                out.push_str(text);
            }
            WordPart::Double(inner) => {
                *quoted = true;
                flatten_literal(inner, out, quoted);
            }
            WordPart::Param(param) => {
                out.push('$');
                out.push_str(&param.name);
            }
            WordPart::CommandSubst(_) | WordPart::Arith(_) => {}
        }
    }
}

/// Splits `NAME=value...` into the name and the value word.
fn split_assignment(word: &Word) -> Option<(String, Word)> {
    let Some(WordPart::Lit(first)) = word.first() else {
        return None;
    };
    let (name, value) = first.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut rest = Vec::new();
    if !value.is_empty() {
        rest.push(WordPart::Lit(value.to_string()));
    }
    rest.extend(word.iter().skip(1).cloned());
    Some((name.to_string(), rest))
}
