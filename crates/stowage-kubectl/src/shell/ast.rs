//! The shell's syntax tree: immutable, shared by `Arc` so suspended frames can point into it.

use std::sync::Arc;

/// A sequence of and-or lists separated by `;`, `&` or newlines.
pub(crate) type List = Arc<[Arc<AndOr>]>;

/// Pipelines joined by `&&` and `||`, maybe run in the background with `&`.
#[derive(Debug, Clone)]
pub(crate) struct AndOr {
    pub first: Arc<Pipeline>,
    /// `(is_and, pipeline)`: `true` for `&&`, `false` for `||`.
    pub rest: Vec<(bool, Arc<Pipeline>)>,
    pub background: bool,
}

/// Commands joined by `|`, maybe negated with `!`.
#[derive(Debug, Clone)]
pub(crate) struct Pipeline {
    pub bang: bool,
    pub commands: Vec<Arc<Command>>,
}

/// One command.
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Simple(Simple),
    Compound(Compound, Vec<Redir>),
    FunctionDef(String, Arc<Command>),
}

/// `NAME=value ... word ... redirections`.
#[derive(Debug, Clone)]
pub(crate) struct Simple {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
}

/// Compound commands; each kind is shared separately so loop frames can hold it.
#[derive(Debug, Clone)]
pub(crate) enum Compound {
    Brace(List),
    Subshell(List),
    If(Arc<IfNode>),
    Loop(Arc<LoopNode>),
    For(Arc<ForNode>),
    Case(Arc<CaseNode>),
}

/// `if c1; then b1; elif c2; then b2; else e; fi`.
#[derive(Debug, Clone)]
pub(crate) struct IfNode {
    pub branches: Vec<(List, List)>,
    pub otherwise: Option<List>,
}

/// `while cond; do body; done` (or `until`).
#[derive(Debug, Clone)]
pub(crate) struct LoopNode {
    pub until: bool,
    pub cond: List,
    pub body: List,
}

/// `for var in words; do body; done` (`words` of `None` means `"$@"`).
#[derive(Debug, Clone)]
pub(crate) struct ForNode {
    pub var: String,
    pub words: Option<Vec<Word>>,
    pub body: List,
}

/// `case word in pattern|pattern) body;; esac`.
#[derive(Debug, Clone)]
pub(crate) struct CaseNode {
    pub word: Word,
    pub arms: Vec<(Vec<Word>, List)>,
}

/// A redirection: `fd op target`.
#[derive(Debug, Clone)]
pub(crate) struct Redir {
    pub fd: Option<u32>,
    pub op: RedirOp,
    /// The file name, the fd to duplicate, or the here-document body.
    pub target: Word,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirOp {
    /// `>` and `>|`.
    Out,
    /// `>>`.
    Append,
    /// `<`.
    In,
    /// `<>`.
    ReadWrite,
    /// `>&`.
    DupOut,
    /// `<&`.
    DupIn,
    /// `<<`, `<<-`: the target is the body.
    HereDoc,
    /// `&>`: stdout and stderr to a file.
    OutErr,
}

/// A word: parts concatenated.
pub(crate) type Word = Vec<WordPart>;

#[derive(Debug, Clone)]
pub(crate) enum WordPart {
    /// Unquoted text: subject to globbing and tilde expansion.
    Lit(String),
    /// Quoted or escaped text: taken literally.
    Quoted(String),
    /// `"..."`.
    Double(Vec<WordPart>),
    /// `$name`, `${...}`.
    Param(Param),
    /// `$(...)` or backquotes.
    CommandSubst(List),
    /// `$((...))`: the expression text, itself expanded first.
    Arith(Vec<WordPart>),
}

#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub name: String,
    pub op: ParamOp,
    pub word: Word,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamOp {
    Plain,
    /// `${#name}`.
    Length,
    /// `${name-w}` / `${name:-w}`.
    Default {
        colon: bool,
    },
    /// `${name=w}` / `${name:=w}`.
    Assign {
        colon: bool,
    },
    /// `${name?w}` / `${name:?w}`.
    Error {
        colon: bool,
    },
    /// `${name+w}` / `${name:+w}`.
    Alternative {
        colon: bool,
    },
    /// `${name%w}` / `${name%%w}`.
    TrimSuffix {
        longest: bool,
    },
    /// `${name#w}` / `${name##w}`.
    TrimPrefix {
        longest: bool,
    },
}

impl WordPart {
    /// Whether running this part may need a command substitution.
    pub(crate) fn has_command_subst(&self) -> bool {
        match self {
            WordPart::Lit(_) | WordPart::Quoted(_) => false,
            WordPart::CommandSubst(_) => true,
            WordPart::Double(parts) | WordPart::Arith(parts) => parts.iter().any(WordPart::has_command_subst),
            WordPart::Param(param) => param.word.iter().any(WordPart::has_command_subst),
        }
    }
}
