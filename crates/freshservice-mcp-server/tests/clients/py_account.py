"""Account-aware schemas through a real MCP client (the Python `mcp` package, 2.x) and `freshservice-mcp stdio`.

Usage: py_account.py --scenario customised|refused|ttl -- SERVER_COMMAND [ARGS...]

- customised: waits for the account's ticket schema (tools/list_changed, or already shaped), then creates,
  updates and reads a ticket with the custom status and source, and tries two calls the account refuses.
- refused: the account hides its form fields; updates ticket 1 with a custom status code.
- ttl: adds a ticket source through the server itself, waits for the fields' time-to-live, and watches for
  tools/list_changed and the new source in the schema.
Prints one JSON report on stdout.
"""
import argparse
import asyncio
import json
import os
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters

TOOL = "create_a_freshservice_ticket"


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def is_list_changed(message):
    root = getattr(message, "root", message)
    return getattr(root, "method", None) == "notifications/tools/list_changed"


async def ticket_schema(client):
    listed = await client.list_tools()
    return next(tool.input_schema for tool in listed.tools if tool.name == TOOL)


async def shaped_schema(client, changed, predicate, seconds=10.0):
    """The create-ticket schema once `predicate` holds, re-listing each time the server says the list changed."""
    schema = await ticket_schema(client)
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate(schema):
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise RuntimeError(f"the schema never changed: {json.dumps(schema)[:400]}")
        try:
            await asyncio.wait_for(changed.wait(), remaining)
        except asyncio.TimeoutError:
            continue
        changed.clear()
        schema = await ticket_schema(client)
    return schema


async def call(client, name, arguments):
    return dump(await client.call_tool(name, arguments))


def has_status(code):
    return lambda schema: code in schema["properties"]["status"].get("enum", [])


async def customised(client, changed, report):
    schema = await shaped_schema(client, changed, has_status(6))
    report["status"] = schema["properties"]["status"]
    report["source"] = schema["properties"]["source"]
    report["custom_fields"] = schema["properties"]["custom_fields"]
    report["told"] = report.get("told", False)
    created = await call(client, TOOL, {
        "subject": "Teams call drops", "description": "Calls drop after a minute", "email": "andrea@acme.example",
        "status": 6, "source": 1008, "priority": 2,
        "custom_fields": {"cf_business_impact": "High", "cf_units_affected": 12, "cf_target_date": "2026-12-10"},
    })
    report["created"] = created
    ticket_id = created["structuredContent"]["ticket"]["id"]
    report["updated"] = await call(client, "update_a_freshservice_ticket_by_id", {"ticket_id": ticket_id, "status": 7})
    report["read"] = await call(client, "get_single_freshservice_ticket_by_id", {"ticket_id": ticket_id})
    report["outside_choices"] = await call(client, TOOL, {
        "subject": "s", "description": "d", "email": "andrea@acme.example", "status": 2, "priority": 1,
        "custom_fields": {"cf_business_impact": "Huge"},
    })
    report["missing_required"] = await call(client, TOOL, {
        "subject": "s", "description": "d", "email": "andrea@acme.example", "status": 2, "priority": 1,
        "custom_fields": {"cf_units_affected": 1},
    })


async def refused(client, changed, report):
    schema = await ticket_schema(client)
    # Give the background read time to be refused: nothing may change.
    await asyncio.sleep(0.5)
    report["status"] = (await ticket_schema(client))["properties"]["status"]
    report["unchanged"] = schema == await ticket_schema(client)
    report["updated"] = await call(client, "update_a_freshservice_ticket_by_id", {"ticket_id": 1, "status": 6})


async def ttl(client, changed, report):
    await shaped_schema(client, changed, has_status(6))
    changed.clear()
    added = await call(client, "create_a_freshservice_ticket_field_source", {"name": "Walk-in kiosk"})
    report["added"] = added
    source_id = added["structuredContent"]["source"]["choice_id"]
    await asyncio.sleep(float(os.environ.get("FIELDS_TTL", "1")) + 0.3)
    # The next request finds the fields due; the answer of the read is announced.
    await client.send_ping()
    schema = await shaped_schema(client, changed, lambda schema: source_id in schema["properties"]["source"].get("enum", []))
    report["source_id"] = source_id
    report["source"] = schema["properties"]["source"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", required=True, choices=["customised", "refused", "ttl"])
    parser.add_argument("server", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = [part for part in options.server if part != "--"]
    server = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    changed = asyncio.Event()
    report = {"told": False}

    async def on_message(message):
        if is_list_changed(message):
            report["told"] = True
            changed.set()

    async with Client(server, mode="legacy", message_handler=on_message) as client:
        scenario = {"customised": customised, "refused": refused, "ttl": ttl}[options.scenario]
        await scenario(client, changed, report)
        print(json.dumps(report))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as error:
        print(f"py_account failed: {error!r}", file=sys.stderr)
        raise
