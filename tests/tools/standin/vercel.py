"""Vercel requests checked against npm `@vercel/sdk` itself, by `vercel.mjs` in a Node process.

No current description of Vercel's API is obtainable offline (../shared/specs/README.md), and
Prism lets Vercel's published OpenAPI through with bodies such as `{"name": 5}`. The official
SDK (1.28.35 in tests/tools/package.json) is generated from that description with every
operation's method, path template, parameter encoding and a zod schema of its request; the
stand-in is given its `esm` folder (`node_modules/@vercel/sdk/esm`), and vercel.mjs (its header
says exactly what is checked) validates each request with the operation's own zod schema. One
Node process serves the stand-in's lifetime; requests go to it one at a time, as JSON lines.
"""

import json
import shutil
import subprocess
import threading
from pathlib import Path

from descriptions import Verdict, encode_body

CHECKER = Path(__file__).resolve().parent / "vercel.mjs"


def is_vercel_sdk(path: str) -> bool:
    folder = Path(path)
    return folder.is_dir() and folder.name == "esm" and folder.parent.name == "sdk" and folder.parent.parent.name == "@vercel"


class VercelDescription:
    def __init__(self, esm: str):
        node = shutil.which("node")
        if node is None:
            raise SystemExit("node is not on PATH: the Vercel stand-in checks requests with @vercel/sdk in Node")
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [node, str(CHECKER), esm],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        first = self.process.stdout.readline()
        if not first.startswith("ready "):
            raise SystemExit(f"vercel.mjs did not start (it said {first!r}; its errors are above)")
        self.operations = int(first.split()[1])

    def check(self, request):
        line = json.dumps(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": [list(pair) for pair in request.headers],
                "body_base64": encode_body(request.body),
            }
        )
        with self.lock:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("vercel.mjs exited")
        verdict = json.loads(answer)
        if "error" in verdict:
            raise RuntimeError(f"vercel.mjs failed: {verdict['error']}")
        return Verdict(verdict["operation"], verdict["violations"])
