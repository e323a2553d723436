"""A real MCP client (the Python `mcp` package, 2.x) driving `freshservice-mcp stdio`.

Usage: py_client.py --mode legacy|auto|2026-07-28 --calls CALLS.json -- SERVER_COMMAND [ARGS...]
       py_client.py --mode ... --calls CALLS.json --url http://127.0.0.1:PORT/mcp/TOKEN

The server's environment is inherited. Prints one JSON document on stdout:
{"protocol": ..., "server": ..., "tools": [names], "pages": n, "results": [{"name", "result"} ...]}
"""
import argparse
import asyncio
import json
import os
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--calls", required=True)
    parser.add_argument("--url", help="a Streamable HTTP endpoint instead of a stdio command")
    parser.add_argument("server", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = [part for part in options.server if part != "--"]
    with open(options.calls, encoding="utf-8") as handle:
        calls = json.load(handle)
    if options.url:
        server = options.url
    else:
        server = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    async with Client(server, mode=options.mode) as client:
        tools, cursor, pages = [], None, 0
        while True:
            page = await client.list_tools(cursor=cursor)
            pages += 1
            tools += page.tools
            cursor = page.next_cursor
            if not cursor:
                break
        results = []
        for call in calls:
            result = await client.call_tool(call["name"], call.get("arguments", {}))
            results.append({
                "name": call["name"],
                "result": result.model_dump(mode="json", by_alias=True, exclude_none=True),
            })
        print(json.dumps({
            "protocol": str(getattr(client, "protocol_version", None)),
            "server": str(getattr(client, "server_info", None)),
            "tools": [tool.name for tool in tools],
            "schemas": {tool.name: tool.input_schema for tool in tools},
            "pages": pages,
            "results": results,
        }))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as error:  # report the failure to the Rust test, which prints stderr
        print(f"py_client failed: {error!r}", file=sys.stderr)
        raise
