// A loopback proxy that adds `Authorization: Bearer TOKEN` to every request and passes
// everything else through untouched (the Host and Origin headers, the streamed bodies): the
// MCP conformance tool sends no token, and actionhost's /mcp needs one.
//
//     node token-proxy.mjs TARGET_URL TOKEN     prints the proxy's URL once it listens

import http from "node:http";

const [target, token] = process.argv.slice(2);
const upstream = new URL(target);
const server = http.createServer((request, response) => {
  const forwarded = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: request.url,
      method: request.method,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
    },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  forwarded.on("error", (error) => {
    response.writeHead(502);
    response.end(String(error));
  });
  request.pipe(forwarded);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`http://127.0.0.1:${server.address().port}`);
});
