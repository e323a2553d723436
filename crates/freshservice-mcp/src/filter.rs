//! Which tools a server exposes: method and tag filters.

use freshservice_schema::{Operation, OperationKind};

use crate::Error;

/// One `--methods` value.
///
/// `read` is every GET operation and `write` every other one; the rest select one kind of
/// operation, with `custom` covering actions such as restore or move-workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MethodFilter {
    /// Every operation that only reads (HTTP GET).
    Read,
    /// Every operation that changes something.
    Write,
    /// List and filter operations.
    List,
    /// Single-object reads.
    Get,
    /// Creates.
    Create,
    /// Updates.
    Update,
    /// Deletes.
    Delete,
    /// Other actions.
    Custom,
}

impl MethodFilter {
    /// Whether `operation` passes this filter.
    pub fn matches(self, operation: &Operation) -> bool {
        match self {
            Self::Read => operation.is_read_only(),
            Self::Write => !operation.is_read_only(),
            Self::List => operation.kind == OperationKind::List,
            Self::Get => operation.kind == OperationKind::Get,
            Self::Create => operation.kind == OperationKind::Create,
            Self::Update => operation.kind == OperationKind::Update,
            Self::Delete => operation.kind == OperationKind::Delete,
            Self::Custom => operation.kind == OperationKind::Custom,
        }
    }
}

impl std::str::FromStr for MethodFilter {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self, Error> {
        Ok(match value.trim().to_ascii_lowercase().as_str() {
            "read" => Self::Read,
            "write" => Self::Write,
            "list" => Self::List,
            "get" => Self::Get,
            "create" => Self::Create,
            "update" => Self::Update,
            "delete" => Self::Delete,
            "custom" => Self::Custom,
            _ => {
                return Err(Error::UnknownMethodFilter {
                    value: value.to_owned(),
                });
            }
        })
    }
}

/// The method and tag filters of one server. Empty lists mean "no restriction".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ToolFilter {
    /// Allowed methods; an operation passes when it matches any of them.
    pub methods: Vec<MethodFilter>,
    /// Allowed module tags, e.g. `changes`, `assets`.
    pub tags: Vec<String>,
}

impl ToolFilter {
    /// No restriction.
    pub fn all() -> Self {
        Self::default()
    }

    /// Parses comma-separated `--methods` and `--tags` values; empty strings mean no restriction.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownMethodFilter`] for a method value we do not know. Tags are checked against
    /// the catalogue when the service is built.
    pub fn parse(methods: &str, tags: &str) -> Result<Self, Error> {
        let methods = split_list(methods)
            .map(str::parse)
            .collect::<Result<Vec<MethodFilter>, Error>>()?;
        let tags = split_list(tags).map(str::to_ascii_lowercase).collect();
        Ok(Self { methods, tags })
    }

    /// With these methods allowed.
    pub fn with_methods(mut self, methods: Vec<MethodFilter>) -> Self {
        self.methods = methods;
        self
    }

    /// With these tags allowed.
    pub fn with_tags(mut self, tags: Vec<String>) -> Self {
        self.tags = tags;
        self
    }

    /// Whether `operation` passes both filters.
    pub fn allows(&self, operation: &Operation) -> bool {
        let method_ok =
            self.methods.is_empty() || self.methods.iter().any(|method| method.matches(operation));
        let tag_ok = self.tags.is_empty() || self.tags.contains(&operation.tag);
        method_ok && tag_ok
    }
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_trials() {
        let filter = ToolFilter::parse("read, Create", "changes,assets").unwrap();
        assert_eq!(
            filter.methods,
            vec![MethodFilter::Read, MethodFilter::Create]
        );
        assert_eq!(filter.tags, vec!["changes", "assets"]);
        assert_eq!(ToolFilter::parse("", "").unwrap(), ToolFilter::all());
        let error = ToolFilter::parse("read,erase", "").unwrap_err();
        assert!(error.to_string().contains("\"erase\""), "{error}");
    }

    #[test]
    fn filters_select_by_kind_and_tag() {
        let catalog = freshservice_schema::catalog();
        let reads = ToolFilter::parse("read", "").unwrap();
        let writes = ToolFilter::parse("write", "").unwrap();
        for operation in catalog.operations() {
            assert_ne!(
                reads.allows(operation),
                writes.allows(operation),
                "{}",
                operation.name
            );
        }
        let changes = ToolFilter::parse("", "changes").unwrap();
        assert!(
            catalog
                .operations()
                .iter()
                .filter(|op| changes.allows(op))
                .all(|op| op.tag == "changes")
        );
        assert!(catalog.operations().iter().any(|op| changes.allows(op)));
    }
}
