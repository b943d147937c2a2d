"""An MCP client for the tests, on the official Python SDK (`mcp` on PyPI, which speaks the
2026-07-28 revision). It prints what it saw as JSON.

    client.py URL TOKEN call [TOOL ARGUMENTS_JSON]   list the tools, call TOOL
    client.py URL TOKEN listen                       list, then `subscriptions/listen` for
                                                     tool-list changes: prints {"ready": true}
                                                     once listening, then the list after the
                                                     first change
    client.py URL TOKEN connect TOOL ARGUMENTS_JSON  call TOOL declaring URL-mode elicitation;
                                                     a URL elicitation is followed like a
                                                     browser would (the connect page's Connect
                                                     form, the OAuth consent), then accepted
    client.py URL TOKEN decline TOOL ARGUMENTS_JSON  the same, but the user declines
"""

import asyncio
import json
import re
import sys

import httpx2
from mcp import Client, types
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def emit(report):
    print(json.dumps(report), flush=True)


async def main(url, token, scenario, tool=None, arguments=None):
    report = {}
    elicitations = []

    async def elicit(_context, params):
        elicitations.append(dump(params))
        if scenario == "decline":
            return types.ElicitResult(action="decline")
        # The "browser" (cookies kept): the link opens the connect page, whose Connect form
        # starts the flow; the authorization server consents at once and redirects back to the
        # host's callback, which stores the account and returns to the page.
        async with httpx2.AsyncClient(follow_redirects=True) as browser:
            page = await browser.get(params.url)
            action = re.search(r'action="(/connect/[a-z0-9_]+/authorize)"', page.text).group(1)
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
            page = await browser.post(str(page.url.join(action)), data={"csrf": csrf})
            report["connect_page_status"] = page.status_code
            report["connect_page_url"] = str(page.url)
        return types.ElicitResult(action="accept")

    callback = elicit if scenario in ("connect", "decline") else None
    async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http:
        transport = streamable_http_client(url, http_client=http)
        async with Client(transport, elicitation_callback=callback, cache=None) as client:
            report["protocol_version"] = str(client.session.protocol_version)
            report["tools"] = [dump(t) for t in (await client.list_tools()).tools]
            if scenario == "listen":
                async with client.listen(tools_list_changed=True) as subscription:
                    report["honored"] = dump(subscription.honored)
                    emit({"ready": True})
                    event = await asyncio.wait_for(subscription.__anext__(), 30)
                    report["event"] = type(event).__name__
                    report["tools"] = [dump(t) for t in (await client.list_tools()).tools]
            elif tool is not None:
                result = await client.call_tool(tool, json.loads(arguments))
                report["call"] = dump(result)
                report["elicitations"] = elicitations
    emit(report)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
