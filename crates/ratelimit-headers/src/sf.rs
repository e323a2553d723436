//! A small Structured Field Values parser (RFC 9651), enough for the IETF rate-limit fields.
//!
//! It follows the RFC's parsing algorithms for Lists, Dictionaries, Items, Inner Lists and Parameters, and accepts
//! every bare item type so that an unexpected but valid member does not make a whole field fail.
//! Values this crate never uses (decimals, byte sequences, display strings) are validated but not decoded.
//! Every failure is `None`, never a panic: the parser only moves forward through a byte slice and looks bytes up
//! with `get`.

/// An Integer is limited to 15 digits by RFC 9651.
pub(crate) const MAX_INTEGER: u64 = 999_999_999_999_999;

/// A bare item value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BareItem {
    Integer(i64),
    Decimal,
    String(String),
    Token(String),
    ByteSequence,
    Boolean(bool),
    Date(i64),
    DisplayString,
}

/// Parameters in field order; lookups take the last occurrence, matching the RFC's overwrite rule.
pub(crate) type Parameters = Vec<(String, BareItem)>;

/// An Item: a bare item with parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) bare: BareItem,
    pub(crate) params: Parameters,
}

/// A List or Dictionary member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Member {
    Item(Item),
    InnerList(Vec<Item>, Parameters),
}

impl BareItem {
    /// The value as a non-negative Integer; negative numbers and other types give `None`.
    pub(crate) fn non_negative(&self) -> Option<u64> {
        match self {
            Self::Integer(number) => u64::try_from(*number).ok(),
            _ => None,
        }
    }

    /// The text of a String or Token, which is how policy names are written.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            Self::String(text) | Self::Token(text) => Some(text),
            _ => None,
        }
    }
}

impl Item {
    /// The value of parameter `key`.
    pub(crate) fn param(&self, key: &str) -> Option<&BareItem> {
        self.params
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }
}

/// Parses a List field value; `None` when the value is not a valid List.
pub(crate) fn parse_list(input: &[u8]) -> Option<Vec<Member>> {
    let mut parser = Parser::new(input);
    let mut members = Vec::new();
    if parser.at_end() {
        return Some(members);
    }
    loop {
        members.push(parser.member()?);
        if parser.after_member()? {
            return Some(members);
        }
    }
}

/// Parses a Dictionary field value; `None` when the value is not a valid Dictionary.
pub(crate) fn parse_dictionary(input: &[u8]) -> Option<Vec<(String, Member)>> {
    let mut parser = Parser::new(input);
    let mut members = Vec::new();
    if parser.at_end() {
        return Some(members);
    }
    loop {
        let key = parser.key()?;
        let member = if parser.eat(b'=') {
            parser.member()?
        } else {
            Member::Item(Item {
                bare: BareItem::Boolean(true),
                params: parser.parameters()?,
            })
        };
        members.push((key, member));
        if parser.after_member()? {
            return Some(members);
        }
    }
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8]) -> Self {
        // RFC 9651 strips leading and trailing SP; HTTP parsers also strip HTAB, so both are accepted here.
        let input = input.trim_ascii();
        Self { input, pos: 0 }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_while(&mut self, predicate: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&predicate) {
            self.pos += 1;
        }
    }

    /// Consumes the separator after a List or Dictionary member: `Some(true)` at the end of input,
    /// `Some(false)` when another member follows, `None` on a syntax error (including a trailing comma).
    fn after_member(&mut self) -> Option<bool> {
        self.skip_while(|byte| byte == b' ' || byte == b'\t');
        if self.at_end() {
            return Some(true);
        }
        if !self.eat(b',') {
            return None;
        }
        self.skip_while(|byte| byte == b' ' || byte == b'\t');
        if self.at_end() {
            return None;
        }
        Some(false)
    }

    fn member(&mut self) -> Option<Member> {
        if self.peek() == Some(b'(') {
            self.inner_list()
        } else {
            self.item().map(Member::Item)
        }
    }

    fn inner_list(&mut self) -> Option<Member> {
        if !self.eat(b'(') {
            return None;
        }
        let mut items = Vec::new();
        loop {
            self.skip_while(|byte| byte == b' ');
            if self.eat(b')') {
                let params = self.parameters()?;
                return Some(Member::InnerList(items, params));
            }
            items.push(self.item()?);
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return None;
            }
        }
    }

    fn item(&mut self) -> Option<Item> {
        let bare = self.bare_item()?;
        let params = self.parameters()?;
        Some(Item { bare, params })
    }

    fn parameters(&mut self) -> Option<Parameters> {
        let mut params = Vec::new();
        while self.eat(b';') {
            self.skip_while(|byte| byte == b' ');
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            params.push((key, value));
        }
        Some(params)
    }

    fn key(&mut self) -> Option<String> {
        let first = self.peek()?;
        if !(first.is_ascii_lowercase() || first == b'*') {
            return None;
        }
        let mut key = String::new();
        while let Some(byte) = self.peek() {
            if byte.is_ascii_lowercase()
                || byte.is_ascii_digit()
                || matches!(byte, b'_' | b'-' | b'.' | b'*')
            {
                key.push(char::from(byte));
                self.pos += 1;
            } else {
                break;
            }
        }
        Some(key)
    }

    fn bare_item(&mut self) -> Option<BareItem> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => self.string(),
            b'*' | b'A'..=b'Z' | b'a'..=b'z' => Some(self.token()),
            b':' => self.byte_sequence(),
            b'?' => self.boolean(),
            b'@' => self.date(),
            b'%' => self.display_string(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<BareItem> {
        let negative = self.eat(b'-');
        if !self.peek()?.is_ascii_digit() {
            return None;
        }
        let start = self.pos;
        let mut dot_at = None;
        while let Some(byte) = self.peek() {
            if byte == b'.' && dot_at.is_none() {
                if self.pos - start > 12 {
                    return None;
                }
                dot_at = Some(self.pos);
            } else if !byte.is_ascii_digit() {
                break;
            }
            self.pos += 1;
            let length = self.pos - start;
            if length > if dot_at.is_some() { 16 } else { 15 } {
                return None;
            }
        }
        match dot_at {
            None => {
                let digits = std::str::from_utf8(self.input.get(start..self.pos)?).ok()?;
                let magnitude: i64 = digits.parse().ok()?;
                Some(BareItem::Integer(if negative {
                    -magnitude
                } else {
                    magnitude
                }))
            }
            Some(dot) => {
                let fraction_digits = self.pos - dot - 1;
                if fraction_digits == 0 || fraction_digits > 3 {
                    return None;
                }
                Some(BareItem::Decimal)
            }
        }
    }

    fn string(&mut self) -> Option<BareItem> {
        if !self.eat(b'"') {
            return None;
        }
        let mut text = String::new();
        loop {
            match self.bump()? {
                b'\\' => match self.bump()? {
                    escaped @ (b'"' | b'\\') => text.push(char::from(escaped)),
                    _ => return None,
                },
                b'"' => return Some(BareItem::String(text)),
                visible @ 0x20..=0x7e => text.push(char::from(visible)),
                _ => return None,
            }
        }
    }

    fn token(&mut self) -> BareItem {
        let mut text = String::new();
        while let Some(byte) = self.peek() {
            if is_tchar(byte) || byte == b':' || byte == b'/' {
                text.push(char::from(byte));
                self.pos += 1;
            } else {
                break;
            }
        }
        BareItem::Token(text)
    }

    fn byte_sequence(&mut self) -> Option<BareItem> {
        if !self.eat(b':') {
            return None;
        }
        loop {
            match self.bump()? {
                b':' => return Some(BareItem::ByteSequence),
                byte if byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=') => {}
                _ => return None,
            }
        }
    }

    fn boolean(&mut self) -> Option<BareItem> {
        if !self.eat(b'?') {
            return None;
        }
        match self.bump()? {
            b'0' => Some(BareItem::Boolean(false)),
            b'1' => Some(BareItem::Boolean(true)),
            _ => None,
        }
    }

    fn date(&mut self) -> Option<BareItem> {
        if !self.eat(b'@') {
            return None;
        }
        match self.number()? {
            BareItem::Integer(seconds) => Some(BareItem::Date(seconds)),
            _ => None,
        }
    }

    fn display_string(&mut self) -> Option<BareItem> {
        if !(self.eat(b'%') && self.eat(b'"')) {
            return None;
        }
        loop {
            match self.bump()? {
                b'%' => {
                    for _ in 0..2 {
                        if !matches!(self.bump()?, b'0'..=b'9' | b'a'..=b'f') {
                            return None;
                        }
                    }
                }
                b'"' => return Some(BareItem::DisplayString),
                0x20..=0x7e => {}
                _ => return None,
            }
        }
    }
}

fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders parsed members back in canonical form, so that the tables below stay readable.
    fn render_bare(bare: &BareItem) -> String {
        match bare {
            BareItem::Integer(number) => number.to_string(),
            BareItem::Decimal => "<decimal>".to_owned(),
            BareItem::String(text) => {
                format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
            }
            BareItem::Token(text) => text.clone(),
            BareItem::ByteSequence => "<bytes>".to_owned(),
            BareItem::Boolean(value) => format!("?{}", u8::from(*value)),
            BareItem::Date(seconds) => format!("@{seconds}"),
            BareItem::DisplayString => "<display>".to_owned(),
        }
    }

    fn render_params(params: &Parameters) -> String {
        params
            .iter()
            .map(|(key, value)| format!(";{key}={}", render_bare(value)))
            .collect()
    }

    fn render_item(item: &Item) -> String {
        format!("{}{}", render_bare(&item.bare), render_params(&item.params))
    }

    fn render_member(member: &Member) -> String {
        match member {
            Member::Item(item) => render_item(item),
            Member::InnerList(items, params) => {
                let inner: Vec<String> = items.iter().map(render_item).collect();
                format!("({}){}", inner.join(" "), render_params(params))
            }
        }
    }

    fn check_list(input: &str, expected: Option<&str>) {
        let got = parse_list(input.as_bytes()).map(|members| {
            members
                .iter()
                .map(render_member)
                .collect::<Vec<_>>()
                .join(", ")
        });
        assert_eq!(got.as_deref(), expected, "list input {input:?}");
    }

    fn check_dictionary(input: &str, expected: Option<&str>) {
        let got = parse_dictionary(input.as_bytes()).map(|members| {
            members
                .iter()
                .map(|(key, member)| format!("{key}={}", render_member(member)))
                .collect::<Vec<_>>()
                .join(", ")
        });
        assert_eq!(got.as_deref(), expected, "dictionary input {input:?}");
    }

    #[test]
    fn lists() {
        let trials: &[(&str, Option<&str>)] = &[
            ("", Some("")),
            ("   ", Some("")),
            ("100", Some("100")),
            ("100;w=10", Some("100;w=10")),
            ("100, 100;w=10", Some("100, 100;w=10")),
            (
                r#""burst";q=100;w=60,"daily";q=1000;w=86400"#,
                Some(r#""burst";q=100;w=60, "daily";q=1000;w=86400"#),
            ),
            (
                "\"burst\"; q=100;\tw=60",
                None, // Only SP may follow a parameter's semicolon.
            ),
            (
                r#""100-in-1min"; q=100; w=60; pk=:ZGVmYXVsdA==:"#,
                Some(r#""100-in-1min";q=100;w=60;pk=<bytes>"#),
            ),
            ("burst;r=50;t=30", Some("burst;r=50;t=30")),
            ("*foo/bar:baz", Some("*foo/bar:baz")),
            (r#""a\"b\\c";r=1"#, Some(r#""a\"b\\c";r=1"#)),
            ("a;flag", Some("a;flag=?1")),
            ("a;r=1;r=2", Some("a;r=1;r=2")),
            ("-5", Some("-5")),
            (
                "1.5, 1.125, 123456789012.1",
                Some("<decimal>, <decimal>, <decimal>"),
            ),
            ("999999999999999", Some("999999999999999")),
            (
                "?0, ?1, @1700000000, %\"caf%c3%a9\"",
                Some("?0, ?1, @1700000000, <display>"),
            ),
            ("(a b);p=1, c", Some("(a b);p=1, c")),
            ("()", Some("()")),
            // Failures: the whole field is rejected.
            ("1000000000000000", None),
            ("1234567890123.1", None),
            ("1.1234", None),
            ("1.", None),
            ("-", None),
            ("--1", None),
            ("a,", None),
            (",a", None),
            ("a,,b", None),
            ("a b", None),
            ("a;R=1", None),
            ("a;=1", None),
            ("a;r=", None),
            ("\"open", None),
            ("\"bad\\escape\"", None),
            ("\"tab\tinside\"", None),
            (":not base64!:", None),
            (":open", None),
            ("?2", None),
            ("@1.5", None),
            ("%\"bad%C3\"", None),
            ("(a b", None),
            ("(a,b)", None),
            ("limit=100", None),
            ("é", None),
        ];
        for (input, expected) in trials {
            check_list(input, *expected);
        }
        assert_eq!(parse_list(b"\xff\xfe"), None);
    }

    #[test]
    fn dictionaries() {
        let trials: &[(&str, Option<&str>)] = &[
            (
                "limit=100, remaining=50, reset=5",
                Some("limit=100, remaining=50, reset=5"),
            ),
            ("burst;r=50", Some("burst=?1;r=50")),
            ("a=(1 2), b=?0", Some("a=(1 2), b=?0")),
            ("a=1, a=2", Some("a=1, a=2")),
            (r#""burst";r=50"#, None),
            ("Limit=100", None),
            ("limit=100,", None),
            ("limit==100", None),
        ];
        for (input, expected) in trials {
            check_dictionary(input, *expected);
        }
    }

    #[test]
    fn item_helpers() {
        let members = parse_list(br#""p";r=-1;t=5;t=7;q=1.5, tok"#).unwrap();
        let Member::Item(first) = &members[0] else {
            panic!("expected an item")
        };
        assert_eq!(first.bare.name(), Some("p"));
        assert_eq!(first.param("r").and_then(BareItem::non_negative), None);
        assert_eq!(first.param("t").and_then(BareItem::non_negative), Some(7));
        assert_eq!(first.param("q").and_then(BareItem::non_negative), None);
        assert_eq!(first.param("w"), None);
        let Member::Item(second) = &members[1] else {
            panic!("expected an item")
        };
        assert_eq!(second.bare.name(), Some("tok"));
        assert_eq!(BareItem::Integer(3).name(), None);
    }
}
