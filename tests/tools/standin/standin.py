"""A validating stand-in for one provider, on 127.0.0.1.

Usage: standin.py DESCRIPTION [--overlay NAME]

Loads the provider's own API description (see descriptions.py), prints `listening PORT` once it
serves, and runs until its standard input closes (so it dies with the test binary that started
it). Every test works in its own session, named by the test:

  /__s/SESSION/<provider path>          the provider's API: every request is checked against the
                                        description and recorded; one that breaks it is answered
                                        599 {"standin_violation": "..."}; a valid one with the
                                        first fixture that matches it, else with the description's
                                        own example (or {}) and an `x-standin-default` header
  POST /__standin/SESSION/fixtures      {"method", "path" (a pattern: `{name}` matches one
                                        segment, `{+name}` one or more; either left out or null
                                        matches all), "query" (optional, pairs that must be present),
                                        "operation" (optional: the verdict's operation, e.g. a
                                        Discovery method id `drive.files.create`),
                                        "graphql_operation" (optional), "once" (optional: answer
                                        one request only), "status", "headers", "body" (JSON) or
                                        "text", "delay_ms"}
  GET  /__standin/SESSION/requests      every request, in order: method, path, query, headers,
                                        body_base64, operation, violations
  GET  /__standin/SESSION/violations    [{"request": "METHOD /path?query", "violation": "..."}]
  POST /__standin/SESSION/reset         forgets the session's fixtures and requests

A failure of the stand-in itself is answered 598 {"standin_error": traceback}, never as a
provider's answer.
"""

import argparse
import importlib
import json
import os
import re
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import descriptions  # noqa: E402

VIOLATION_STATUS = 599
STANDIN_ERROR_STATUS = 598


class Session:
    def __init__(self):
        self.fixtures = []
        self.requests = []


class StandIn:
    def __init__(self, description):
        self.description = description
        self.sessions = {}
        self.lock = threading.Lock()

    def session(self, name) -> Session:
        with self.lock:
            return self.sessions.setdefault(name, Session())

    def provider_request(self, session_name, request):
        verdict = self.description.check(request)
        session = self.session(session_name)
        record = {
            "method": request.method,
            "path": request.path,
            "query": request.query or None,
            "headers": request.headers,
            "body_base64": descriptions.encode_body(request.body),
            "operation": verdict.operation,
            "violations": verdict.violations,
        }
        with self.lock:
            session.requests.append(record)
            if verdict.violations:
                return VIOLATION_STATUS, [], {"standin_violation": "; ".join(verdict.violations)}, 0
            fixture = self._take_fixture(session, request, verdict)
        if fixture is not None:
            body = fixture.get("text", fixture.get("body"))
            return fixture.get("status", 200), fixture.get("headers", []), body, fixture.get("delay_ms", 0)
        note = f"no fixture matched {request.method} {request.path}"
        example = descriptions.first_example(getattr(self.description, "document", {}), verdict.operation)
        if example is not None:
            status, body = example
            return status, [("x-standin-default", note + "; the description's example")], body, 0
        return 200, [("x-standin-default", note + "; an empty object")], {}, 0

    def _take_fixture(self, session, request, verdict):
        query = request.query_pairs()
        for i, fixture in enumerate(session.fixtures):
            if (fixture.get("method") or request.method).upper() != request.method.upper():
                continue
            if not _path_matches(fixture.get("path") or "/{path*}", request.path):
                continue
            if any(tuple(pair) not in query for pair in fixture.get("query", [])):
                continue
            operation = fixture.get("operation")
            if operation is not None and operation != verdict.operation:
                continue
            wanted = fixture.get("graphql_operation")
            if wanted is not None and wanted != verdict.graphql_operation:
                continue
            if fixture.get("once"):
                del session.fixtures[i]
            return fixture
        return None


def _path_matches(pattern, path):
    if pattern == "/{path*}":
        return True
    regex = "".join(
        (".+" if part.startswith("{+") else "[^/]+") if part.startswith("{") and part.endswith("}") else re.escape(part)
        for part in re.split(r"(\{[^}/]+\})", pattern)
    )
    return re.fullmatch(regex, path) is not None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    standin: StandIn = None

    def log_message(self, *args):
        pass

    def _handle(self):
        try:
            self._route()
        except Exception:  # the stand-in's own bug: say so to the test instead of hanging up
            self._answer(STANDIN_ERROR_STATUS, [], {"standin_error": traceback.format_exc()})

    def _route(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = url.path.split("/", 3)
        if len(parts) >= 3 and parts[1] == "__s" and parts[2]:
            request = descriptions.Request(
                method=self.command,
                path="/" + (parts[3] if len(parts) > 3 else ""),
                query=url.query,
                headers=list(self.headers.items()),
                body=body,
            )
            status, headers, answer, delay_ms = self.standin.provider_request(parts[2], request)
            if delay_ms:
                time.sleep(delay_ms / 1000)
            return self._answer(status, headers, answer)
        if len(parts) == 4 and parts[1] == "__standin":
            return self._control(parts[2], parts[3], body)
        self._answer(404, [], {"standin_error": f"{url.path} is neither /__s/SESSION/... nor /__standin/SESSION/..."})

    def _control(self, name, what, body):
        session = self.standin.session(name)
        lock = self.standin.lock
        if self.command == "POST" and what == "fixtures":
            fixture = json.loads(body)
            fixture["headers"] = [tuple(h) for h in fixture.get("headers", [])]
            with lock:
                session.fixtures.append(fixture)
            return self._answer(201, [], {"fixtures": len(session.fixtures)})
        if self.command == "GET" and what == "requests":
            with lock:
                return self._answer(200, [], list(session.requests))
        if self.command == "GET" and what == "violations":
            with lock:
                found = [
                    {"request": f"{r['method']} {r['path']}" + (f"?{r['query']}" if r["query"] else ""), "violation": v}
                    for r in session.requests
                    for v in r["violations"]
                ]
            return self._answer(200, [], found)
        if self.command == "POST" and what == "reset":
            with lock:
                session.fixtures.clear()
                session.requests.clear()
            return self._answer(204, [], None)
        self._answer(404, [], {"standin_error": f"no control {self.command} {what}"})

    def _answer(self, status, headers, body):
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
        self.send_response_only(status)
        names = {name.lower() for name, _ in headers}
        if body is not None and not isinstance(body, str) and "content-type" not in names:
            self.send_header("content-type", "application/json")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("description")
    parser.add_argument("--overlay", help="a module in overlays/ applied to the description")
    args = parser.parse_args()
    started = time.monotonic()
    overlay = importlib.import_module(f"overlays.{args.overlay}") if args.overlay else None
    Handler.standin = StandIn(descriptions.load(args.description, overlay))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]} loaded_in_ms {int((time.monotonic() - started) * 1000)}", flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


def _exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    main()
