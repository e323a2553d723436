//! Tool search: ranks the catalogue's operations for a request written the way people describe
//! service-desk work ("raise an incident for the broken printer", "who approved the emergency change").
//!
//! Ranking is BM25F over each operation's name, title, documentation heading, module tag, description and
//! parameter names, with the words of the request first mapped to the catalogue's words by the
//! vocabulary in `data/search/vocabulary.json` (synonyms, phrases, stop words, kind verbs). The kind the
//! request asks for (read, create, update, delete; one record or many) then boosts the operations of that
//! kind and damps the others; it never filters.

mod index;
mod query;
mod text;

use std::sync::OnceLock;

use crate::catalog::{Catalog, Operation};

use self::index::{Class, Index};
use self::query::Query;
use self::text::{Hint, Vocabulary};

/// The built-in vocabulary, embedded like the catalogue data.
const VOCABULARY: &str = include_str!("../../data/search/vocabulary.json");

/// Boost for an operation of the kind the request asks for, per unit of hint strength.
const KIND_BOOST: f32 = 0.35;
/// Damping for an operation of another kind than the request asks for.
const KIND_PENALTY: f32 = 0.35;
/// Boost (and damping) for reading one record vs many, per unit of hint strength.
const SHAPE_BOOST: f32 = 0.15;
/// Boost for an operation that takes the id of the resource the request gives an id for ("ticket 4521"),
/// damping for one that takes none of the ids given.
const ID_MATCH: f32 = 0.3;
/// Damping for each record id an operation's path needs that the request does not give.
const ID_MISSING: f32 = 0.15;
/// Boost for reads when the request says nothing about the kind: reading is the safe guess.
const READ_PRIOR: f32 = 0.1;
/// Damping for a read that needs a record id when the request gives none: "canned responses" is the
/// list of all, not those of one folder.
const NO_ID_PENALTY: f32 = 0.1;
/// Boost for a write whose body has a field the request names ("the due date of task 3", "put it on the
/// desktop team"): setting a field is an update, whatever verb says it.
const FIELD_BOOST: f32 = 0.2;
/// Boost for a list whose query parameters name something the request names.
const QUERY_FIELD_BOOST: f32 = 0.1;
/// Boost for an operation on many records when the request gives several ids, damping for one on one.
const BULK_BOOST: f32 = 0.3;
/// Boost for a free-text search when the request holds words the catalogue does not know.
const FREE_TEXT_BOOST: f32 = 0.15;
/// Damping for an operation whose name holds words the request does not say, at the share unsaid.
const NAME_COVER: f32 = 0.2;
/// Damping for an operation whose name holds a qualifier (`legacy`) the request does not say.
const QUALIFIER_PENALTY: f32 = 0.1;

/// An index over a catalogue's operations, built once; [`search`](Self::search) ranks them for a request.
#[derive(Debug)]
pub struct ToolSearch<'a> {
    vocabulary: Vocabulary,
    index: Index<'a>,
}

/// One ranked operation.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SearchHit<'a> {
    /// The operation; its `name` is the tool name.
    pub operation: &'a Operation,
    /// Relevance, higher is better; only comparable within one search.
    pub score: f32,
}

impl<'a> ToolSearch<'a> {
    /// Indexes every operation of `catalog` with the built-in vocabulary.
    pub fn new(catalog: &'a Catalog) -> Self {
        // The embedded vocabulary is parsed by the unit tests, so this cannot fail for a build whose tests pass.
        let vocabulary = Vocabulary::from_json(VOCABULARY).expect(
            "the committed vocabulary parses; `cargo test -p freshservice-schema search` shows why not",
        );
        let index = Index::new(catalog.operations(), &vocabulary);
        ToolSearch { vocabulary, index }
    }

    /// The `limit` best operations for `query` among those `allowed` accepts, best first. Operations
    /// that share no word with the request are left out, so the result may be shorter than `limit` or
    /// empty. Equal scores are ordered by shorter name, then by name.
    pub fn search(
        &self,
        query: &str,
        allowed: impl Fn(&Operation) -> bool,
        limit: usize,
    ) -> Vec<SearchHit<'a>> {
        if limit == 0 {
            return Vec::new();
        }
        let query = query::analyse(query, &self.vocabulary, &self.index);
        let count = self.index.docs.len();
        let mut scores = vec![0.0f32; count];
        self.index.score(&query.concepts, &mut scores);
        let mut hits: Vec<SearchHit<'a>> = self
            .index
            .docs
            .iter()
            .zip(scores)
            .filter(|(_, score)| *score > 0.0)
            .filter(|(doc, _)| allowed(doc.operation))
            .map(|(doc, score)| SearchHit {
                operation: doc.operation,
                score: score * kind_factor(&query, doc),
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.operation.name.len().cmp(&b.operation.name.len()))
                .then_with(|| a.operation.name.cmp(&b.operation.name))
        });
        hits.truncate(limit);
        hits
    }
}

/// How well the operation's kind fits what the request asks for (1 when the request says nothing).
fn kind_factor(query: &Query, doc: &index::Doc<'_>) -> f32 {
    let read = query.hint(Hint::Read);
    let create = query.hint(Hint::Create);
    let mut update = query.hint(Hint::Update);
    let delete = query.hint(Hint::Delete);
    let writes = matches!(doc.class, Class::Update | Class::Create);
    let sets_field = writes && query.concepts.iter().any(|concept| is_field(concept, doc));
    let head_is_field = writes
        && query
            .concepts
            .iter()
            .find(|concept| !concept.verb)
            .is_some_and(|concept| is_field(concept, doc));
    if head_is_field && doc.class == Class::Update && takes_given_id(query, doc) {
        // "add the rollback plan to change 5", "write the due date into task 3": a verb that creates,
        // said of a field of a record the request names, updates that record.
        update = update.max(create);
    }
    let strongest = read.max(create).max(update).max(delete);
    let (fit, misfit) = match doc.class {
        Class::List | Class::Get => (read, strongest - read),
        Class::Create => (create, strongest - create),
        Class::Update => (update, strongest - update),
        Class::Delete => (delete, strongest - delete),
        // Restore, merge, approve...: a write, but not one the kind verbs name exactly.
        Class::Action => (0.0, 0.5 * strongest),
    };
    let mut factor = 1.0 + KIND_BOOST * fit - KIND_PENALTY * misfit;
    let reads = matches!(doc.class, Class::List | Class::Get);
    if strongest == 0.0 && reads {
        factor *= 1.0 + READ_PRIOR;
    }
    if sets_field {
        let fields = query
            .concepts
            .iter()
            .filter(|concept| is_field(concept, doc))
            .count()
            .min(3);
        factor *= 1.0 + FIELD_BOOST * fields as f32 * create.max(update);
    }
    if doc.class == Class::List
        && read > 0.0
        && query.concepts.iter().any(|concept| is_field(concept, doc))
    {
        // "approvals at level 2 by approver 5": a list that filters on what the request names.
        factor *= 1.0 + QUERY_FIELD_BOOST * read;
    }
    if !query.ids.is_empty() {
        let takes = |resource: &[u32]| doc.ids.iter().any(|(term, _)| resource.contains(term));
        // The share of the ids given that the operation takes, from -1 (none) to 1 (all); an id that is
        // only referred to counts when taken.
        let (mut taken, mut counted) = (0usize, 0usize);
        for id in &query.ids {
            let took = takes(&id.resource);
            if took || !id.soft {
                counted += 1;
            }
            if took {
                taken += 1;
            }
        }
        let share = if counted == 0 {
            0.0
        } else {
            2.0 * taken as f32 / counted as f32 - 1.0
        };
        let given = |term: u32| query.ids.iter().any(|id| id.resource.contains(&term));
        let missing = doc
            .ids
            .iter()
            .filter(|&&(term, in_path)| in_path && !given(term))
            .count();
        factor *= 1.0 + ID_MATCH * share;
        factor *= (1.0 - ID_MISSING).powi(missing.min(2) as i32);
    }
    let one = query.hint(Hint::One);
    let many = query.hint(Hint::List);
    if query.bulk && !reads {
        if doc.bulk {
            factor *= 1.0 + BULK_BOOST;
        } else if doc.targets_one {
            factor *= 1.0 - 0.5 * BULK_BOOST;
        }
    }
    factor *= if doc.takes_id {
        1.0 + SHAPE_BOOST * one
    } else {
        1.0 - SHAPE_BOOST * one
    };
    if doc.class == Class::List {
        factor *= 1.0 + SHAPE_BOOST * many;
    } else if doc.class == Class::Get && doc.targets_one {
        factor *= 1.0 - SHAPE_BOOST * many;
    }
    if doc.takes_id && query.ids.is_empty() && one == 0.0 && reads {
        factor *= 1.0 - NO_ID_PENALTY;
    }
    if doc.free_text && query.unknown > 0 {
        factor *= 1.0 + FREE_TEXT_BOOST * (1.0 - create.max(update).max(delete));
    }
    factor *= 1.0 - NAME_COVER * unsaid_share(query, doc);
    if !doc.qualified.is_empty()
        && !doc.qualified.iter().any(|term| {
            query.concepts.iter().any(|concept| {
                concept
                    .alternatives
                    .iter()
                    .any(|(terms, _)| terms.contains(term))
            })
        })
    {
        factor *= 1.0 - QUALIFIER_PENALTY;
    }
    factor.max(0.05)
}

/// True when the operation takes an id the request gives or refers to.
fn takes_given_id(query: &Query, doc: &index::Doc<'_>) -> bool {
    query
        .ids
        .iter()
        .any(|id| doc.ids.iter().any(|(term, _)| id.resource.contains(term)))
}

/// True when the concept is a field of the write's body (`priority`, `due date`, `group` for
/// `group_id`) and not a word of its name.
fn is_field(concept: &index::Concept, doc: &index::Doc<'_>) -> bool {
    !concept.verb
        && concept.alternatives.iter().any(|(terms, _)| {
            terms
                .iter()
                .all(|term| doc.fields.binary_search(term).is_ok())
                && !terms
                    .iter()
                    .any(|term| doc.name_terms.binary_search(term).is_ok())
        })
}

/// The share of the words of the operation's name (its verb left out) that the request does not say:
/// `ticket approval groups` for "reassign the ticket to a group" leaves `approval` unsaid.
fn unsaid_share(query: &Query, doc: &index::Doc<'_>) -> f32 {
    if doc.name_content.is_empty() {
        return 0.0;
    }
    let unsaid = doc
        .name_content
        .iter()
        .filter(|term| {
            !query.concepts.iter().any(|concept| {
                concept
                    .alternatives
                    .iter()
                    .any(|(terms, weight)| *weight > 0.0 && terms.contains(term))
            })
        })
        .count();
    unsaid as f32 / doc.name_content.len() as f32
}

/// The search over the built-in [`catalog()`](crate::catalog), built on first use and shared afterwards.
pub fn tool_search() -> &'static ToolSearch<'static> {
    static SEARCH: OnceLock<ToolSearch<'static>> = OnceLock::new();
    SEARCH.get_or_init(|| ToolSearch::new(crate::catalog()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(query: &str, count: usize) -> Vec<&'static str> {
        tool_search()
            .search(query, |_| true, count)
            .iter()
            .map(|hit| hit.operation.name.as_str())
            .collect()
    }

    #[track_caller]
    fn check_first(query: &str, want: &str) {
        let got = top(query, 5);
        assert_eq!(
            got.first().copied(),
            Some(want),
            "{query:?} ranked {got:#?}"
        );
    }

    #[test]
    fn vocabulary_parses() {
        let vocabulary = Vocabulary::from_json(VOCABULARY).unwrap();
        assert!(vocabulary.longest_phrase >= 3);
        assert!(vocabulary.is_stop_word("the"));
    }

    #[test]
    fn the_reported_requests_rank_the_right_tool_first() {
        for (query, want) in [
            (
                "list the workspaces on this account",
                "list_all_freshservice_workspaces",
            ),
            (
                "search the knowledge base for password reset",
                "search_freshservice_solution_articles",
            ),
            (
                "who approved the emergency change",
                "list_all_freshservice_change_approvals",
            ),
            (
                "raise a new incident for the broken printer",
                "create_a_freshservice_ticket",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn synonyms_reach_the_catalogue_words() {
        for (query, want) in [
            ("open a new case", "create_a_freshservice_ticket"),
            (
                "list every configuration item in the CMDB",
                "list_all_freshservice_assets",
            ),
            (
                "show the KB categories",
                "list_all_freshservice_solution_categories",
            ),
            ("list our suppliers", "list_all_freshservice_vendors"),
            (
                "which technicians do we have",
                "list_all_freshservice_agents",
            ),
            ("list the support queues", "list_all_freshservice_groups"),
            ("show the SLAs", "list_all_freshservice_sla_policies"),
            (
                "who is on call right now",
                "list_current_freshservice_oncall_shift_events",
            ),
            ("list all POs", "list_all_freshservice_purchase_orders"),
            (
                "undelete problem 17",
                "restore_a_freshservice_problem_by_id",
            ),
            (
                "GDPR erase requester 9",
                "forget_a_freshservice_requester_by_id",
            ),
            (
                "timeline of ticket 12",
                "list_all_freshservice_ticket_activities",
            ),
            (
                "list the software licences",
                "list_all_freshservice_software_licenses",
            ),
            (
                "list postmortem templates",
                "list_all_freshservice_post_incident_report_templates",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn kind_words_do_not_match_parameter_names() {
        // `post` is a verb here, not the `posted_on` parameter of the incident's updates.
        for (query, want) in [
            (
                "post an outage notice on the status page",
                "create_a_freshservice_ticket_status_page_incident",
            ),
            (
                "post a progress update on the maintenance for change 118",
                "create_a_freshservice_change_status_page_maintenance_update",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn the_obvious_tool_comes_first() {
        // From the workflow bench: a singular noun and "by its id" is the get-one operation.
        for (query, want) in [
            (
                "get an asset by its display id",
                "get_single_freshservice_asset_by_id",
            ),
            ("get change details", "get_single_freshservice_change_by_id"),
            ("filter changes", "freshservice_changes_filter"),
            ("filter tickets", "freshservice_tickets_filter"),
            ("list the agent groups", "list_all_freshservice_groups"),
            (
                "create a task in a project",
                "create_a_freshservice_project_task",
            ),
            (
                "create an onboarding request for a new hire",
                "create_a_freshservice_onboarding_request",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn joining_and_leaving_is_membership() {
        for (query, want) in [
            (
                "add Priya to the network CAB, id 3",
                "update_a_freshservice_cab_by_id",
            ),
            (
                "add requester 55 to the VIP requester group 4",
                "add_a_freshservice_requester_group_member_by_id",
            ),
            (
                "take requester 55 out of requester group 4",
                "delete_a_freshservice_requester_group_member_by_id",
            ),
            // What is added is no member: a record is created.
            (
                "add a note to ticket 5",
                "create_a_freshservice_ticket_note",
            ),
            (
                "add the database owners as an approval group on change 204",
                "create_a_freshservice_change_approval_group",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn naming_a_field_updates_the_record() {
        for (query, want) in [
            (
                "add the rollback plan to change 301",
                "update_a_freshservice_change_by_id",
            ),
            (
                "write the rollback plan into change 118",
                "update_a_freshservice_change_by_id",
            ),
            (
                "push the due date of task 3 on problem 88 to next week",
                "update_a_freshservice_problem_task_by_id",
            ),
            (
                "task 2 on release 5 is done",
                "update_a_freshservice_release_task_by_id",
            ),
            (
                "reword note 2 on problem 88",
                "update_a_freshservice_problem_note_by_id",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn several_ids_are_a_bulk_operation() {
        for (query, want) in [
            (
                "remove relationships 5 and 6 between those CIs",
                "delete_freshservice_relationships",
            ),
            (
                "uninstall Zoom from devices 11 and 12",
                "delete_freshservice_software_installations",
            ),
        ] {
            check_first(query, want);
        }
        // One id is one record.
        check_first(
            "bulk delete software 7, 8 and 9",
            "delete_freshservice_software",
        );
        check_first("delete software 7", "delete_a_freshservice_software_by_id");
    }

    #[test]
    fn a_bare_number_is_a_ticket() {
        for (query, want) in [
            (
                "internal comment on 2290 for the other techs: waiting on vendor RMA",
                "create_a_freshservice_ticket_note",
            ),
            ("close 4521", "update_a_freshservice_ticket_by_id"),
        ] {
            check_first(query, want);
        }
        // A short number is a count, and a number after a resource is that resource's.
        check_first("show software 7", "get_single_freshservice_software_by_id");
    }

    #[test]
    fn unknown_words_are_searched_for() {
        for (query, want) in [
            (
                "is there anything in the catalog for requesting a parking pass",
                "search_freshservice_service_catalog_items",
            ),
            (
                "find a knowledge article about toner cartridges",
                "search_freshservice_solution_articles",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn unsaid_qualifiers_and_name_words_weigh_against() {
        for (query, want) in [
            ("update project 31", "update_a_freshservice_project_by_id"),
            (
                "update legacy project 31",
                "update_a_freshservice_legacy_project_by_id",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn described_states_are_not_commands() {
        // "being set up" describes; "is finished" asks for an update.
        for (query, want) in [
            (
                "the implementation task 4 on change 77 is finished",
                "update_a_freshservice_change_task_by_id",
            ),
            (
                "throw away note 12 on change 77",
                "delete_a_freshservice_change_note_by_id",
            ),
            (
                "un-archive project 31",
                "restore_a_freshservice_project_by_id",
            ),
        ] {
            check_first(query, want);
        }
        let got = top("new joiners being set up this month", 2);
        assert!(
            got.contains(&"list_all_freshservice_onboarding_requests"),
            "{got:?}"
        );
    }

    #[test]
    fn kind_verbs_pick_the_operation() {
        for (query, want) in [
            ("find ticket 4521", "get_single_freshservice_ticket_by_id"),
            ("raise a ticket", "create_a_freshservice_ticket"),
            ("log an incident", "create_a_freshservice_ticket"),
            ("register a new vendor", "create_a_freshservice_vendor"),
            ("close ticket 88", "update_a_freshservice_ticket_by_id"),
            (
                "change the priority of ticket 5",
                "update_a_freshservice_ticket_by_id",
            ),
            (
                "set the status of change 7",
                "update_a_freshservice_change_by_id",
            ),
            ("get rid of vendor 3", "delete_a_freshservice_vendor_by_id"),
            ("remove location 4", "delete_a_freshservice_location_by_id"),
            ("list all the changes", "list_all_freshservice_changes"),
            // The filter answers with a total count.
            ("how many changes are there", "freshservice_changes_filter"),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn nouns_are_not_verbs() {
        // "change 311" names a change; "deleted" and "approved" describe, they do not command.
        for (query, want) in [
            (
                "change 311 was raised by mistake, delete it",
                "delete_a_freshservice_change_by_id",
            ),
            (
                "problem 17 was deleted by mistake, bring it back",
                "restore_a_freshservice_problem_by_id",
            ),
            ("event log of alert 551", "list_all_freshservice_alert_logs"),
            (
                "log 30 minutes on problem 42",
                "create_a_freshservice_problem_time_entry",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn plurals_and_word_forms_meet() {
        for (query, want) in [
            ("workspace", "list_all_freshservice_workspaces"),
            ("workspaces", "list_all_freshservice_workspaces"),
            (
                "list the approvals of change 5",
                "list_all_freshservice_change_approvals",
            ),
            (
                "list the approval of change 5",
                "list_all_freshservice_change_approvals",
            ),
            (
                "escalation policies for on-call schedule 5",
                "list_all_freshservice_oncall_schedule_escalation_policies",
            ),
            (
                "escalation policy 2 of schedule 5",
                "get_single_freshservice_oncall_schedule_escalation_policy_by_id",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn a_record_id_aims_at_its_resource() {
        for (query, want) in [
            ("show ticket 4521", "get_single_freshservice_ticket_by_id"),
            ("INC-77", "get_single_freshservice_ticket_by_id"),
            ("tasks of ticket 330", "list_all_freshservice_ticket_tasks"),
            (
                "which contracts cover asset 88",
                "list_all_freshservice_asset_contracts",
            ),
            (
                "which assets does contract 23 cover",
                "list_all_freshservice_contract_associated_assets",
            ),
            (
                "turn agent 77 into a requester",
                "convert_a_freshservice_agent_to_requester_by_id",
            ),
            (
                "turn requester 77 into an agent",
                "convert_a_freshservice_requester_to_agent_by_id",
            ),
        ] {
            check_first(query, want);
        }
    }

    #[test]
    fn allowed_limits_the_ranking() {
        let read_only = tool_search().search("delete ticket 5", Operation::is_read_only, 10);
        assert!(!read_only.is_empty());
        assert!(read_only.iter().all(|hit| hit.operation.is_read_only()));
        let changes =
            tool_search().search("list tickets", |operation| operation.tag == "changes", 10);
        assert!(changes.iter().all(|hit| hit.operation.tag == "changes"));
        assert!(tool_search().search("tickets", |_| false, 10).is_empty());
    }

    #[test]
    fn results_are_ordered_limited_and_deterministic() {
        let search = tool_search();
        for limit in [0, 1, 5, 50, 1000] {
            let hits = search.search("list tickets", |_| true, limit);
            assert!(hits.len() <= limit);
            assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
        }
        let first: Vec<&str> = top("update the ticket", 20);
        for _ in 0..3 {
            assert_eq!(top("update the ticket", 20), first);
        }
        // Equal scores: the shorter name first.
        let hits = search.search("note", |_| true, 50);
        for pair in hits.windows(2) {
            if pair[0].score == pair[1].score {
                assert!(pair[0].operation.name.len() <= pair[1].operation.name.len());
            }
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let long = "ticket ".repeat(10_000);
        let unicode = "τικέτ 🎫 チケット ÄÖÜ straße İstanbul ﬁle \u{0} \t\n";
        let mut trials: Vec<String> = vec![
            String::new(),
            " ".into(),
            "the a of".into(),
            "???!!!...".into(),
            "0".into(),
            "123456789012345678901234567890".into(),
            "4521 4521 4521".into(),
            "#".into(),
            "id".into(),
            "^open ~add".into(),
            "\0\u{7f}".into(),
            long,
            unicode.into(),
            "ab".repeat(5_000),
            "a-b_c.d/e\\f'g\"h".into(),
            "Ωμέγα αἰών σοφία".into(),
            "ничего не работает".into(),
            "🎫🎫🎫".into(),
        ];
        // Fuzz-ish: every prefix of a mixed string, cut at each character boundary.
        let mixed = "Raise an INC-77 für den kaputten Drucker 🖨️ on-call ASAP!! 12.5%";
        for (index, _) in mixed.char_indices() {
            trials.push(mixed[..index].to_owned());
            trials.push(mixed[index..].to_owned());
        }
        for trial in &trials {
            let hits = tool_search().search(trial, |_| true, 10);
            assert!(hits.len() <= 10);
            assert!(
                hits.iter()
                    .all(|hit| hit.score.is_finite() && hit.score > 0.0),
                "{trial:?}"
            );
        }
        assert!(top("", 10).is_empty());
        assert!(top("the of and", 10).is_empty());
    }

    #[test]
    fn a_custom_catalogue_can_be_searched() {
        let catalog = crate::Catalog::from_sources(crate::data_sources().iter().copied()).unwrap();
        let search = ToolSearch::new(&catalog);
        let hits = search.search("list workspaces", |_| true, 1);
        assert_eq!(hits[0].operation.name, "list_all_freshservice_workspaces");
    }
}
