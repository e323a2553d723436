//! The hand-maintained list of embedded data files: one `include_str!` line per file in `data/`.
//!
//! Adding a data file means adding a line here; a test fails if a file in `data/` is missing from this list.

/// `(file name, file text)` for every catalogue data file, in file-name order.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    ("assets.json", include_str!("../data/assets.json")),
    ("changes.json", include_str!("../data/changes.json")),
    ("common.json", include_str!("../data/common.json")),
    ("enums.json", include_str!("../data/enums.json")),
    ("onboarding.json", include_str!("../data/onboarding.json")),
    ("projects.json", include_str!("../data/projects.json")),
    ("tickets.json", include_str!("../data/tickets.json")),
];
