#!/usr/bin/env python3
"""Extract the documented answers of the form-field endpoints for the account-profile tests.

Writes `tests/fixtures/form-fields/<source>.json` (tickets, changes, problems, releases, requesters, agents)
in this crate; `tests/it/profile.rs` parses each one into an `AccountProfile`.
The crate stays self-contained: the tests read only these fixtures, never the records.

Rerun from the workspace root (needs only the Python 3 standard library):

    python3 crates/freshservice-schema/tests/extract_form_field_samples.py [path/to/freshservice-api-docs.json]

The default input is `../shared/reference/freshservice-api-docs.json` beside the workspace.
The output is deterministic, so a rerun on the same records leaves `git diff` empty.

What the script does to each sample:
- joins the records' one-token-per-line text back (the `responses` helper of `extract_entity_samples.py`);
- the requester sample elides fields with `...` between two objects; the ellipsis is dropped;
- the prose of each field's `description` is replaced by a placeholder; names, labels, types, flags and
  choices are kept, because they are what the tests check.
"""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from extract_entity_samples import responses  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
DEFAULT_INPUT = ROOT.parent / "shared" / "reference" / "freshservice-api-docs.json"
OUTPUT = pathlib.Path(__file__).resolve().parent / "fixtures" / "form-fields"

# source -> (section_id of its "List all ... Fields" record, the answer's envelope key)
SOURCES = {
    "tickets": ("list-all-ticket-fields-freshservice-freshservice-for-msps", "ticket_fields"),
    "changes": ("list-all-change-fields-freshservice", "change_fields"),
    "problems": ("list-all-problem-fields-freshservice", "problem_fields"),
    "releases": ("view-all-release-fields-freshservice", "release_fields"),
    "requesters": ("list-all-requester/contact-fields-freshservice-freshservice-for-msps", "requester_fields"),
    "agents": ("list-all-agent-fields-freshservice-freshservice-for-msps", "agent_fields"),
}


def scrub(value):
    """Replace the prose of `description` members, keeping everything else."""
    if isinstance(value, dict):
        return {
            key: ("placeholder text" if key == "description" and isinstance(item, str) and item else scrub(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def main():
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_INPUT
    records = json.loads(source.read_text(encoding="utf-8"))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name, (section_id, envelope) in SOURCES.items():
        record = next(record for record in records if record["section_id"] == section_id)
        text = next(responses(record["content"]))
        text = text.replace("},...{", "},{")
        body = json.loads(text)
        if envelope not in body:
            sys.exit(f"{name}: the answer has no `{envelope}`")
        out = OUTPUT / f"{name}.json"
        out.write_text(json.dumps(scrub(body), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out.relative_to(ROOT)}: {len(body[envelope])} fields")


if __name__ == "__main__":
    main()
