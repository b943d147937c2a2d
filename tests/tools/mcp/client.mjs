// An MCP client for the tests, on the official TypeScript SDK (`@modelcontextprotocol/sdk`, which
// speaks the 2025-11-25 revision: initialize, a session, the GET stream). It prints what it saw
// as JSON; the scenarios are those of client.py:
//
//     node client.mjs URL TOKEN call [TOOL ARGUMENTS_JSON]
//     node client.mjs URL TOKEN listen      prints {"ready":true} once the GET stream is open,
//                                           then the list after the first list_changed
//     node client.mjs URL TOKEN connect|decline TOOL ARGUMENTS_JSON

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const [url, token, scenario, tool, args] = process.argv.slice(2);
const emit = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const eliciting = scenario === "connect" || scenario === "decline";
const client = new Client(
  { name: "actionhost-tests", version: "1.0.0" },
  { capabilities: eliciting ? { elicitation: { url: {} } } : {} },
);
const report = {};
const elicitations = [];
if (eliciting) {
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations.push(request.params);
    if (scenario === "decline") return { action: "decline" };
    // The "browser": the link opens the connect page (its cookie kept for the host), whose
    // Connect form starts the flow; the authorization server consents at once and redirects
    // back to the host's callback, which stores the account and returns to the page.
    const host = new URL(request.params.url).origin;
    let cookie = "";
    const browse = async (target, init = {}) => {
      for (let hops = 0; hops < 10; hops += 1) {
        const headers = { ...(init.headers ?? {}) };
        if (cookie && new URL(target).origin === host) headers.cookie = cookie;
        const response = await fetch(target, { ...init, headers, redirect: "manual" });
        const set = response.headers.get("set-cookie");
        if (set) cookie = set.split(";")[0];
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
          target = new URL(location, target).toString();
          init = {};
          continue;
        }
        return { response, url: target };
      }
      throw new Error("too many redirects");
    };
    const opened = await browse(request.params.url);
    const html = await opened.response.text();
    const action = html.match(/action="(\/connect\/[a-z0-9_]+\/authorize)"/)[1];
    const csrf = html.match(/name="csrf" value="([0-9a-f]+)"/)[1];
    const page = await browse(new URL(action, opened.url).toString(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: host },
      body: new URLSearchParams({ csrf }).toString(),
    });
    report.connect_page_status = page.response.status;
    report.connect_page_url = page.url;
    return { action: "accept" };
  });
}
let changed;
const listChanged = new Promise((resolve) => (changed = resolve));
client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());

await client.connect(transport);
report.protocol_version = transport.protocolVersion;
report.session = transport.sessionId !== undefined;
report.server = client.getServerVersion();
report.tools = (await client.listTools()).tools;
if (scenario === "listen") {
  // The SDK opens the GET stream after `initialized`; a ping answered means it had the time.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await client.ping();
  emit({ ready: true });
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("no tools/list_changed within 30 s")), 30000),
  );
  await Promise.race([listChanged, timeout]);
  report.event = "ToolListChanged";
  report.tools = (await client.listTools()).tools;
} else if (tool !== undefined) {
  report.call = await client.callTool({ name: tool, arguments: JSON.parse(args) });
  report.elicitations = elicitations;
}
await transport.terminateSession();
await client.close();
emit(report);
