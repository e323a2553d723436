"""What a tool exposure costs and reaches, seen by a real MCP client (the Python `mcp` package, 2.x).

Usage: py_exposure.py --mode legacy|auto [--reach TOOL --query WORDS --id ID]
                      (-- SERVER_COMMAND [ARGS...] | --url URL)

Lists every page of tools/list and measures it as the client received it (each page's result,
written back as compact JSON). When the server lists the discovery meta-tools and --reach is
given, it finds TOOL with search_freshservice_tools (as a model would, by WORDS), describes the
listed tools with get_freshservice_tool_schema, and calls TOOL on record ID through
call_freshservice_tool, passing the id as the required argument the search hit names. Prints one JSON report on stdout.
"""
import argparse
import asyncio
import json
import os
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters

SEARCH = "search_freshservice_tools"
SCHEMA = "get_freshservice_tool_schema"
CALL = "call_freshservice_tool"


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def structured(tool, result):
    """A tool result's structured content, or an error naming the tool and its text."""
    dumped = dump(result)
    if dumped.get("isError") or "structuredContent" not in dumped:
        raise RuntimeError(f"{tool} failed: {dumped}")
    return dumped["structuredContent"]


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--url")
    parser.add_argument("--reach", help="a tool to find and call through the meta-tools")
    parser.add_argument("--query", help="the words to search it by")
    parser.add_argument("--id", type=int, help="the record the call acts on")
    parser.add_argument("server", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    if options.url:
        server = options.url
    else:
        command = [part for part in options.server if part != "--"]
        server = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    async with Client(server, mode=options.mode) as client:
        tools, cursor, list_bytes = [], None, 0
        while True:
            page = await client.list_tools(cursor=cursor)
            list_bytes += len(compact(dump(page)).encode("utf-8"))
            tools += page.tools
            cursor = page.next_cursor
            if not cursor:
                break
        names = [tool.name for tool in tools]
        report = {
            "protocol": str(getattr(client, "protocol_version", None)),
            "tools": names,
            "list_bytes": list_bytes,
        }
        if options.reach and SEARCH in names:
            hits = structured(SEARCH, await client.call_tool(SEARCH, {"query": options.query}))["tools"]
            report["search"] = [hit["name"] for hit in hits]
            report["reach_hit"] = next((hit for hit in hits if hit["name"] == options.reach), None)
            listed = [name for name in names if name not in (SEARCH, SCHEMA, CALL)]
            schemas = {}
            for start in range(0, len(listed), 10):
                described = structured(SCHEMA, await client.call_tool(SCHEMA, {"names": listed[start:start + 10]}))
                for tool in described["tools"]:
                    schemas[tool["name"]] = tool["inputSchema"]
            # The account's form fields may have shaped some schemas since the first listing (the
            # server says so with tools/list_changed): compare with the list as it is now.
            relisted = (await client.list_tools()).tools
            listed_schemas = {tool.name: tool.input_schema for tool in relisted if tool.name in schemas}
            report["schemas_match"] = bool(schemas) and all(
                schemas[name] == listed_schemas[name] for name in schemas
            )
            report["described"] = sorted(schemas)
            # The required argument the search hit names is the id to pass.
            id_name = next(iter(report["reach_hit"]["required"]))
            called = dump(await client.call_tool(CALL, {"name": options.reach, "arguments": {id_name: options.id}}))
            report["reached"] = {"id": options.id, "result": called}
        print(json.dumps(report))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as error:
        print(f"py_exposure failed: {error!r}", file=sys.stderr)
        raise
