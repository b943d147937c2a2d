"""An MCP client for the tool-search tests, on the official Python SDK (`mcp` on PyPI, which
speaks the 2026-07-28 revision): lists the tools at URL (`.../mcp?tools=search`, say), then makes
each call in order, and prints what it saw as JSON. A call the server answers with a protocol
error is reported as `{"protocol_error": MESSAGE}`.

    session.py URL TOKEN [CALLS_JSON]

CALLS_JSON is a list of `[tool, arguments]` pairs.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def main(url, token, calls="[]"):
    report = {"calls": []}
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.discover()
                report["protocol_version"] = str(session.protocol_version)
                listed = await session.list_tools()
                report["tools"] = [dump(t) for t in listed.tools]
                for tool, arguments in json.loads(calls):
                    try:
                        result = await session.call_tool(tool, arguments)
                        report["calls"].append(dump(result))
                    except Exception as error:  # the SDK raises on a JSON-RPC error
                        report["calls"].append({"protocol_error": str(error)})
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
