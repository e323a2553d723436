//! How a server offers its tools: every schema, a core set plus the discovery meta-tools, the
//! meta-tools alone, or the cheapest of these that still gives the model every schema it is
//! likely to need (`auto`).
//!
//! The byte costs behind the choices are measured by `cargo xtask catalog report` and
//! documented in the crate README.

use crate::registry::View;

/// How a server offers its tools.
///
/// Every mode reaches every tool the server's filters allow: `core` and `discovery` list the
/// three meta-tools (search, describe, call) that reach the tools they do not list, and a tool
/// that is not listed can still be called by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolExposure {
    /// Every allowed tool is listed with its full schema.
    All,
    /// The tools most work needs ([`CORE_TOOLS`]) with their full schemas, plus the three
    /// meta-tools that reach every other allowed tool.
    Core,
    /// Only the three meta-tools that search, describe and call the allowed tools.
    Discovery,
    /// [`All`](Self::All) when the allowed tools' schemas fit in [`AUTO_ALL_MAX_BYTES`],
    /// [`Core`](Self::Core) otherwise. The default.
    #[default]
    Auto,
}

impl ToolExposure {
    /// The mode's name as the command line and the provisioning API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Core => "core",
            Self::Discovery => "discovery",
            Self::Auto => "auto",
        }
    }
}

impl std::fmt::Display for ToolExposure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ToolExposure {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(Self::All),
            "core" => Ok(Self::Core),
            "discovery" => Ok(Self::Discovery),
            "auto" => Ok(Self::Auto),
            other => Err(format!(
                "unknown tool exposure {other:?}: use all, core, discovery or auto"
            )),
        }
    }
}

/// The largest `tools/list` (the allowed tools' definitions as JSON, in bytes) that `auto` lists
/// in full; above it, `auto` lists the core set.
///
/// 32 KiB (about 8,000 tokens) is what the core listing (about 24 KB) plus two searches (4 to 6 KB
/// each) cost: a filtered server whose whole listing is no bigger gives the model every schema
/// for no more than core would cost once it looks for a tool, and spares it those round trips.
/// One module's tools (`--tags changes`, 27 KB) fit; the whole catalogue (287 KB) does not.
pub const AUTO_ALL_MAX_BYTES: usize = 32 * 1024;

/// The tools the `core` exposure lists with full schemas: the nine names the managed
/// Freshservice servers made familiar (changes, projects and project tasks, assets, onboarding,
/// ticket and change filters) and the everyday work on tickets (find, read, raise, update, note),
/// changes (read, update), problems and assets (find, read).
///
/// The set is chosen so that a whole CAB preparation in `core` mode (listing included) costs
/// fewer bytes than the smallest peer's `tools/list` alone; `cargo xtask bench agent` measures
/// it. Every other allowed tool, including problem and asset writes, is one
/// `search_freshservice_tools` away, and the best hits carry their required arguments.
pub const CORE_TOOLS: &[&str] = &[
    // Tickets (incidents and service requests).
    "freshservice_tickets_filter",
    "get_single_freshservice_ticket_by_id",
    "create_a_freshservice_ticket",
    "update_a_freshservice_ticket_by_id",
    "create_a_freshservice_ticket_note",
    // Changes.
    "freshservice_changes_filter",
    "list_all_freshservice_changes",
    "get_single_freshservice_change_by_id",
    "update_a_freshservice_change_by_id",
    // Problems.
    "list_all_freshservice_problems",
    "get_single_freshservice_problem_by_id",
    // Assets.
    "list_all_freshservice_assets",
    "get_single_freshservice_asset_by_id",
    // Projects and onboarding.
    "list_all_freshservice_projects",
    "create_a_freshservice_project_task",
    "create_a_freshservice_onboarding_request",
];

/// What a server lists once `auto` is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    /// Every allowed tool.
    All,
    /// The allowed core tools and the meta-tools.
    Core,
    /// The meta-tools only.
    Discovery,
}

impl Listing {
    /// Decides `auto` from the bytes of the allowed tools' definitions.
    pub(crate) fn for_view(exposure: ToolExposure, view: &View) -> Self {
        match exposure {
            ToolExposure::All => Self::All,
            ToolExposure::Core => Self::Core,
            ToolExposure::Discovery => Self::Discovery,
            ToolExposure::Auto => {
                if listing_fits(view, AUTO_ALL_MAX_BYTES) {
                    Self::All
                } else {
                    Self::Core
                }
            }
        }
    }

    /// The mode this listing stands for, as reported to embedders.
    pub(crate) fn exposure(self) -> ToolExposure {
        match self {
            Self::All => ToolExposure::All,
            Self::Core => ToolExposure::Core,
            Self::Discovery => ToolExposure::Discovery,
        }
    }

    /// Whether the meta-tools are listed (and answer).
    pub(crate) fn has_meta_tools(self) -> bool {
        self != Self::All
    }
}

/// Whether the view's tool definitions, written as `tools/list` writes them, take at most
/// `budget` bytes. Stops measuring as soon as the budget is spent, so deciding `auto` for the
/// whole catalogue costs a few dozen tools' worth of serialisation, not 442.
fn listing_fits(view: &View, budget: usize) -> bool {
    let mut counter = ByteCounter(0);
    for exposed in view.tools() {
        // Writing into a counter cannot fail; a definition that cannot be written (it cannot
        // happen for the catalogue) counts as too big.
        if serde_json::to_writer(&mut counter, exposed.tool.as_ref()).is_err() {
            return false;
        }
        counter.0 += 1; // the comma between definitions
        if counter.0 > budget {
            return false;
        }
    }
    true
}

/// An `io::Write` that only counts.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ToolFilter;
    use crate::registry::{WorkspaceRule, compiled};

    fn view(methods: &str, tags: &str) -> View {
        View::build(
            compiled().unwrap(),
            freshservice_schema::catalog(),
            &ToolFilter::parse(methods, tags).unwrap(),
            &WorkspaceRule::Free,
            None,
        )
        .unwrap()
    }

    #[test]
    fn every_core_tool_is_in_the_catalogue_once() {
        let catalog = freshservice_schema::catalog();
        for (index, name) in CORE_TOOLS.iter().enumerate() {
            assert!(
                catalog.get(name).is_some(),
                "{name} is not in the catalogue"
            );
            assert!(!CORE_TOOLS[..index].contains(name), "{name} twice");
        }
    }

    #[test]
    fn exposure_names_round_trip() {
        for exposure in [
            ToolExposure::All,
            ToolExposure::Core,
            ToolExposure::Discovery,
            ToolExposure::Auto,
        ] {
            assert_eq!(exposure.as_str().parse::<ToolExposure>(), Ok(exposure));
        }
        assert_eq!(" Core ".parse::<ToolExposure>(), Ok(ToolExposure::Core));
        let error = "everything".parse::<ToolExposure>().unwrap_err();
        assert!(error.contains("all, core, discovery or auto"), "{error}");
    }

    #[test]
    fn auto_lists_everything_only_when_it_is_small() {
        let trials = [
            ("", "", Listing::Core),
            ("read", "changes", Listing::All),
            ("", "changes,tickets", Listing::Core),
            ("read", "", Listing::Core),
            ("", "roles", Listing::All),
        ];
        for (methods, tags, expected) in trials {
            assert_eq!(
                Listing::for_view(ToolExposure::Auto, &view(methods, tags)),
                expected,
                "--methods {methods:?} --tags {tags:?}"
            );
        }
    }

    #[test]
    fn the_byte_count_is_the_serialised_size() {
        let view = view("read", "roles");
        let exact: usize = view
            .tools()
            .iter()
            .map(|exposed| serde_json::to_string(exposed.tool.as_ref()).unwrap().len() + 1)
            .sum();
        assert!(listing_fits(&view, exact));
        assert!(!listing_fits(&view, exact - 1));
    }
}
