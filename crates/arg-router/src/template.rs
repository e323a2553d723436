//! Path templates such as `/api/v2/changes/{change_id}/notes`, and the encoding that keeps
//! every substituted value inside its own segment.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Error;

/// Everything except RFC 3986 unreserved characters (`ALPHA / DIGIT / "-" / "." / "_" / "~"`).
pub(crate) const OUTSIDE_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Everything except unreserved characters and dots, used for dot-only values so that no
/// normaliser can read them as `.` or `..` segments.
const OUTSIDE_UNRESERVED_AND_DOT: &AsciiSet = &OUTSIDE_UNRESERVED.add(b'.');

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text, copied as is (already valid path text).
    Literal(String),
    /// A `{name}` placeholder.
    Placeholder(String),
}

/// Splits `template` into literal text and placeholders, rejecting anything that is not a
/// plain absolute path with well-formed, distinct placeholders.
pub(crate) fn parse(template: &str) -> Result<Vec<Piece>, Error> {
    if !template.starts_with('/') {
        return Err(Error::operation(format!(
            "path template {template:?} must start with '/'"
        )));
    }
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = template;
    while let Some(character) = rest.chars().next() {
        match character {
            '{' => {
                let Some(end) = rest.find('}') else {
                    return Err(Error::operation(format!(
                        "path template {template:?} has an unclosed '{{'; close every placeholder with '}}'"
                    )));
                };
                let name = &rest[1..end];
                if name.is_empty() || !name.chars().all(is_placeholder_char) {
                    return Err(Error::operation(format!(
                        "path template {template:?} has placeholder {{{name}}}; placeholder names must be non-empty and use only letters, digits, '_' and '-'"
                    )));
                }
                if pieces
                    .iter()
                    .any(|piece| matches!(piece, Piece::Placeholder(existing) if existing == name))
                {
                    return Err(Error::operation(format!(
                        "path template {template:?} uses placeholder {{{name}}} twice; use each placeholder once"
                    )));
                }
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Placeholder(name.to_owned()));
                rest = &rest[end + 1..];
            }
            '}' => {
                return Err(Error::operation(format!(
                    "path template {template:?} has a '}}' without a matching '{{'"
                )));
            }
            '%' => {
                let escape = rest.get(1..3).unwrap_or("");
                if escape.len() != 2 || !escape.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(Error::operation(format!(
                        "path template {template:?} has a '%' that does not start a percent-escape; write it as %25"
                    )));
                }
                literal.push('%');
                literal.push_str(escape);
                rest = &rest[3..];
            }
            other if is_literal_path_char(other) => {
                literal.push(other);
                rest = &rest[other.len_utf8()..];
            }
            other => {
                return Err(Error::operation(format!(
                    "path template {template:?} contains {other:?}, which is not allowed in a path; percent-encode it or remove it"
                )));
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn is_placeholder_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || character == '_' || character == '-'
}

/// RFC 3986 `pchar` without `%` (handled separately) plus `/`.
fn is_literal_path_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/".contains(character)
}

/// Why a value cannot be used as a path segment.
pub(crate) const DOT_OR_EMPTY: &str = "must not be empty or a dot segment";

/// Percent-encodes `value` as exactly one path segment.
///
/// Empty values and the dot segments `.` and `..` are refused even though they could be
/// escaped, because some servers and proxies decode `%2E%2E` before routing.
pub(crate) fn encode_segment(value: &str) -> Result<String, &'static str> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(DOT_OR_EMPTY);
    }
    let set = if value.chars().all(|c| c == '.') {
        OUTSIDE_UNRESERVED_AND_DOT
    } else {
        OUTSIDE_UNRESERVED
    };
    Ok(utf8_percent_encode(value, set).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_never_escape_their_slot() {
        fn check(value: &str, expected: Result<&str, &str>) {
            let actual = encode_segment(value);
            assert_eq!(
                actual.as_deref().map_err(|e| *e),
                expected,
                "value {value:?}"
            );
        }
        check("42", Ok("42"));
        check("abc-DEF_1.2~", Ok("abc-DEF_1.2~"));
        check("../admin", Ok("..%2Fadmin"));
        check("1/2", Ok("1%2F2"));
        check("%2e%2e", Ok("%252e%252e"));
        check("a b", Ok("a%20b"));
        check("a?b#c", Ok("a%3Fb%23c"));
        check("a\\b", Ok("a%5Cb"));
        check("é", Ok("%C3%A9"));
        check("日本", Ok("%E6%97%A5%E6%9C%AC"));
        check("...", Ok("%2E%2E%2E"));
        check(".hidden", Ok(".hidden"));
        check("", Err(DOT_OR_EMPTY));
        check(".", Err(DOT_OR_EMPTY));
        check("..", Err(DOT_OR_EMPTY));
    }

    #[test]
    fn templates_parse_or_explain() {
        fn check(template: &str, expected: Result<Vec<Piece>, &str>) {
            let actual = parse(template).map_err(|error| error.to_string());
            match (actual, expected) {
                (Ok(pieces), Ok(expected)) => assert_eq!(pieces, expected, "{template}"),
                (Err(message), Err(fragment)) => {
                    assert!(message.contains(fragment), "{template}: {message}")
                }
                (actual, expected) => panic!("{template}: got {actual:?}, expected {expected:?}"),
            }
        }
        let lit = |s: &str| Piece::Literal(s.to_owned());
        let ph = |s: &str| Piece::Placeholder(s.to_owned());
        check("/a", Ok(vec![lit("/a")]));
        check(
            "/api/v2/changes/{change_id}/notes",
            Ok(vec![
                lit("/api/v2/changes/"),
                ph("change_id"),
                lit("/notes"),
            ]),
        );
        check("/{a}{b}", Ok(vec![lit("/"), ph("a"), ph("b")]));
        check("/x/{id}.json", Ok(vec![lit("/x/"), ph("id"), lit(".json")]));
        check("/a%20b", Ok(vec![lit("/a%20b")]));
        check("a/b", Err("must start with '/'"));
        check("", Err("must start with '/'"));
        check("/a/{id", Err("unclosed"));
        check("/a/id}", Err("without a matching"));
        check("/a/{}", Err("placeholder names must be non-empty"));
        check("/a/{a b}", Err("placeholder names"));
        check("/a/{x}/{x}", Err("twice"));
        check("/a?b=1", Err("not allowed in a path"));
        check("/a#b", Err("not allowed in a path"));
        check("/a b", Err("not allowed in a path"));
        check("/a%2", Err("percent-escape"));
        check("/a%zz", Err("percent-escape"));
        check("/é", Err("not allowed in a path"));
    }
}
