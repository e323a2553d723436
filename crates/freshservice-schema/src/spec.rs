//! The on-disk shape of `data/*.json`: plain serde structs whose field order is the canonical key order.
//!
//! These types are the wire format of the catalogue files, so they are strict (`deny_unknown_fields`)
//! and every optional key is skipped when empty, which keeps re-serialisation byte-stable.

use serde::{Deserialize, Serialize};

/// One data file. Every section is optional so shared definitions and operations can live in any file;
/// by convention `enums.json` holds coded enums, `common.json` shared parameters, and one file per tag holds operations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct FileSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tag: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) enums: Vec<EnumSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) params: Vec<FieldSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) operations: Vec<OperationSpec>,
}

/// A coded enum: integer codes with human labels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct EnumSpec {
    pub(crate) name: String,
    pub(crate) description: String,
    /// The tool that lists an account's own codes, for enums an account can extend (ticket status and
    /// source); such an enum is an open integer in the schemas, its documented codes named in the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) extensible_via: Option<String>,
    pub(crate) codes: Vec<CodeSpec>,
}

/// One code of a coded enum.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct CodeSpec {
    pub(crate) code: i64,
    pub(crate) label: String,
}

/// One endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct OperationSpec {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) kind: KindSpec,
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) oauth_scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) doc_section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) params: Vec<FieldSpec>,
}

/// The operation kind as spelled in the data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KindSpec {
    List,
    Get,
    Create,
    Update,
    Delete,
    Custom,
}

/// Where a parameter goes, as spelled in the data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum InSpec {
    Path,
    Query,
    Body,
}

/// A parameter, a shared parameter definition, or a nested object property / array item.
///
/// One struct serves all three positions so the files have a single field vocabulary;
/// the loader rejects keys that make no sense in a given position (e.g. `in` on a nested property).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) struct FieldSpec {
    /// Key of a shared definition (only in a `params` section of a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    /// Use the shared definition with this id instead of defining the field here.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<InSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) required: Option<bool>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub(crate) quoted: bool,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub(crate) value_type: Option<String>,
    /// `true` when `null` is also accepted (Freshservice reads it as "clear this field").
    #[serde(default, skip_serializing_if = "is_false")]
    pub(crate) nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) format: Option<String>,
    /// Name of a coded enum from `enums.json`; implies `"type": "integer"`.
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub(crate) coded_enum: Option<String>,
    /// Allowed string values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) minimum: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) maximum: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) min_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) items: Option<Box<FieldSpec>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) properties: Vec<FieldSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) additional_properties: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl FileSpec {
    /// Sort every named list so that the file has exactly one canonical form.
    /// Parameter lists inside operations keep their declaration order: it is meaningful.
    pub(crate) fn sort_canonically(&mut self) {
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        for coded in &mut self.enums {
            coded.codes.sort_by_key(|code| code.code);
        }
        self.params.sort_by(|a, b| a.id.cmp(&b.id));
        self.operations.sort_by(|a, b| a.name.cmp(&b.name));
    }
}
