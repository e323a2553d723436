"""Two service-desk workflows, driven the way an agent would, through a real MCP client (the Python
`mcp` package, 2.x) talking to `freshservice-mcp stdio`.

Usage: py_workflows.py --mode legacy|auto --workflow cab|onboarding -- SERVER_COMMAND [ARGS...]

Each step reads the previous step's tool results; nothing is hard-coded but the names a person
would type (the change type, the project title, the group name). Prints one JSON report on stdout.
"""
import argparse
import asyncio
import datetime
import json
import os
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters


DISCOVERY = False


async def call(client, name, arguments):
    """Calls a tool directly, or, on a discovery-mode server, through call_freshservice_tool."""
    if DISCOVERY:
        result = await client.call_tool("call_freshservice_tool", {"name": name, "arguments": arguments})
    else:
        result = await client.call_tool(name, arguments)
    dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    if dumped.get("isError"):
        raise RuntimeError(f"{name} failed: {dumped['content'][0]['text']}")
    return dumped["structuredContent"]


async def cab(client):
    """Prepare the CAB: tonight's emergency change, its assets, open high-priority incidents on them."""
    changes = (await call(client, "freshservice_changes_filter", {"query": "change_type:4 AND status:3"}))["changes"]
    now = datetime.datetime.now(datetime.timezone.utc)
    tonight = [
        change for change in changes
        if change.get("planned_start_date")
        and now <= datetime.datetime.fromisoformat(change["planned_start_date"].replace("Z", "+00:00")) <= now + datetime.timedelta(hours=24)
    ]
    change = (await call(client, "get_single_freshservice_change_by_id", {"change_id": tonight[0]["id"]}))["change"]
    incidents = {}
    for link in change.get("assets", []):
        asset = (await call(client, "get_single_freshservice_asset_by_id", {"display_id": link["display_id"]}))["asset"]
        found = await call(client, "freshservice_tickets_filter", {
            "query": f"cf_affected_asset:'{asset['name']}' AND status:2 AND priority:>3",
        })
        incidents[asset["name"]] = sorted(ticket["id"] for ticket in found["tickets"])
    return {"change_id": change["id"], "change_subject": change["subject"], "incidents": incidents}


async def onboarding(client):
    """Onboard a new hire starting next Monday and plan three hardware tasks for IT Support."""
    today = datetime.date.today()
    next_monday = today + datetime.timedelta(days=(7 - today.weekday()) or 7)
    request = (await call(client, "create_a_freshservice_onboarding_request", {
        "initiator_id": 103,
        "fields": {
            "cf_employee_name": "Jordan Rivera",
            "cf_job_title": "Network Engineer",
            "cf_date_of_joining": next_monday.isoformat(),
            "cf_department": 2,
            "cf_location": 1,
        },
    }))["onboarding_request"]
    projects = (await call(client, "list_all_freshservice_projects", {}))["projects"]
    project = next(p for p in projects if p["name"] == "Q4 Hardware Deployments")
    groups = (await call(client, "list_all_freshservice_groups", {}))["groups"]
    it_support = next(g for g in groups if g["name"] == "IT Support")
    # Project tasks have one assignee; a group's work goes to its members, led by the group leader.
    members = it_support.get("members") or it_support.get("agent_ids")
    titles = ["Prepare laptop for Jordan Rivera", "Create accounts for Jordan Rivera", "Deliver desk phone to Jordan Rivera"]
    tasks = []
    for index, title in enumerate(titles):
        task = (await call(client, "create_a_freshservice_project_task", {
            "project_id": project["id"],
            "title": title,
            "type_id": 1,
            "assignee_id": members[index % len(members)],
            "planned_end_date": f"{next_monday.isoformat()}T09:00:00Z",
        }))
        tasks.append(task.get("task") or task)
    return {
        "onboarding_request_id": request["id"],
        "start_date": next_monday.isoformat(),
        "project_id": project["id"],
        "group_members": members,
        "task_ids": [task["id"] for task in tasks],
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--workflow", required=True, choices=["cab", "onboarding"])
    parser.add_argument("--discovery", action="store_true", help="the server lists only the discovery meta-tools")
    parser.add_argument("server", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = [part for part in options.server if part != "--"]
    server = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    global DISCOVERY
    DISCOVERY = options.discovery
    async with Client(server, mode=options.mode) as client:
        listed = await client.list_tools()
        if DISCOVERY:
            # Find the tools the way a model would, before calling them.
            found = await client.call_tool("search_freshservice_tools", {"query": "filter changes"})
            names = [tool["name"] for tool in found.model_dump(mode="json", by_alias=True)["structuredContent"]["tools"]]
            assert "freshservice_changes_filter" in names, names
        report = await (cab(client) if options.workflow == "cab" else onboarding(client))
        report["protocol"] = str(client.protocol_version)
        report["listed_tools"] = [tool.name for tool in listed.tools]
        print(json.dumps(report))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as error:
        print(f"py_workflows failed: {error!r}", file=sys.stderr)
        raise
