// An MCP client for the tests, on the official TypeScript SDK (`@modelcontextprotocol/sdk`, which
// speaks the 2025-11-25 revision: initialize, a session, the GET stream): lists the tools and
// calls one, and prints what it saw as JSON.
//
//     node client.mjs URL TOKEN [TOOL ARGUMENTS_JSON]

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, token, tool, args] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "actionhost-tests", version: "1.0.0" });
await client.connect(transport);
const report = {
  protocol_version: transport.protocolVersion,
  session: transport.sessionId !== undefined,
  server: client.getServerVersion(),
  tools: (await client.listTools()).tools,
};
if (tool !== undefined) {
  report.call = await client.callTool({ name: tool, arguments: JSON.parse(args) });
}
await transport.terminateSession();
await client.close();
console.log(JSON.stringify(report));
