"""Notion requests checked against npm `@notionhq/client`'s endpoint table and Notion's
documented request shapes.

No faithful OpenAPI description of Notion exists (../shared/specs/README.md: the one in
`@notionhq/notion-mcp-server` is simplified and refuses real page bodies). The official
JavaScript client is the closest thing: `build/src/api-endpoints/*.js` lists each endpoint's
method, path template and the names of its path, query and body parameters (76 endpoints in
5.26.0), and `Client.js` the `Notion-Version` it sends. This module reads both and checks:

- the route: the method and the path (below `/v1`) against the table's templates, a path
  parameter being one segment; the operation is named `METHOD /template`
  (`POST /data_sources/{data_source_id}/query`);
- headers: `Notion-Version` equal to the client's default (2025-09-03 in 5.26.0), and a bearer
  token (`Authorization: Basic` for the OAuth endpoints);
- query parameters: only names the endpoint declares; `page_size` an integer 1..100,
  `start_cursor` non-empty;
- the body: none for GET and DELETE; otherwise a JSON object (`Content-Type: application/json`)
  whose top-level names the endpoint declares; and, for the endpoints that write content or
  search, the shapes Notion documents (the client's `.d.ts` types spell them out):
  rich text (`text.content` at most 2,000 UTF-16 code units, at most 100 items, absolute link
  URLs, annotation names and colours), blocks (the request block types, their members, code
  languages, at most 100 children per array and two levels of nesting below a request's
  top-level blocks), page parents, icons, property values (title, rich_text, number, url,
  email, phone_number, select, status, multi_select, people, date, checkbox, relation), search
  filters and sorts (`value` is `page` or `data_source` since 2025-09-03), and data source
  query sorts and the outer structure of filters.

Not checked: responses; which capabilities an integration has; whether ids exist; the inner
conditions of a data source filter beyond naming a property type or `and`/`or` lists; the
request shapes of endpoints no plugin of this project sends (comments, file uploads, views,
agents), beyond their parameter names.
"""

import json
import re
from pathlib import Path


class NotionDescription:
    def __init__(self, endpoints_dir: str):
        folder = Path(endpoints_dir)
        self.version = _default_version(folder.parent / "Client.js")
        self.endpoints = []
        for file in sorted(folder.glob("*.js")):
            self.endpoints += _endpoints(file.read_text())
        if len(self.endpoints) < 50:
            raise SystemExit(f"{folder}: only {len(self.endpoints)} endpoints read from the client's table")

    def check(self, request):
        from descriptions import Verdict

        endpoint = self._route(request)
        if endpoint is None:
            return Verdict(None, [f"no endpoint of @notionhq/client is {request.method} {request.path}"])
        operation = f"{endpoint['method'].upper()} /{endpoint['template']}"
        violations = self._headers(request, endpoint)
        violations += self._query(request, endpoint)
        violations += self._body(request, endpoint)
        return Verdict(operation, violations)

    def _route(self, request):
        path = request.path.strip("/")
        found = []
        for endpoint in self.endpoints:
            if endpoint["method"] != request.method.lower():
                continue
            if endpoint["regex"].fullmatch(path):
                found.append(endpoint)
        # `users/me` before `users/{user_id}`: the most literal template wins.
        found.sort(key=lambda e: -e["literal"])
        return found[0] if found else None

    def _headers(self, request, endpoint):
        out = []
        version = request.header("notion-version")
        if version != self.version:
            out.append(f"Notion-Version is {version!r}; @notionhq/client sends {self.version!r}")
        auth = request.header("authorization") or ""
        scheme, _, credential = auth.partition(" ")
        wanted = "basic" if endpoint["template"].startswith("oauth/") else "bearer"
        if scheme.lower() != wanted or not credential.strip():
            out.append(f"no `Authorization: {wanted.capitalize()} ...` header")
        return out

    def _query(self, request, endpoint):
        out = []
        for name, value in request.query_pairs():
            if name not in endpoint["query"]:
                out.append(f"query parameter {name!r} is not one of {endpoint['query']}")
            elif name == "page_size" and not (value.isdigit() and 1 <= int(value) <= 100):
                out.append(f"page_size {value!r} is not an integer from 1 to 100")
            elif name == "start_cursor" and not value:
                out.append("start_cursor is empty")
        return out

    def _body(self, request, endpoint):
        if endpoint["method"] in ("get", "delete"):
            return [f"a {endpoint['method'].upper()} takes no body"] if request.body else []
        if not request.body:
            return []
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return [f"the body's Content-Type is {content_type!r}, not application/json"]
        try:
            body = json.loads(request.body)
        except ValueError as e:
            return [f"the body is not JSON: {e}"]
        if not isinstance(body, dict):
            return ["the body is not a JSON object"]
        out = [
            f"body parameter {name!r} is not one of {endpoint['body']}" for name in body if name not in endpoint["body"]
        ]
        shape = SHAPES.get(f"{endpoint['method'].upper()} /{endpoint['template']}")
        if shape is not None:
            shape(body, out)
        return out


def _default_version(client_js: Path) -> str:
    match = re.search(r'defaultNotionVersion\s*=\s*"([^"]+)"', client_js.read_text())
    if match is None:
        raise SystemExit(f"{client_js}: no defaultNotionVersion")
    return match.group(1)


_EXPORT = re.compile(r"exports\.(\w+)\s*=\s*\{(.*?)\n\};", re.S)


def _names(block: str, key: str) -> list:
    match = re.search(key + r":\s*\[(.*?)\]", block, re.S)
    return re.findall(r'"([^"]+)"', match.group(1)) if match else []


def _endpoints(text: str) -> list:
    out = []
    for name, block in _EXPORT.findall(text):
        method = re.search(r'method:\s*"(\w+)"', block)
        path = re.search(r"path:\s*\(\w*\)\s*=>\s*`([^`]*)`", block)
        if method is None or path is None:
            continue
        template = re.sub(r"\$\{p\.(\w+)\}", r"{\1}", path.group(1))
        regex = ""
        literal = 0
        for part in re.split(r"(\{\w+\})", template):
            if part.startswith("{"):
                regex += "[^/]+"
            else:
                regex += re.escape(part)
                literal += len(part)
        out.append(
            {
                "name": name,
                "method": method.group(1),
                "template": template,
                "regex": re.compile(regex),
                "literal": literal,
                "query": _names(block, "queryParams"),
                "body": _names(block, "bodyParams"),
            }
        )
    return out


# ---- Notion's documented request shapes (`@notionhq/client` 5.26.0 `.d.ts` types) ----

MAX_TEXT = 2000
MAX_ITEMS = 100
MAX_CHILDREN = 100

COLORS = {
    "default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red",
    "default_background", "gray_background", "brown_background", "orange_background",
    "yellow_background", "green_background", "blue_background", "purple_background",
    "pink_background", "red_background",
}
ANNOTATIONS = {"bold", "italic", "strikethrough", "underline", "code", "color"}
LANGUAGES = {
    "abap", "abc", "agda", "arduino", "ascii art", "assembly", "bash", "basic", "bnf", "c", "c#",
    "c++", "clojure", "coffeescript", "coq", "css", "dart", "dhall", "diff", "docker", "ebnf",
    "elixir", "elm", "erlang", "f#", "flow", "fortran", "gherkin", "glsl", "go", "graphql",
    "groovy", "haskell", "hcl", "html", "idris", "java", "javascript", "json", "julia", "kotlin",
    "latex", "less", "lisp", "livescript", "llvm ir", "lua", "makefile", "markdown", "markup",
    "matlab", "mathematica", "mermaid", "nix", "notion formula", "objective-c", "ocaml", "pascal",
    "perl", "php", "plain text", "powershell", "prolog", "protobuf", "purescript", "python", "r",
    "racket", "reason", "ruby", "rust", "sass", "scala", "scheme", "scss", "shell", "smalltalk",
    "solidity", "sql", "swift", "toml", "typescript", "vb.net", "verilog", "vhdl",
    "visual basic", "webassembly", "xml", "yaml", "java/c/c++/c#",
}
# Blocks whose body is rich text, and the members each takes beside `rich_text`.
TEXT_BLOCKS = {
    "paragraph": {"color", "children", "icon"},
    "heading_1": {"color", "is_toggleable", "children"},
    "heading_2": {"color", "is_toggleable", "children"},
    "heading_3": {"color", "is_toggleable", "children"},
    "heading_4": {"color", "is_toggleable", "children"},
    "bulleted_list_item": {"color", "children"},
    "numbered_list_item": {"color", "children"},
    "quote": {"color", "children"},
    "to_do": {"color", "children", "checked"},
    "toggle": {"color", "children"},
    "template": {"children"},
    "callout": {"color", "children", "icon"},
}
# The other request block types; beside code (its language checked) and dividers and
# breadcrumbs (empty), their bodies are checked only for being objects.
OTHER_BLOCKS = {
    "code", "divider", "embed", "bookmark", "image", "video", "pdf", "file", "audio", "equation",
    "breadcrumb", "tab", "table_of_contents", "link_to_page", "table_row", "table", "column_list",
    "column", "synced_block",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?")
_ID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")


def _kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return {dict: "an object", list: "an array"}.get(type(value), type(value).__name__)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _url(value) -> bool:
    return isinstance(value, str) and re.match(r"(https?|mailto):", value) is not None


def rich_text(items, where, out):
    if not isinstance(items, list):
        return out.append(f"{where}: rich text is an array, not {_kind(items)}")
    if len(items) > MAX_ITEMS:
        out.append(f"{where}: {len(items)} rich text items, over Notion's limit of {MAX_ITEMS}")
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            out.append(f"{at}: a rich text item is an object, not {_kind(item)}")
            continue
        kind = item.get("type", "text" if "text" in item else None)
        if kind not in ("text", "mention", "equation"):
            out.append(f"{at}: rich text type {kind!r} is not text, mention or equation")
            continue
        for key in item:
            if key not in ("type", kind, "annotations"):
                out.append(f"{at}: rich text member {key!r} is not in a request")
        if kind == "text":
            text = item.get("text")
            if not isinstance(text, dict) or not isinstance(text.get("content"), str):
                out.append(f"{at}.text: needs a string `content`")
                continue
            for key in text:
                if key not in ("content", "link"):
                    out.append(f"{at}.text: member {key!r} is not content or link")
            if _utf16(text["content"]) > MAX_TEXT:
                out.append(f"{at}.text.content: {_utf16(text['content'])} characters, over Notion's limit of {MAX_TEXT}")
            link = text.get("link")
            if link is not None and (not isinstance(link, dict) or not _url(link.get("url"))):
                out.append(f"{at}.text.link: needs an absolute `url`, not {json.dumps(link)}")
        annotations = item.get("annotations", {})
        if not isinstance(annotations, dict):
            out.append(f"{at}.annotations: an object, not {_kind(annotations)}")
            continue
        for key, value in annotations.items():
            if key not in ANNOTATIONS:
                out.append(f"{at}.annotations: {key!r} is not an annotation")
            elif key == "color" and value not in COLORS:
                out.append(f"{at}.annotations.color: {value!r} is not a Notion colour")
            elif key != "color" and not isinstance(value, bool):
                out.append(f"{at}.annotations.{key}: a boolean, not {_kind(value)}")


def blocks(items, where, out, depth=0):
    """A request's `children`: at most 100 each, nested at most two levels below the top."""
    if not isinstance(items, list):
        return out.append(f"{where}: children are an array, not {_kind(items)}")
    if len(items) > MAX_CHILDREN:
        out.append(f"{where}: {len(items)} blocks, over Notion's limit of {MAX_CHILDREN} per request")
    for i, block in enumerate(items):
        _block(block, f"{where}[{i}]", out, depth)


def _block(block, at, out, depth):
    if not isinstance(block, dict):
        return out.append(f"{at}: a block is an object, not {_kind(block)}")
    types = [key for key in block if key in TEXT_BLOCKS or key in OTHER_BLOCKS]
    if len(types) != 1:
        return out.append(f"{at}: a block has exactly one body named by its type, not {sorted(block)}")
    kind = types[0]
    for key, value in block.items():
        if key == "object" and value != "block":
            out.append(f"{at}.object: {value!r} is not 'block'")
        elif key == "type" and value != kind:
            out.append(f"{at}.type: {value!r} does not name its body {kind!r}")
        elif key not in ("object", "type", kind):
            out.append(f"{at}: member {key!r} is not in a block request")
    body = block[kind]
    if not isinstance(body, dict):
        return out.append(f"{at}.{kind}: an object, not {_kind(body)}")
    if kind in TEXT_BLOCKS:
        if "rich_text" not in body:
            out.append(f"{at}.{kind}: needs `rich_text`")
        else:
            rich_text(body["rich_text"], f"{at}.{kind}.rich_text", out)
        for key, value in body.items():
            if key != "rich_text" and key not in TEXT_BLOCKS[kind]:
                out.append(f"{at}.{kind}: member {key!r} is not in a {kind} block")
            elif key == "color" and value not in COLORS:
                out.append(f"{at}.{kind}.color: {value!r} is not a Notion colour")
            elif key in ("checked", "is_toggleable") and not isinstance(value, bool):
                out.append(f"{at}.{kind}.{key}: a boolean, not {_kind(value)}")
    elif kind == "code":
        _code_block(body, at, out)
    elif kind in ("divider", "breadcrumb") and body:
        out.append(f"{at}.{kind}: an empty object")
    children = body.get("children")
    if children is not None:
        if depth >= 2:
            out.append(f"{at}.{kind}.children: blocks nest at most two levels below a request's top-level blocks")
        else:
            blocks(children, f"{at}.{kind}.children", out, depth + 1)


def _code_block(body, at, out):
    rich_text(body.get("rich_text"), f"{at}.code.rich_text", out)
    if body.get("language") not in LANGUAGES:
        out.append(f"{at}.code.language: {body.get('language')!r} is not a language Notion knows")
    for key in body:
        if key not in ("rich_text", "language", "caption"):
            out.append(f"{at}.code: member {key!r} is not in a code block")
    if "caption" in body:
        rich_text(body["caption"], f"{at}.code.caption", out)



def icon(value, where, out):
    if value is None:
        return
    kinds = ("emoji", "external", "file_upload", "custom_emoji", "icon")
    if not isinstance(value, dict) or sum(k in value for k in kinds) != 1:
        return out.append(f"{where}: an icon is one of {list(kinds)}, not {json.dumps(value)}")
    if "emoji" in value and not isinstance(value["emoji"], str):
        out.append(f"{where}.emoji: a string")
    if value.get("type") is not None and value["type"] not in value:
        out.append(f"{where}.type: {value['type']!r} does not name its member")


def parent(value, where, out):
    kinds = ("page_id", "database_id", "data_source_id", "workspace")
    if not isinstance(value, dict):
        return out.append(f"{where}: an object, not {_kind(value)}")
    present = [k for k in kinds if k in value]
    if len(present) != 1:
        return out.append(f"{where}: exactly one of {list(kinds)}, not {sorted(value)}")
    kind = present[0]
    if value.get("type", kind) != kind:
        out.append(f"{where}.type: {value['type']!r} does not name its member {kind!r}")
    for key in value:
        if key not in ("type", kind):
            out.append(f"{where}: member {key!r} is not in a parent")
    if kind != "workspace" and not (isinstance(value[kind], str) and _ID.fullmatch(value[kind])):
        out.append(f"{where}.{kind}: {value[kind]!r} is not a Notion id")


def _option(value, at, out):
    if not isinstance(value, dict) or not ("name" in value or "id" in value):
        return out.append(f"{at}: an option is an object with `name` or `id`, not {json.dumps(value)}")
    for key in value:
        if key not in ("name", "id", "color", "description"):
            out.append(f"{at}: member {key!r} is not in an option")


def property_value(value, at, out):
    kinds = (
        "title", "rich_text", "number", "url", "select", "multi_select", "people", "email",
        "phone_number", "date", "checkbox", "relation", "files", "status", "place", "verification",
    )
    if not isinstance(value, dict):
        return out.append(f"{at}: a property value is an object, not {_kind(value)}")
    present = [k for k in kinds if k in value]
    if len(present) != 1:
        return out.append(f"{at}: a property value has one member named by its type, not {sorted(value)}")
    kind = present[0]
    for key in value:
        if key not in ("type", kind):
            out.append(f"{at}: member {key!r} is not in a property value")
    if value.get("type", kind) != kind:
        out.append(f"{at}.type: {value['type']!r} does not name its member {kind!r}")
    v = value[kind]
    at = f"{at}.{kind}"
    if kind in ("title", "rich_text"):
        rich_text(v, at, out)
    elif kind == "number" and v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
        out.append(f"{at}: a number or null, not {_kind(v)}")
    elif kind in ("url", "email", "phone_number") and v is not None and not isinstance(v, str):
        out.append(f"{at}: a string or null, not {_kind(v)}")
    elif kind in ("select", "status") and v is not None:
        _option(v, at, out)
    elif kind == "multi_select":
        if not isinstance(v, list):
            return out.append(f"{at}: an array of options, not {_kind(v)}")
        for i, option in enumerate(v):
            _option(option, f"{at}[{i}]", out)
    elif kind in ("people", "relation"):
        if not isinstance(v, list):
            return out.append(f"{at}: an array, not {_kind(v)}")
        for i, item in enumerate(v):
            allowed = ("id", "object") if kind == "people" else ("id",)
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or any(k not in allowed for k in item):
                out.append(f"{at}[{i}]: an object with `id` ({', '.join(allowed)}), not {json.dumps(item)}")
            elif kind == "people" and item.get("object", "user") not in ("user", "group"):
                out.append(f"{at}[{i}].object: {item['object']!r} is not user or group")
    elif kind == "date" and v is not None:
        if not isinstance(v, dict) or not isinstance(v.get("start"), str):
            return out.append(f"{at}: an object with a `start` date, not {json.dumps(v)}")
        for key in v:
            if key not in ("start", "end", "time_zone"):
                out.append(f"{at}: member {key!r} is not in a date")
        for key in ("start", "end"):
            if isinstance(v.get(key), str) and not _DATE.fullmatch(v[key]):
                out.append(f"{at}.{key}: {v[key]!r} is not an ISO 8601 date or date-time")
    elif kind == "checkbox" and not isinstance(v, bool):
        out.append(f"{at}: a boolean, not {_kind(v)}")


def properties(value, where, out):
    if not isinstance(value, dict):
        return out.append(f"{where}: an object of property values, not {_kind(value)}")
    for name, item in value.items():
        property_value(item, f"{where}[{name!r}]", out)


def _page_size(body, out):
    size = body.get("page_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 100):
        out.append(f"page_size: {size!r} is not an integer from 1 to 100")
    cursor = body.get("start_cursor")
    if cursor is not None and (not isinstance(cursor, str) or not cursor):
        out.append(f"start_cursor: {cursor!r} is not a cursor")


def _search(body, out):
    _page_size(body, out)
    if "query" in body and not isinstance(body["query"], str):
        out.append(f"query: a string, not {_kind(body['query'])}")
    f = body.get("filter")
    if f is not None:
        if not isinstance(f, dict):
            out.append(f"filter: an object, not {_kind(f)}")
        elif "property" in f or "value" in f:
            if f.get("property") != "object" or f.get("value") not in ("page", "data_source"):
                out.append(
                    f"filter: {{\"property\": \"object\", \"value\": \"page\" or \"data_source\"}} (since 2025-09-03), not {json.dumps(f)}"
                )
    s = body.get("sort")
    if s is not None:
        ok = isinstance(s, dict) and (
            (s.get("timestamp") == "last_edited_time" and s.get("direction") in ("ascending", "descending"))
            or s == {"property": "relevance"}
        )
        if not ok:
            out.append(f"sort: {json.dumps(s)} is not a search sort")


def _create_page(body, out):
    if "parent" not in body:
        out.append("parent: required")
    else:
        parent(body["parent"], "parent", out)
    if "properties" in body:
        properties(body["properties"], "properties", out)
    if "children" in body:
        blocks(body["children"], "children", out)
    icon(body.get("icon"), "icon", out)


def _update_page(body, out):
    if "properties" in body:
        properties(body["properties"], "properties", out)
    for key in ("in_trash", "archived", "is_locked"):
        if key in body and not isinstance(body[key], bool):
            out.append(f"{key}: a boolean, not {_kind(body[key])}")
    icon(body.get("icon"), "icon", out)


def _append(body, out):
    if "children" not in body:
        out.append("children: required")
    else:
        blocks(body["children"], "children", out)
    after = body.get("after")
    if after is not None and not (isinstance(after, str) and _ID.fullmatch(after)):
        out.append(f"after: {after!r} is not a block id")


def _filter(value, at, out, depth=0):
    if not isinstance(value, dict):
        return out.append(f"{at}: a filter is an object, not {_kind(value)}")
    if "and" in value or "or" in value:
        key = "and" if "and" in value else "or"
        if len(value) != 1 or not isinstance(value[key], list):
            return out.append(f"{at}: a compound filter is one `and` or `or` array")
        if depth >= 2:
            out.append(f"{at}: compound filters nest at most two levels")
        for i, item in enumerate(value[key]):
            _filter(item, f"{at}.{key}[{i}]", out, depth + 1)
    elif "timestamp" in value:
        if value["timestamp"] not in ("created_time", "last_edited_time"):
            out.append(f"{at}.timestamp: {value['timestamp']!r} is not created_time or last_edited_time")
    elif not isinstance(value.get("property"), str):
        out.append(f"{at}: a property filter names its `property`")
    elif len([k for k in value if k not in ("property", "type")]) != 1:
        out.append(f"{at}: a property filter has one condition named by the property's type, not {sorted(value)}")


def _query(body, out):
    _page_size(body, out)
    if "filter" in body:
        _filter(body["filter"], "filter", out)
    sorts = body.get("sorts", [])
    if not isinstance(sorts, list):
        return out.append(f"sorts: an array, not {_kind(sorts)}")
    for i, s in enumerate(sorts):
        by = [k for k in ("property", "timestamp") if k in (s if isinstance(s, dict) else {})]
        if (
            not isinstance(s, dict)
            or len(by) != 1
            or s.get("direction") not in ("ascending", "descending")
            or any(k not in (by[0], "direction") for k in s)
        ):
            out.append(f"sorts[{i}]: {{property or timestamp, direction}}, not {json.dumps(s)}")
        elif by[0] == "timestamp" and s["timestamp"] not in ("created_time", "last_edited_time"):
            out.append(f"sorts[{i}].timestamp: {s['timestamp']!r} is not created_time or last_edited_time")


SHAPES = {
    "POST /search": _search,
    "POST /pages": _create_page,
    "PATCH /pages/{page_id}": _update_page,
    "PATCH /blocks/{block_id}/children": _append,
    "POST /data_sources/{data_source_id}/query": _query,
}


def is_notion_endpoints(path: str) -> bool:
    """Whether `path` is the endpoint folder of npm `@notionhq/client`."""
    folder = Path(path)
    return folder.is_dir() and folder.name == "api-endpoints" and (folder.parent / "Client.js").exists()
