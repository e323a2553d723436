//! Reading the documentation records: one record per scraped section, one cell or code token per line.
//!
//! This module only extracts facts: method and path lines, attribute tables (name, type, flags), OAuth scopes,
//! sample curl requests and sample responses. Prose is kept only as lowercase text to look for parameter names
//! in, never copied out.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

/// One scraped documentation section.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// Heading with the product tags removed.
    pub(crate) title: String,
    /// Whether the heading carried product tags, which marks a top-level heading in the scrape.
    pub(crate) tagged: bool,
    /// Trimmed, non-empty lines.
    pub(crate) lines: Vec<String>,
}

pub(crate) fn load(path: &Path) -> Result<Vec<Record>> {
    let text = crate::read(path)?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let items = value
        .as_array()
        .with_context(|| format!("{} is not a JSON array", path.display()))?;
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        let title = item["title"].as_str().unwrap_or_default();
        let content = item["content"].as_str().unwrap_or_default();
        let (title, tagged) = strip_product_tags(title);
        records.push(Record {
            title,
            tagged,
            lines: content
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    Ok(records)
}

fn strip_product_tags(title: &str) -> (String, bool) {
    let mut rest = title.trim();
    let mut tagged = false;
    loop {
        let before = rest;
        for tag in ["Freshservice for MSPs", "Freshservice"] {
            if let Some(stripped) = rest.strip_suffix(tag)
                && (stripped.is_empty() || stripped.ends_with(' '))
            {
                rest = stripped.trim_end();
                tagged = true;
            }
        }
        if before == rest {
            break;
        }
    }
    (rest.to_owned(), tagged)
}

pub(crate) const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

impl Record {
    /// `(line index, method, raw path)` for every lower-case method line followed by an API path line.
    pub(crate) fn endpoints(&self) -> Vec<(usize, String, String)> {
        let mut found = Vec::new();
        for (index, pair) in self.lines.windows(2).enumerate() {
            if METHODS.contains(&pair[0].as_str()) && pair[1].contains("api/v2") {
                found.push((index, pair[0].to_uppercase(), pair[1].clone()));
            }
        }
        found
    }

    /// The OAuth scope lines (first scope of each), in order.
    pub(crate) fn scopes(&self) -> Vec<String> {
        self.lines
            .windows(2)
            .filter(|pair| pair[0] == "OAuth 2.0 Scope")
            .filter_map(|pair| pair[1].split_whitespace().next().map(str::to_owned))
            .filter(|scope| scope.starts_with("freshservice."))
            .collect()
    }

    /// The attribute tables of this record.
    pub(crate) fn tables(&self) -> Vec<Table> {
        tables(&self.lines)
    }

    /// JSON bodies shown in `Request` blocks (outside any curl command), when they parse.
    pub(crate) fn requests(&self) -> Vec<Value> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, line)| *line == "Request")
            .filter_map(|(index, _)| response_block(&self.lines, index + 1))
            .collect()
    }

    /// Sample curl requests with the response that follows each, in order.
    pub(crate) fn samples(&self) -> Vec<Sample> {
        samples(&self.lines)
    }
}

/// One attribute table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// The first header cell (`Attribute`, `Field`, `Parameters`, ...).
    pub(crate) header: String,
    pub(crate) rows: Vec<Row>,
}

/// One attribute row: facts only.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) name: String,
    /// Lower-cased type cell, e.g. `string`, `array of numbers`, `datetime`.
    pub(crate) value_type: String,
    pub(crate) mandatory: bool,
    /// Marked with `*` (one of several alternatives is mandatory).
    pub(crate) starred: bool,
    pub(crate) read_only: bool,
    pub(crate) unsupported: bool,
    /// Integer codes listed in the description as `1 (Label)` or `1-Label`, with their labels.
    pub(crate) codes: Vec<(i64, String)>,
    /// Words listed after "Possible values:" in the description, when they look like plain values.
    pub(crate) values: Vec<String>,
}

/// A field name cell: snake_case starting with a lower-case letter (capitalised cells are labels such as
/// `Name` in prose tables, and flag words like `Mandatory` are never names).
fn is_identifier(line: &str) -> bool {
    let mut chars = line.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && !matches!(line, "mandatory" | "required" | "optional")
        && line
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
        && line.len() <= 80
}

/// Whether a cell is a type cell; returns the normalised type.
pub(crate) fn type_cell(line: &str) -> Option<String> {
    let lower = line.to_lowercase();
    let lower = lower.trim();
    let first = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .next()
        .unwrap_or("");
    let known = [
        "string",
        "number",
        "integer",
        "int",
        "boolean",
        "bool",
        "datetime",
        "date",
        "date-time",
        "timestamp",
        "array",
        "hash",
        "dictionary",
        "object",
        "json",
        "float",
        "decimal",
        "text",
        "email",
        "url",
        "time",
    ];
    (known.contains(&first) && lower.len() <= 40).then(|| lower.to_owned())
}

fn tables(lines: &[String]) -> Vec<Table> {
    let mut found = Vec::new();
    let mut index = 0;
    while index + 2 < lines.len() {
        if lines[index + 1] == "Type" && lines[index + 2] == "Description" {
            let header = lines[index].clone();
            let mut cursor = index + 3;
            if lines
                .get(cursor)
                .is_some_and(|line| line.starts_with("Supported product"))
            {
                cursor += 1;
            }
            let (table, end) = table_rows(header, lines, cursor);
            found.push(table);
            index = end;
        } else {
            index += 1;
        }
    }
    found
}

/// Parse rows from `start` until the table clearly ends; returns the table and the index after it.
fn table_rows(header: String, lines: &[String], start: usize) -> (Table, usize) {
    let mut table = Table {
        header,
        rows: Vec::new(),
    };
    let mut cursor = start;
    let mut description: Vec<&str> = Vec::new();
    // A `*` line outside a row starts a legend; `* Mandatory attribute` makes starred rows mandatory.
    let mut legend = false;
    let mut star_means_mandatory = false;
    let ends = |line: &str| {
        METHODS.contains(&line)
            || line.starts_with("Sample code")
            || line == "OAuth 2.0 Scope"
            || line == "Response"
    };
    while cursor < lines.len() {
        let line = lines[cursor].as_str();
        if ends(line) {
            break;
        }
        if cursor + 2 < lines.len()
            && lines[cursor + 1] == "Type"
            && lines[cursor + 2] == "Description"
        {
            break;
        }
        // A row starts with a name, an optional `*` line, then a type cell.
        let starred = lines.get(cursor + 1).is_some_and(|next| next == "*");
        let type_at = if starred { cursor + 2 } else { cursor + 1 };
        let type_line = lines.get(type_at).and_then(|next| type_cell(next));
        if is_identifier(line)
            && let Some(value_type) = type_line
        {
            finish_row(&mut table, &description);
            description.clear();
            legend = false;
            table.rows.push(Row {
                name: line.trim_end_matches("[]").to_owned(),
                value_type,
                mandatory: false,
                starred,
                read_only: false,
                unsupported: false,
                codes: Vec::new(),
                values: Vec::new(),
            });
            cursor = type_at + 1;
            continue;
        }
        if line == "*" && !table.rows.is_empty() {
            legend = true;
            star_means_mandatory |= lines
                .get(cursor + 1)
                .is_some_and(|next| next.to_lowercase().starts_with("mandatory"));
        }
        if !table.rows.is_empty() && !legend {
            description.push(line);
        }
        cursor += 1;
    }
    finish_row(&mut table, &description);
    if star_means_mandatory {
        for row in &mut table.rows {
            if row.starred {
                row.mandatory = true;
                row.starred = false;
            }
        }
    }
    (table, cursor)
}

/// Read the flags out of a finished row's description lines.
fn finish_row(table: &mut Table, description: &[&str]) {
    let Some(row) = table.rows.last_mut() else {
        return;
    };
    for line in description {
        let lower = line.to_lowercase();
        let lower = lower.trim_end_matches('.');
        match lower {
            "mandatory" | "required" | "(mandatory)" | "mandatory field" => row.mandatory = true,
            "read-only" | "read only" | "readonly" | "(read-only)" => row.read_only = true,
            "unsupported" => row.unsupported = true,
            _ => {}
        }
        if lower.contains("read-only") || lower.contains("read only") {
            row.read_only = true;
        }
        if lower.starts_with("mandatory") {
            row.mandatory = true;
        }
    }
    row.codes = codes_in(description);
    row.values = possible_values(description);
}

/// Codes written as `1 (Beginner)`, `1-Open, 2-In Progress`, or `Label` / `1` pairs are left alone:
/// only the two inline forms are read.
fn codes_in(description: &[&str]) -> Vec<(i64, String)> {
    let text = description.join("\n");
    let mut codes = Vec::new();
    for piece in text.split([',', '\n']) {
        let piece = piece.trim();
        let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 4 {
            continue;
        }
        let rest = piece[digits.len()..].trim_start();
        let label = if let Some(inner) = rest.strip_prefix('(') {
            inner.split(')').next().unwrap_or("")
        } else if let Some(after) = rest.strip_prefix('-') {
            after
        } else {
            continue;
        };
        let label = label.trim().trim_end_matches('.');
        if label.is_empty()
            || label.len() > 30
            || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        {
            continue;
        }
        if let Ok(code) = digits.parse() {
            codes.push((code, label.to_owned()));
        }
    }
    if codes.len() < 2 { Vec::new() } else { codes }
}

fn possible_values(description: &[&str]) -> Vec<String> {
    let text = description.join(" ");
    let Some(start) = text.find("Possible values:") else {
        return Vec::new();
    };
    let rest = &text[start + "Possible values:".len()..];
    let mut values = Vec::new();
    let mut depth = 0usize;
    for token in rest.split([',', ' ']).filter(|token| !token.is_empty()) {
        // Parenthesised glosses such as `12h (12 hour format)` are skipped.
        if depth > 0 || token.starts_with('(') {
            depth += token.matches('(').count();
            depth = depth.saturating_sub(token.matches(')').count());
            continue;
        }
        let token = token.trim_end_matches('.');
        if !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            values.push(token.to_owned());
        } else {
            break;
        }
    }
    values
}

/// One sample request, as written in the record.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub(crate) curl: Curl,
    /// The parsed response JSON, when the response block parses (`None` for empty responses such as 204).
    pub(crate) response: Option<Value>,
}

/// A parsed curl command.
#[derive(Debug, Clone, Default)]
pub(crate) struct Curl {
    /// Upper-case method: `-X` when given, else POST with a body and GET without.
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) body: Option<String>,
    /// The request is a multipart upload (`-F`).
    pub(crate) multipart: bool,
}

impl Curl {
    /// The URL path (from `/api/v2`), without the query.
    pub(crate) fn path(&self) -> Option<&str> {
        let start = self.url.find("/api/v2")?;
        let rest = &self.url[start..];
        Some(rest.split(['?', '#']).next().unwrap_or(rest))
    }

    /// Raw `(key, value)` query pairs, percent-decoded.
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        let Some((_, query)) = self.url.split_once('?') else {
            return Vec::new();
        };
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect()
    }
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(hex) = text.get(index + 1..index + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            index += 3;
            continue;
        }
        if bytes[index] == b'+' {
            out.push(b' ');
        } else {
            out.push(bytes[index]);
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn samples(lines: &[String]) -> Vec<Sample> {
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if !lines[index].starts_with("curl") {
            index += 1;
            continue;
        }
        let mut tokens = Vec::new();
        let mut cursor = index;
        while cursor < lines.len()
            && lines[cursor] != "EXPAND ↓"
            && !(cursor > index
                && (lines[cursor] == "Response" || lines[cursor].starts_with("curl")))
        {
            tokens.push(lines[cursor].as_str());
            cursor += 1;
        }
        let curl = parse_curl(&tokens.join(" "));
        // The response block of this sample, if one comes before the next curl.
        let mut response = None;
        let mut look = cursor;
        while look < lines.len() && !lines[look].starts_with("curl") {
            if lines[look] == "Response" {
                response = response_block(lines, look + 1);
                break;
            }
            look += 1;
        }
        if let Some(curl) = curl {
            found.push(Sample { curl, response });
        }
        index = cursor.max(index + 1);
    }
    found
}

/// Skip the line-number gutter, then join the tokens up to `EXPAND ↓` and parse them; an `HTTP Status: 204`
/// block has no JSON.
fn response_block(lines: &[String], start: usize) -> Option<Value> {
    let mut cursor = start;
    let mut expected = 1;
    while cursor < lines.len() && lines[cursor] == expected.to_string() {
        cursor += 1;
        expected += 1;
    }
    let mut tokens = Vec::new();
    while cursor < lines.len() && lines[cursor] != "EXPAND ↓" && !lines[cursor].starts_with("curl")
    {
        tokens.push(lines[cursor].as_str());
        cursor += 1;
    }
    if tokens.first() == Some(&"HTTP") {
        return None;
    }
    serde_json::from_str(&tokens.join("")).ok()
}

/// Split a shell command line into words, honouring single and double quotes.
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            Some(_) => current.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '\\' => {
                    if let Some(next) = chars.next()
                        && next != '\n'
                    {
                        current.push(next);
                        in_word = true;
                    }
                }
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut current));
                        in_word = false;
                    }
                }
                c => {
                    current.push(c);
                    in_word = true;
                }
            },
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

fn parse_curl(command: &str) -> Option<Curl> {
    let words = shell_words(command);
    let mut curl = Curl::default();
    let mut explicit_method = None;
    let mut index = 1;
    while index < words.len() {
        let word = words[index].as_str();
        let next = words.get(index + 1).map(String::as_str);
        match word {
            "-X" | "--request" => {
                // One sample writes `-X "Content-Type: ..."`; only a real method counts.
                if let Some(method) = next
                    && METHODS.contains(&method.to_lowercase().as_str())
                {
                    explicit_method = Some(method.to_uppercase());
                }
                index += 2;
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" => {
                let mut body = next.unwrap_or_default().to_owned();
                // One sample glues the URL to the body (`'{...}''https://...'`), which the shell joins.
                if let Some(position) = body.rfind("https://")
                    && body[..position].trim_end().ends_with('}')
                {
                    curl.url = body[position..].to_owned();
                    body.truncate(position);
                }
                curl.body = (!body.trim().is_empty()).then_some(body);
                index += 2;
            }
            "-F" | "--form" => {
                curl.multipart = true;
                index += 2;
            }
            "-H" | "--header" | "-u" | "--user" => index += 2,
            _ => {
                if word.contains("api/v2") && curl.url.is_empty() {
                    curl.url = word.to_owned();
                }
                index += 1;
            }
        }
    }
    if curl.url.is_empty() {
        return None;
    }
    // Mis-decoded closing quotes (`â€™` read as Latin-1) trail some URLs.
    curl.url = curl
        .url
        .trim_end_matches(|c: char| !c.is_ascii())
        .to_owned();
    curl.method = explicit_method.unwrap_or_else(|| {
        if curl.body.is_some() || curl.multipart {
            "POST".to_owned()
        } else {
            "GET".to_owned()
        }
    });
    Some(curl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn curl_words_and_parts() {
        let curl = parse_curl(
            r#"curl -v -u api_key:X -H "Content-Type: application/json" -d '{"a": "b c"}' -X PUT 'https://domain.freshservice.com/api/v2/tickets/1?x=%22a%20b%22&y=2'"#,
        )
        .unwrap();
        assert_eq!(curl.method, "PUT");
        assert_eq!(curl.body.as_deref(), Some(r#"{"a": "b c"}"#));
        assert_eq!(curl.path(), Some("/api/v2/tickets/1"));
        assert_eq!(
            curl.query(),
            [
                ("x".to_owned(), "\"a b\"".to_owned()),
                ("y".to_owned(), "2".to_owned())
            ]
        );
        let get = parse_curl("curl -u k:X 'https://d.freshservice.com/api/v2/cabs'").unwrap();
        assert_eq!(get.method, "GET");
        let post = parse_curl("curl -F 'a=@b' 'https://d/api/v2/x'").unwrap();
        assert!(post.multipart);
        assert_eq!(post.method, "POST");
    }

    #[test]
    fn tables_read_flags_and_types() {
        let formats = &tables(&lines(
            "Attribute\nType\nDescription\ntime_format\nstring\nPossible values:\n12h (12 hour format)\n24h (24 hour format)\nstate\nstring\nPossible values: active , inactive",
        ))[0];
        assert_eq!(formats.rows[0].values, ["12h", "24h"]);
        assert_eq!(formats.rows[1].values, ["active", "inactive"]);
        let table = &tables(&lines(
            "Attribute\nType\nDescription\nname\nstring\nName of it.\nMandatory\nid\nnumber\nUnique.\nRead-Only\nphone\n*\nnumber\nOne of.\nlevel\nnumber\nPossible values:\n1 (Low)\n2 (High)\npost\n/api/v2/x",
        ))[0];
        let names: Vec<&str> = table.rows.iter().map(|row| row.name.as_str()).collect();
        assert_eq!(names, ["name", "id", "phone", "level"]);
        assert!(table.rows[0].mandatory);
        assert!(table.rows[1].read_only);
        assert!(table.rows[2].starred);
        assert_eq!(table.rows[2].value_type, "number");
        assert_eq!(
            table.rows[3].codes,
            [(1, "Low".to_owned()), (2, "High".to_owned())]
        );
    }

    #[test]
    fn responses_skip_the_gutter() {
        let found = samples(&lines(
            "curl -X GET 'https://d/api/v2/x/1'\nEXPAND ↓\nResponse\n1\n2\n3\n{\n\"a\"\n:\n1\n}\nEXPAND ↓",
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].response, Some(serde_json::json!({"a": 1})));
        let empty = samples(&lines(
            "curl -X DELETE 'https://d/api/v2/x/1'\nEXPAND ↓\nResponse\n1\nHTTP\nStatus:\n204\nNo\nContent\nEXPAND ↓",
        ));
        assert_eq!(empty[0].response, None);
    }

    #[test]
    fn product_tags_are_stripped() {
        assert_eq!(
            strip_product_tags("Create a Ticket Freshservice Freshservice for MSPs"),
            ("Create a Ticket".to_owned(), true)
        );
        assert_eq!(
            strip_product_tags("Ticket Properties"),
            ("Ticket Properties".to_owned(), false)
        );
    }
}
