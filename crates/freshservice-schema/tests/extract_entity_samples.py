#!/usr/bin/env python3
"""Extract the sample responses of the ITIL entities from the documentation records.

Writes one fixture per entity to `tests/fixtures/entity-samples/<entity>.json` in this crate; the
integration test `tests/it/entities.rs` round-trips every sample through the entity model.

Rerun from the workspace root (needs only the Python 3 standard library):

    python3 crates/freshservice-schema/tests/extract_entity_samples.py [path/to/freshservice-api-docs.json]

The default input is `../shared/reference/freshservice-api-docs.json` beside the workspace.
The output is deterministic, so a rerun on the same records leaves `git diff` empty.

What the script does to each sample, and records in the fixture's `repairs` list:
- the records split JSON one token per line after a line-number gutter; the tokens are joined back;
- a few samples are not valid JSON (missing or doubled commas, trailing commas, unquoted keys, missing
  braces, placeholder numbers such as `12345XXXXX`); each fix is the smallest edit that parses and is named;
- free-text string values (anything with whitespace or markup) are replaced by a placeholder, so the
  fixtures keep the documented shape (keys, types, nulls, codes, timestamps) but none of the records' prose.
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
DEFAULT_INPUT = ROOT.parent / "shared" / "reference" / "freshservice-api-docs.json"
OUTPUT = pathlib.Path(__file__).resolve().parent / "fixtures" / "entity-samples"

# entity -> the record ranges (first, last) of its documentation sections, and the envelope keys its
# responses use. `None` accepts a bare object or array (a few samples omit the envelope).
ENTITIES = {
    "ticket": ([(31, 93)], {"ticket", "tickets", "service_request"}),
    "conversation": ([(94, 104)], {"conversation", "conversations"}),
    "problem": ([(105, 116)], {"problem", "problems"}),
    "change": ([(135, 147)], {"change", "changes"}),
    "release": ([(177, 189)], {"release", "releases", None}),
    "workspace": ([(214, 222)], {"workspace", "workspaces"}),
    "requester": ([(227, 239), (251, 251), (271, 271)], {"requester", "requesters"}),
    "agent": ([(237, 253)], {"agent", "agents", None}),
    "group": ([(257, 262)], {"group", "groups"}),
    "location": ([(272, 278)], {"location", "locations"}),
    "asset": ([(310, 326)], {"asset", "assets"}),
    "asset_type": ([(351, 356)], {"asset_type", "asset_types"}),
    "department": ([(401, 409)], {"department", "departments"}),
    "project": ([(429, 447)], {"project", "projects"}),
    "project_task": ([(448, 457)], {"task", "tasks"}),
    "onboarding_request": ([(520, 526)], {"onboarding_request", "onboarding_requests"}),
}

# Record-specific fixes that the generic repairs below cannot infer: (record, old text, new text, why).
SUBSTITUTIONS = [
    (99, '"created_at: "', '"created_at": "', "misplaced quote in a key"),
    (140, '"custom_decimal":null,"planning_fields"', '"custom_decimal":null},"planning_fields"',
     "custom_fields not closed"),
    (451, "\u00e2\u0080\u009c2d\u00e2\u0080\u009d", '"2d"', "curly quotes around a string"),
]

PLACEHOLDER_NUMBER = re.compile(r'(?<=:)(\d+X+)(?=[,}\]])')
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$")


def responses(content):
    """Yield the joined token text of every `Response` block in a record."""
    lines = content.split("\n")
    index = 0
    while index < len(lines):
        if lines[index].strip() == "Response":
            start = index + 1
            number = 1
            while start < len(lines) and lines[start].strip() == str(number):
                start += 1
                number += 1
            end = start
            while end < len(lines) and lines[end].strip() != "EXPAND ↓":
                end += 1
            yield "".join(lines[start:end])
            index = end
        index += 1


def closers(text):
    """The brackets still open at the end of `text`, as the string that closes them."""
    stack, in_string, escaped = [], False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]" and stack:
            stack.pop()
    return "".join(reversed(stack))


def parse(record_index, text):
    """Parse a sample, applying and naming the fixes it needs; None if it is not JSON at all."""
    repairs = []
    for record, old, new, why in SUBSTITUTIONS:
        if record == record_index and old in text:
            text = text.replace(old, new)
            repairs.append(why)
    if PLACEHOLDER_NUMBER.search(text):
        text = PLACEHOLDER_NUMBER.sub(r'"\1"', text)
        repairs.append("placeholder number quoted")
    if text.startswith('"'):
        text = "{" + text
        repairs.append("opening brace added")
    for _ in range(50):
        try:
            return json.loads(text), repairs
        except json.JSONDecodeError as error:
            at, message = error.pos, error.msg
            if at >= len(text) and closers(text):
                text += closers(text)
                repairs.append("closing brackets added")
            elif message == "Expecting ',' delimiter":
                text = text[:at] + "," + text[at:]
                repairs.append("missing comma added")
            elif text[at] in "}]" and text[at - 1] == ",":
                text = text[: at - 1] + text[at:]
                repairs.append("trailing comma removed")
            elif message.startswith("Expecting property name") and text[at] == ",":
                text = text[:at] + text[at + 1 :]
                repairs.append("doubled comma removed")
            elif message.startswith("Expecting property name") and re.match(r"[A-Za-z_]", text[at]):
                key = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[at:]).group(0)
                text = text[:at] + '"' + key + '"' + text[at + len(key) :]
                repairs.append("key quoted")
            else:
                return None, repairs
    return None, repairs


def scrub(value):
    """Replace free text with placeholders, keeping every key, type, null, number and timestamp."""
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str) and not TIMESTAMP.match(value):
        if "<" in value and ">" in value:
            return "<div>placeholder text</div>"
        if re.search(r"\s", value):
            return "placeholder text"
    return value


def short_title(title):
    for suffix in (" Freshservice for MSPs", " Freshservice"):
        while title.endswith(suffix):
            title = title[: -len(suffix)]
    return title


def envelope_of(body):
    """The envelope key of a response (its first key, holding an object or array), or None if bare."""
    if isinstance(body, dict) and body:
        first = next(iter(body))
        if isinstance(body[first], (dict, list)):
            return first
    return None


def main():
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_INPUT
    records = json.loads(source.read_text(encoding="utf-8"))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for entity, (ranges, keys) in ENTITIES.items():
        samples = []
        indices = [index for first, last in ranges for index in range(first, last + 1)]
        for record_index in indices:
            for position, text in enumerate(responses(records[record_index]["content"]), start=1):
                if not text.lstrip().startswith(("{", "[", '"')):
                    continue  # status-line-only responses such as `HTTP Status: 204 No Content`
                body, repairs = parse(record_index, text)
                if body is None:
                    leading_key = re.match(r'\{?"(\w+)"', text)
                    if leading_key and leading_key.group(1) in keys:
                        sys.exit(f"record {record_index} response {position}: not JSON after {repairs}")
                    continue  # another resource's sample (e.g. a field list), broken beyond repair
                envelope = envelope_of(body)
                if envelope not in keys:
                    continue
                samples.append({
                    "record": record_index,
                    "response": position,
                    "title": short_title(records[record_index]["title"]),
                    "envelope": envelope,
                    "repairs": repairs,
                    "body": scrub(body),
                })
        if not samples:
            sys.exit(f"no samples for {entity}")
        fixture = {
            "entity": entity,
            "source": "freshservice-api-docs.json (documentation records); see the script for the repairs",
            "samples": samples,
        }
        path = OUTPUT / f"{entity}.json"
        path.write_text(json.dumps(fixture, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(samples)} samples")


if __name__ == "__main__":
    main()
