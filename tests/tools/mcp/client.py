"""An MCP client for the tests, on the official Python SDK (`mcp` on PyPI, which speaks the
2026-07-28 revision): lists the tools and calls one, and prints what it saw as JSON.

    client.py URL TOKEN [TOOL ARGUMENTS_JSON]
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def main(url, token, tool=None, arguments=None):
    report = {}
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                # 2026-07-28 is stateless: the client learns the server with `server/discover`.
                await session.discover()
                report["protocol_version"] = str(session.protocol_version)
                listed = await session.list_tools()
                report["tools"] = [dump(t) for t in listed.tools]
                if tool is not None:
                    result = await session.call_tool(tool, json.loads(arguments))
                    report["call"] = dump(result)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
