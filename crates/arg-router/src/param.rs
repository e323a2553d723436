//! Parameter descriptions: where each argument goes on the wire and under which name.

/// Where an argument is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamLocation {
    /// Substituted into a `{placeholder}` of the path template, as one percent-encoded segment.
    Path,
    /// Sent as a query-string pair.
    Query,
    /// Sent as a member of the JSON request body.
    Body,
}

/// How a query value is written.
///
/// [`QueryStyle::DoubleQuoted`] wraps the value in double quotes, after stripping one pair of
/// surrounding double quotes the caller may already have added, for APIs whose query language
/// wants `query="..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum QueryStyle {
    /// The value is sent as rendered.
    #[default]
    Plain,
    /// The value is sent as `"value"`; a value that already has surrounding quotes keeps one pair.
    DoubleQuoted,
}

impl QueryStyle {
    pub(crate) fn apply(self, value: String) -> String {
        match self {
            Self::Plain => value,
            Self::DoubleQuoted => {
                let inner = value
                    .strip_prefix('"')
                    .and_then(|rest| rest.strip_suffix('"'))
                    .unwrap_or(&value);
                format!("\"{inner}\"")
            }
        }
    }
}

/// One argument of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamSpec {
    /// The argument name, as it appears in the argument object and the input schema.
    pub name: String,
    /// The name on the wire: the `{placeholder}` for path parameters, the query key, or the body member.
    pub wire_name: String,
    /// Where the argument is sent.
    pub location: ParamLocation,
    /// How the value is written when `location` is [`ParamLocation::Query`]; ignored elsewhere.
    pub query_style: QueryStyle,
}

impl ParamSpec {
    fn new(name: impl Into<String>, location: ParamLocation) -> Self {
        let name = name.into();
        Self {
            wire_name: name.clone(),
            name,
            location,
            query_style: QueryStyle::Plain,
        }
    }

    /// A path parameter whose placeholder is `{name}`.
    pub fn path(name: impl Into<String>) -> Self {
        Self::new(name, ParamLocation::Path)
    }

    /// A query parameter sent under its own name.
    pub fn query(name: impl Into<String>) -> Self {
        Self::new(name, ParamLocation::Query)
    }

    /// A body member sent under its own name.
    pub fn body(name: impl Into<String>) -> Self {
        Self::new(name, ParamLocation::Body)
    }

    /// Sends the argument under `wire` instead of its argument name.
    #[must_use]
    pub fn with_wire_name(mut self, wire: impl Into<String>) -> Self {
        self.wire_name = wire.into();
        self
    }

    /// Sets how a query value is written.
    #[must_use]
    pub fn with_query_style(mut self, style: QueryStyle) -> Self {
        self.query_style = style;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_quoted_strips_one_pair_only() {
        fn check(style: QueryStyle, input: &str, expected: &str) {
            assert_eq!(style.apply(input.to_owned()), expected, "input {input:?}");
        }
        check(QueryStyle::Plain, "a b", "a b");
        check(QueryStyle::Plain, "\"a\"", "\"a\"");
        check(QueryStyle::DoubleQuoted, "priority:3", "\"priority:3\"");
        check(QueryStyle::DoubleQuoted, "\"priority:3\"", "\"priority:3\"");
        check(QueryStyle::DoubleQuoted, "\"\"x\"\"", "\"\"x\"\"");
        check(QueryStyle::DoubleQuoted, "\"", "\"\"\"");
        check(QueryStyle::DoubleQuoted, "\"\"", "\"\"");
        check(QueryStyle::DoubleQuoted, "", "\"\"");
        check(QueryStyle::DoubleQuoted, "\"open", "\"\"open\"");
    }

    #[test]
    fn constructors_default_wire_name_to_name() {
        let spec = ParamSpec::query("q")
            .with_wire_name("query")
            .with_query_style(QueryStyle::DoubleQuoted);
        assert_eq!(spec.name, "q");
        assert_eq!(spec.wire_name, "query");
        assert_eq!(spec.location, ParamLocation::Query);
        assert_eq!(ParamSpec::path("id").wire_name, "id");
        assert_eq!(ParamSpec::body("b").location, ParamLocation::Body);
        assert_eq!(ParamSpec::body("b").query_style, QueryStyle::Plain);
    }
}
