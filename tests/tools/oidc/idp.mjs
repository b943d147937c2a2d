// An OpenID provider on 127.0.0.1 for the JWKS tests (tests/tests/jwks.rs): oauth2-mock-server
// serves the discovery document and the key set at /jwks, and signs the tokens. The test drives
// it with one JSON command per line on stdin and reads one JSON answer per line on stdout, so
// every key, token and outage happens exactly when the test says.
//
// Started with no arguments, it listens on a free port, makes one RS256 key and prints
// {"issuer", "jwks_uri", "kid"}. Commands ({"do": ...}):
//   token    {kid?, sub?, aud?, exp_in?, iss?, no_kid?} -> {token}: signed with `kid` (default:
//            the newest published key); `aud` omitted when absent; `exp_in` seconds (negative:
//            already expired); `iss` overrides the issuer; `no_kid` leaves `kid` out of the header
//   generate {alg, publish}  -> {kid}: a new key, added to the published set or kept private
//            (a key the provider never published: its tokens must be refused)
//   rotate   {alg}           -> {kid, dropped}: a new key replaces every published one
//   down / up                -> {ok}: stop answering (connections refused) / answer again
//   count                    -> {jwks_requests}: GET /jwks requests answered so far
//
// Every key ever made stays in `signer`, so a token can still be signed with a dropped or never
// published key; what /jwks serves is the keystore of `published`, a fresh mock issuer rebuilt
// from the published keys on every change (the mock's keystore has no removal).

import http from 'node:http';
import readline from 'node:readline';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

const signer = new OAuth2Issuer();
let publishedKids = [];
let service;
let jwksRequests = 0;
let made = 0;

const sockets = new Set();
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && new URL(req.url, 'http://x').pathname === '/jwks') {
    jwksRequests += 1;
  }
  service.requestHandler(req, res);
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

function listen(port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

async function publish(kids) {
  const issuer = new OAuth2Issuer();
  issuer.url = signer.url;
  const all = signer.keys.toJSON(true);
  for (const kid of kids) {
    await issuer.keys.add(all.find((key) => key.kid === kid));
  }
  service = new OAuth2Service(issuer);
  publishedKids = kids;
}

async function generate(alg) {
  made += 1;
  const key = await signer.keys.generate(alg, { kid: `${alg.toLowerCase()}-${made}` });
  return key.kid;
}

async function token(command) {
  const kid = command.kid ?? publishedKids[publishedKids.length - 1];
  return signer.buildToken({
    kid,
    expiresIn: command.exp_in ?? 600,
    scopesOrTransform: (header, payload) => {
      if (command.no_kid) delete header.kid;
      if (command.sub !== undefined) payload.sub = command.sub;
      if (command.aud !== undefined) payload.aud = command.aud;
      if (command.iss !== undefined) payload.iss = command.iss;
    },
  });
}

async function run(command) {
  switch (command.do) {
    case 'token':
      return { token: await token(command) };
    case 'generate': {
      const kid = await generate(command.alg);
      if (command.publish) await publish([...publishedKids, kid]);
      return { kid };
    }
    case 'rotate': {
      const dropped = publishedKids;
      const kid = await generate(command.alg ?? 'RS256');
      await publish([kid]);
      return { kid, dropped };
    }
    case 'down':
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return { ok: true };
    case 'up':
      await listen(port);
      return { ok: true };
    case 'count':
      return { jwks_requests: jwksRequests };
    default:
      throw new Error(`unknown command ${JSON.stringify(command.do)}`);
  }
}

const port = await listen(0);
signer.url = `http://127.0.0.1:${port}`;
const first = await generate('RS256');
await publish([first]);
console.log(JSON.stringify({ issuer: signer.url, jwks_uri: `${signer.url}/jwks`, kid: first }));

// One command at a time, in order.
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    let answer;
    try {
      answer = await run(JSON.parse(line));
    } catch (error) {
      answer = { error: String(error) };
    }
    console.log(JSON.stringify(answer));
  });
}).on('close', () => {
  queue.then(() => process.exit(0));
});
