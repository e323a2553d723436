//! The Freshservice filter query language, parsed.
//!
//! Filter endpoints (`/tickets/filter?query=`, `/changes?query=`, `/assets?filter=`, requesters, agents,
//! departments, locations, workspaces, project tasks) take a query such as
//! `priority:3 AND (status:2 OR agent_id:null) AND created_at:>'2025-01-01'`, sent wrapped in double quotes.
//! This module parses the query text (without those quotes) into a [`Query`] tree, so a client can check a query
//! before spending a request on it and a fake service can evaluate it. It evaluates nothing itself.
//!
//! Grammar (AND binds tighter than OR; keywords are matched without regard to case):
//!
//! ```text
//! query     = or
//! or        = and ("OR" and)*
//! and       = primary ("AND" primary)*
//! primary   = "(" or ")" | condition | starts_with
//! condition = field (":" | ":>" | ":<" | "!:") value
//! starts_with = "~[" field ("|" field)* "]:" string
//! value     = string | number | "true" | "false" | "null"
//! string    = "'" characters, with \' and \\ escapes "'"
//! ```

use std::fmt;

/// The longest query Freshservice accepts, in characters.
pub const MAX_QUERY_LENGTH: usize = 512;

/// A parsed filter query.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Query {
    /// Every part must match.
    And(Vec<Query>),
    /// Any part may match.
    Or(Vec<Query>),
    /// One `field<operator>value` test.
    Condition(Condition),
    /// `~[f1|f2]:'prefix'`: one of the fields starts with the prefix (requesters and agents).
    StartsWith {
        /// The fields to test.
        fields: Vec<String>,
        /// The prefix.
        prefix: String,
    },
}

/// One `field<operator>value` test.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Condition {
    /// The field name, e.g. `priority` or a custom field.
    pub field: String,
    /// How the field is compared.
    pub operator: Operator,
    /// What it is compared with.
    pub value: Literal,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operator {
    /// `:` — equal.
    Equals,
    /// `!:` — not equal.
    NotEquals,
    /// `:>` — greater than or equal (numbers and dates).
    AtLeast,
    /// `:<` — less than or equal (numbers and dates).
    AtMost,
}

impl Operator {
    /// The operator as written in a query.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equals => ":",
            Self::NotEquals => "!:",
            Self::AtLeast => ":>",
            Self::AtMost => ":<",
        }
    }
}

/// A value in a query.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Literal {
    /// `null`: the field is empty.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A bare number, kept as written (integers and decimals).
    Number(String),
    /// A single-quoted string; dates are strings such as `'2025-01-31'`.
    String(String),
}

impl Literal {
    /// The number as `f64`, for numbers.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// Whether this is a string shaped like a `yyyy-mm-dd` date.
    pub fn is_date(&self) -> bool {
        matches!(self, Self::String(text) if is_date(text))
    }
}

/// Why a query does not parse: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// Character offset of the problem in the query.
    pub position: usize,
    /// What is wrong and what would fit.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position)
    }
}

impl std::error::Error for QueryError {}

/// Parses a query (the text inside the double quotes).
///
/// # Errors
///
/// A [`QueryError`] naming the first token that does not fit the grammar, or the length limit.
pub fn parse_query(text: &str) -> Result<Query, QueryError> {
    let length = text.chars().count();
    if length > MAX_QUERY_LENGTH {
        return Err(QueryError {
            position: MAX_QUERY_LENGTH,
            message: format!(
                "the query is {length} characters long; Freshservice accepts at most {MAX_QUERY_LENGTH}"
            ),
        });
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        end: length,
    };
    if parser.tokens.is_empty() {
        return Err(QueryError {
            position: 0,
            message: "the query is empty; write a condition such as priority:3".into(),
        });
    }
    let query = parser.or()?;
    if let Some(token) = parser.peek() {
        return Err(QueryError {
            position: token.position,
            message: format!(
                "unexpected {}; join conditions with AND or OR",
                token.kind.describe()
            ),
        });
    }
    Ok(query)
}

impl fmt::Display for Query {
    /// The query in canonical form: parseable, with explicit parentheses around nested OR groups.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::And(parts) => join(f, parts, " AND ", true),
            Self::Or(parts) => join(f, parts, " OR ", false),
            Self::Condition(condition) => {
                write!(
                    f,
                    "{}{}{}",
                    condition.field,
                    condition.operator.as_str(),
                    condition.value
                )
            }
            Self::StartsWith { fields, prefix } => {
                write!(
                    f,
                    "~[{}]:{}",
                    fields.join("|"),
                    Literal::String(prefix.clone())
                )
            }
        }
    }
}

fn join(
    f: &mut fmt::Formatter<'_>,
    parts: &[Query],
    separator: &str,
    inside_and: bool,
) -> fmt::Result {
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        // AND binds tighter than OR, so only an OR group inside an AND needs parentheses (the parser
        // flattens same-kind nesting, so no other case occurs).
        if inside_and && matches!(part, Query::Or(_)) {
            write!(f, "({part})")?;
        } else {
            write!(f, "{part}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(value) => write!(f, "{value}"),
            Self::Number(text) => f.write_str(text),
            Self::String(text) => {
                f.write_str("'")?;
                for character in text.chars() {
                    if matches!(character, '\'' | '\\') {
                        f.write_str("\\")?;
                    }
                    write!(f, "{character}")?;
                }
                f.write_str("'")
            }
        }
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    Field(String),
    Operator(Operator),
    StartsWithOpen,
    Pipe,
    StartsWithClose,
    Value(Literal),
    And,
    Or,
    Open,
    Close,
}

impl TokenKind {
    fn describe(&self) -> String {
        match self {
            Self::Field(name) => format!("word `{name}`"),
            Self::Operator(operator) => format!("operator `{}`", operator.as_str()),
            Self::StartsWithOpen => "`~[`".into(),
            Self::Pipe => "`|`".into(),
            Self::StartsWithClose => "`]:`".into(),
            Self::Value(literal) => format!("value {literal}"),
            Self::And => "AND".into(),
            Self::Or => "OR".into(),
            Self::Open => "`(`".into(),
            Self::Close => "`)`".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    position: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    // After an operator comes a value; elsewhere a bare word is a field name or a keyword.
    let mut expect_value = false;
    while index < characters.len() {
        let character = characters[index];
        let start = index;
        let error = |message: String| QueryError {
            position: start,
            message,
        };
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        let kind = match character {
            '(' => {
                index += 1;
                TokenKind::Open
            }
            ')' => {
                index += 1;
                TokenKind::Close
            }
            '|' => {
                index += 1;
                TokenKind::Pipe
            }
            '~' if characters.get(index + 1) == Some(&'[') => {
                index += 2;
                TokenKind::StartsWithOpen
            }
            ']' if characters.get(index + 1) == Some(&':') => {
                index += 2;
                expect_value = true;
                tokens.push(Token { kind: TokenKind::StartsWithClose, position: start });
                continue;
            }
            ':' => {
                let operator = match characters.get(index + 1) {
                    Some('>') => Operator::AtLeast,
                    Some('<') => Operator::AtMost,
                    _ => Operator::Equals,
                };
                index += if operator == Operator::Equals { 1 } else { 2 };
                expect_value = true;
                tokens.push(Token { kind: TokenKind::Operator(operator), position: start });
                continue;
            }
            '!' if characters.get(index + 1) == Some(&':') => {
                index += 2;
                expect_value = true;
                tokens.push(Token { kind: TokenKind::Operator(Operator::NotEquals), position: start });
                continue;
            }
            '\'' => {
                index += 1;
                let mut value = String::new();
                loop {
                    match characters.get(index) {
                        None => return Err(error("unterminated string: close it with a single quote '".into())),
                        Some('\\') if matches!(characters.get(index + 1), Some('\'' | '\\')) => {
                            value.push(characters[index + 1]);
                            index += 2;
                        }
                        Some('\'') => {
                            index += 1;
                            break;
                        }
                        Some(other) => {
                            value.push(*other);
                            index += 1;
                        }
                    }
                }
                TokenKind::Value(Literal::String(value))
            }
            '"' => return Err(error("double quotes are not part of the query language: strings take single quotes, e.g. 'Printer'".into())),
            _ if character.is_alphanumeric() || matches!(character, '_' | '-' | '.') => {
                while index < characters.len()
                    && (characters[index].is_alphanumeric() || matches!(characters[index], '_' | '-' | '.'))
                {
                    index += 1;
                }
                let word: String = characters[start..index].iter().collect();
                if expect_value {
                    bare_value(&word).ok_or_else(|| {
                        error(format!("`{word}` is not a value: quote strings ('{word}'), write numbers bare, or use true, false or null"))
                    })?
                } else if word.eq_ignore_ascii_case("and") {
                    TokenKind::And
                } else if word.eq_ignore_ascii_case("or") {
                    TokenKind::Or
                } else if word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    TokenKind::Field(word)
                } else {
                    return Err(error(format!("`{word}` is not a field name: use letters, digits and underscores")));
                }
            }
            other => return Err(error(format!("unexpected character `{other}`"))),
        };
        expect_value = false;
        tokens.push(Token {
            kind,
            position: start,
        });
    }
    Ok(tokens)
}

fn bare_value(word: &str) -> Option<TokenKind> {
    let literal = match word {
        "null" => Literal::Null,
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        _ if word.parse::<f64>().is_ok_and(f64::is_finite)
            && !word.starts_with('.')
            && !word.ends_with('.') =>
        {
            Literal::Number(word.to_owned())
        }
        _ => return None,
    };
    Some(TokenKind::Value(literal))
}

/// Adds `part` to an AND (or OR) list, splicing in a nested group of the same kind: `(a AND b) AND c` is
/// `a AND b AND c`.
fn push_flat(parts: &mut Vec<Query>, part: Query, and: bool) {
    match part {
        Query::And(inner) if and => parts.extend(inner),
        Query::Or(inner) if !and => parts.extend(inner),
        other => parts.push(other),
    }
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).cloned();
        self.next += 1;
        token
    }

    fn expected(&self, what: &str) -> QueryError {
        match self.peek() {
            Some(token) => QueryError {
                position: token.position,
                message: format!("expected {what}, found {}", token.kind.describe()),
            },
            None => QueryError {
                position: self.end,
                message: format!("expected {what}, but the query ends here"),
            },
        }
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        push_flat(&mut parts, self.and()?, false);
        while matches!(self.peek().map(|t| &t.kind), Some(TokenKind::Or)) {
            self.advance();
            push_flat(&mut parts, self.and()?, false);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        push_flat(&mut parts, self.primary()?, true);
        while matches!(self.peek().map(|t| &t.kind), Some(TokenKind::And)) {
            self.advance();
            push_flat(&mut parts, self.primary()?, true);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn primary(&mut self) -> Result<Query, QueryError> {
        match self.peek().map(|token| token.kind.clone()) {
            Some(TokenKind::Open) => {
                self.advance();
                let inner = self.or()?;
                match self.peek().map(|t| &t.kind) {
                    Some(TokenKind::Close) => {
                        self.advance();
                        Ok(inner)
                    }
                    _ => Err(self.expected("`)`")),
                }
            }
            Some(TokenKind::Field(field)) => {
                self.advance();
                let operator = match self.peek().map(|t| t.kind.clone()) {
                    Some(TokenKind::Operator(operator)) => operator,
                    _ => {
                        return Err(self.expected(&format!(
                            "an operator after `{field}` (`:`, `:>`, `:<` or `!:`)"
                        )));
                    }
                };
                self.advance();
                let value = match self.peek().map(|t| t.kind.clone()) {
                    Some(TokenKind::Value(value)) => value,
                    _ => {
                        return Err(
                            self.expected(&format!("a value after `{field}{}`", operator.as_str()))
                        );
                    }
                };
                self.advance();
                Ok(Query::Condition(Condition {
                    field,
                    operator,
                    value,
                }))
            }
            Some(TokenKind::StartsWithOpen) => {
                self.advance();
                let mut fields = Vec::new();
                loop {
                    match self.advance().map(|t| t.kind) {
                        Some(TokenKind::Field(field)) => fields.push(field),
                        _ => {
                            self.next -= 1;
                            return Err(self.expected("a field name inside ~[...]"));
                        }
                    }
                    match self.peek().map(|t| t.kind.clone()) {
                        Some(TokenKind::Pipe) => {
                            self.advance();
                        }
                        Some(TokenKind::StartsWithClose) => {
                            self.advance();
                            break;
                        }
                        _ => return Err(self.expected("`|` or `]:`")),
                    }
                }
                match self.peek().map(|t| t.kind.clone()) {
                    Some(TokenKind::Value(Literal::String(prefix))) => {
                        self.advance();
                        Ok(Query::StartsWith { fields, prefix })
                    }
                    _ => Err(self.expected("a quoted prefix after `]:`")),
                }
            }
            _ => Err(self.expected("a condition such as priority:3, or `(`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, &str>) {
        match (parse_query(input), expected) {
            (Ok(query), Ok(canonical)) => {
                assert_eq!(query.to_string(), canonical, "{input}");
                // The canonical form parses back to the same tree.
                assert_eq!(parse_query(&query.to_string()).unwrap(), query, "{input}");
            }
            (Err(error), Err(fragment)) => {
                assert!(error.to_string().contains(fragment), "{input}: {error}")
            }
            (got, expected) => panic!("{input}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn query_trials() {
        let trials: &[(&str, Result<&str, &str>)] = &[
            ("priority:3", Ok("priority:3")),
            ("priority:3 AND status:2", Ok("priority:3 AND status:2")),
            (
                "priority:3 and status:2 or agent_id:null",
                Ok("priority:3 AND status:2 OR agent_id:null"),
            ),
            (
                "priority:3 AND (status:2 OR status:3)",
                Ok("priority:3 AND (status:2 OR status:3)"),
            ),
            ("(priority:3)", Ok("priority:3")),
            ("(a:1 OR b:2) OR c:3", Ok("a:1 OR b:2 OR c:3")),
            (
                "(a:1 AND b:2) AND (c:3 OR d:4 AND e:5)",
                Ok("a:1 AND b:2 AND (c:3 OR d:4 AND e:5)"),
            ),
            (
                "created_at:>'2025-01-01' AND created_at:<'2025-01-31'",
                Ok("created_at:>'2025-01-01' AND created_at:<'2025-01-31'"),
            ),
            ("status!:6", Ok("status!:6")),
            ("tag:'First Choice'", Ok("tag:'First Choice'")),
            ("name:'O\\'Brien'", Ok("name:'O\\'Brien'")),
            (
                "cf_vip:true AND cf_score:>2.5",
                Ok("cf_vip:true AND cf_score:>2.5"),
            ),
            (
                "~[first_name|last_name]:'jo'",
                Ok("~[first_name|last_name]:'jo'"),
            ),
            ("priority : 3", Ok("priority:3")),
            ("", Err("empty")),
            ("priority", Err("an operator after `priority`")),
            ("priority:", Err("a value after `priority:`")),
            ("priority:high", Err("`high` is not a value")),
            ("priority:3 status:2", Err("join conditions with AND or OR")),
            ("priority:3 AND", Err("but the query ends here")),
            ("(priority:3", Err("expected `)`")),
            ("tag:'open", Err("unterminated string")),
            ("\"priority:3\"", Err("double quotes")),
            ("priority:3 # x", Err("unexpected character `#`")),
            ("~[first_name:'x'", Err("`|` or `]:`")),
        ];
        for (input, expected) in trials {
            check(input, *expected);
        }
    }

    #[test]
    fn length_limit_counts_characters() {
        let long = format!("subject:'{}'", "é".repeat(MAX_QUERY_LENGTH));
        assert!(
            parse_query(&long)
                .unwrap_err()
                .message
                .contains("at most 512")
        );
        let fits = format!("tag:'{}'", "a".repeat(MAX_QUERY_LENGTH - 6));
        assert!(parse_query(&fits).is_ok());
    }

    #[test]
    fn positions_point_at_the_problem() {
        assert_eq!(
            parse_query("priority:3 AND status:x").unwrap_err().position,
            22
        );
        assert_eq!(parse_query("priority:3 AND ").unwrap_err().position, 15);
    }

    #[test]
    fn dates_are_recognised() {
        assert!(Literal::String("2025-01-31".into()).is_date());
        assert!(!Literal::String("2025-1-31".into()).is_date());
        assert!(!Literal::Number("20250131".into()).is_date());
    }
}
