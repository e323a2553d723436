//! The one canonical text form of a data file, shared by the format test and the catalogue tooling.

use crate::{error::Error, spec::FileSpec};

/// Re-serialise a data file canonically: 2-space JSON, keys in the fixed catalogue order, enums, shared
/// parameters and operations sorted by name, empty optional keys dropped, and a final newline.
///
/// Parameter lists keep their declaration order, because it is the order tools show their arguments in.
/// A file is canonical when `canonical_json(name, text)? == text`.
///
/// # Errors
///
/// Returns [`Error::Parse`] when `text` is not a catalogue data file (unknown keys are errors too).
///
/// # Examples
///
/// ```
/// let messy = r#"{"enums":[{"name":"b","description":"B","codes":[{"code":2,"label":"Two"},{"code":1,"label":"One"}]},
///                {"name":"a","description":"A","codes":[{"label":"Zero","code":0}]}]}"#;
/// let canonical = freshservice_schema::canonical_json("enums.json", messy).unwrap();
/// assert!(canonical.starts_with("{\n  \"enums\": [\n    {\n      \"name\": \"a\""));
/// assert_eq!(freshservice_schema::canonical_json("enums.json", &canonical).unwrap(), canonical);
/// ```
pub fn canonical_json(file_name: &str, text: &str) -> Result<String, Error> {
    let mut spec: FileSpec = serde_json::from_str(text).map_err(|source| Error::Parse {
        file: file_name.to_owned(),
        source,
    })?;
    spec.sort_canonically();
    // Serialising plain structs of strings, integers and vectors cannot fail; map the impossible error anyway
    // rather than panic.
    let mut out = serde_json::to_string_pretty(&spec).map_err(|source| Error::Parse {
        file: file_name.to_owned(),
        source,
    })?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        let actual = canonical_json("test.json", input).unwrap();
        assert_eq!(actual, expect);
        assert_eq!(
            canonical_json("test.json", &actual).unwrap(),
            actual,
            "canonical form must be a fixed point"
        );
    }

    #[test]
    fn sorts_entries_and_orders_keys() {
        check(
            r#"{"operations":[{"params":[{"description":"Z","type":"string","in":"query","name":"z"},{"name":"a","in":"query","type":"string","description":"A"}],"path":"/api/v2/b","method":"GET","kind":"list","description":"B.","title":"B","name":"b"},
               {"name":"a","title":"A","description":"A.","kind":"get","method":"GET","path":"/api/v2/a"}],"tag":"t"}"#,
            r#"{
  "tag": "t",
  "operations": [
    {
      "name": "a",
      "title": "A",
      "description": "A.",
      "kind": "get",
      "method": "GET",
      "path": "/api/v2/a"
    },
    {
      "name": "b",
      "title": "B",
      "description": "B.",
      "kind": "list",
      "method": "GET",
      "path": "/api/v2/b",
      "params": [
        {
          "name": "z",
          "in": "query",
          "type": "string",
          "description": "Z"
        },
        {
          "name": "a",
          "in": "query",
          "type": "string",
          "description": "A"
        }
      ]
    }
  ]
}
"#,
        );
    }

    #[test]
    fn drops_default_flags() {
        check(
            r#"{"params":[{"id":"p","name":"p","in":"query","quoted":false,"type":"integer","description":"P"}]}"#,
            "{\n  \"params\": [\n    {\n      \"id\": \"p\",\n      \"name\": \"p\",\n      \"in\": \"query\",\n      \"type\": \"integer\",\n      \"description\": \"P\"\n    }\n  ]\n}\n",
        );
    }

    #[test]
    fn rejects_unknown_keys() {
        let error = canonical_json("x.json", r#"{"operations": [], "colour": 1}"#).unwrap_err();
        assert!(error.to_string().contains("x.json"), "{error}");
        assert!(error.to_string().contains("colour"), "{error}");
    }
}
