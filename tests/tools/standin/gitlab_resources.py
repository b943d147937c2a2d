"""GitLab REST v4 requests checked against PyPI `python-gitlab`'s resource tables.

(Named `gitlab_resources`, not `gitlab`: this folder is first on `sys.path`, and a module
`gitlab` here would hide the package it reads.)

GitLab publishes no OpenAPI description that can be had offline (../shared/specs/README.md).
The official-by-adoption Python client is the closest thing: every resource manager in
`gitlab.v4.objects` carries its path template (`_path`, e.g.
`/projects/{project_id}/issues`), the body fields it sends on create and update
(`_create_attrs`, `_update_attrs`: `required`, `optional` and `exclusive` names), the query
filters of its list (`_list_filters`), the extra query of a single read (`_optional_get_attrs`),
the attributes sent as arrays or comma lists (`_types`), and, by its mixins, which methods the
resource takes (`ListMixin` GET on the collection, `GetMixin` GET on `/{id}`, `CreateMixin`
POST, `UpdateMixin` PUT (or its `_update_method`), `DeleteMixin` DELETE). This module imports
those classes (python-gitlab 8.6.0, pinned in requirements.txt) and checks, for every request
below `/api/v4`:

- the route: method and path against every manager's template, a placeholder being one path
  segment; a project (`{project_id}`, or `{id}` of `/projects`) is a numeric id or a full path
  URL-encoded as one segment (`acme%2Fapp`; an unencoded `acme/app` reaches no resource), and an
  `*_iid` placeholder is a number. The verdict's operation is `METHOD /template`
  (`PUT /projects/{project_id}/issues/{id}`);
- headers: exactly one credential, `Authorization: Bearer ...` (OAuth) or `PRIVATE-TOKEN`;
- the query of a read: only the list's filters (with `[]` for array attributes) and GitLab's
  paging parameters (`page` >= 1, `per_page` 1..100, `pagination=keyset` only on
  `GET /projects` ordered by `id`) on a list; only the read's optional attributes on a single
  read; `sort` `asc` or `desc`;
- the attributes of a write, from its JSON body and its query together (GitLab takes both): no
  body on GET and DELETE; otherwise a JSON object; only names the create or update attributes
  declare, every required one present, exactly one of an `exclusive` set; and `state_event` one
  of `close`/`reopen` (GitLab's documented values).

Not checked (python-gitlab does not say): the values' types beyond the above (booleans,
integers, dates, enums of `state`, `scope`, `order_by`...), which filters combine, response
shapes, scopes, and custom actions outside the managers' tables (`/merge_requests/:iid/diffs`
and a few query attributes come from the overlay `overlays/gitlab.py`, which says why).
"""

import json
import re


PAGING = {"page", "per_page", "pagination"}


class GitlabDescription:
    def __init__(self, overlay=None):
        import gitlab
        import gitlab.base as base
        import gitlab.mixins as mixins
        import gitlab.v4.objects as objects

        self.version = gitlab.__version__
        self.routes = {}
        for manager in vars(objects).values():
            if not (isinstance(manager, type) and issubclass(manager, base.RESTManager)):
                continue
            path = getattr(manager, "_path", None)
            if not path:
                continue
            types = getattr(manager, "_types", {}) or {}
            arrays = {n for n, t in types.items() if t.__name__ == "ArrayAttribute"}
            one = path + "/{id}"
            if issubclass(manager, mixins.ListMixin):
                self._add("GET", path, query=manager._list_filters, arrays=arrays, listing=True)
            if issubclass(manager, mixins.GetMixin):
                self._add("GET", one, query=manager._optional_get_attrs)
            if issubclass(manager, mixins.GetWithoutIdMixin):
                self._add("GET", path, query=manager._optional_get_attrs)
            if issubclass(manager, mixins.CreateMixin):
                self._add("POST", path, attrs=manager._create_attrs)
            if issubclass(manager, mixins.UpdateMixin):
                method = manager._update_method.name  # PUT, PATCH or POST
                self._add(method, one, attrs=manager._update_attrs)
            if issubclass(manager, mixins.DeleteMixin):
                self._add("DELETE", one)
        if len(self.routes) < 200:
            raise SystemExit(f"python-gitlab {self.version}: only {len(self.routes)} routes read")
        if overlay is not None:
            overlay.apply(self)

    def _add(self, method, template, query=(), arrays=(), attrs=None, listing=False):
        route = self.routes.get((method, template))
        if route is None:
            parts = template.strip("/").split("/")
            regex = "/".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            route = self.routes[(method, template)] = {
                "method": method,
                "template": template,
                "regex": re.compile("/" + regex),
                "names": [p[1:-1] if p.startswith("{") else None for p in parts],
                "literal": sum(1 for p in parts if not p.startswith("{")),
                "query": set(),
                "arrays": set(),
                "listing": False,
                "required": None,
                "optional": set(),
                "exclusive": set(),
            }
        route["query"] |= set(query)
        route["arrays"] |= set(arrays)
        route["listing"] |= listing
        if attrs is not None:
            required = set(attrs.required)
            # Two managers of one route: a field either requires is optional unless both do.
            route["required"] = required if route["required"] is None else route["required"] & required
            route["optional"] |= set(attrs.optional) | set(attrs.required)
            route["exclusive"] |= set(attrs.exclusive)

    def route(self, method, template):
        """A route the overlay corrects."""
        return self.routes[(method, template)]

    def check(self, request):
        from descriptions import Verdict

        route = self._route(request)
        if route is None:
            return Verdict(None, [f"no resource of python-gitlab {self.version} takes {request.method} {request.path}"])
        operation = f"{route['method']} {route['template']}"
        violations = self._path(request, route)
        violations += self._headers(request)
        violations += self._query(request, route)
        violations += self._body(request, route)
        return Verdict(operation, violations)

    def _route(self, request):
        found = [
            r for r in self.routes.values() if r["method"] == request.method.upper() and r["regex"].fullmatch(request.path)
        ]
        found.sort(key=lambda r: -r["literal"])
        return found[0] if found else None

    def _path(self, request, route):
        from urllib.parse import unquote

        out = []
        parts = request.path.strip("/").split("/")
        for i, (name, raw) in enumerate(zip(route["names"], parts)):
            if name is None:
                continue
            value = unquote(raw)
            is_project = name == "project_id" or (name == "id" and i == 1 and parts[0] == "projects")
            if is_project and not re.fullmatch(r"[0-9]+|[\w.-]+(/[\w.-]+)+", value):
                out.append(f"{{{name}}} {raw!r} is neither a numeric project id nor a namespace/project path")
            elif (name.endswith("iid") or name == "id") and not is_project and not raw.isdigit():
                out.append(f"{{{name}}} {raw!r} is not a number")
        return out

    def _headers(self, request):
        bearer = (request.header("authorization") or "").startswith("Bearer ")
        token = bool(request.header("private-token"))
        if bearer == token:
            return ["exactly one credential is needed: `Authorization: Bearer ...` or `PRIVATE-TOKEN`"]
        return []

    def _query(self, request, route):
        out = []
        pairs = request.query_pairs()
        if route["method"] != "GET":
            return []  # a write's attributes may come in the query too: checked with the body
        allowed = set(route["query"]) | (PAGING if route["listing"] else set())
        values = dict(pairs)
        for name, value in pairs:
            base = name[:-2] if name.endswith("[]") else name
            if name.endswith("[]") and base not in route["arrays"]:
                out.append(f"query parameter {name!r}: {base!r} is not an array attribute")
            elif base not in allowed:
                out.append(f"query parameter {name!r} is not one of {sorted(allowed)}")
            elif name == "per_page" and not (value.isdigit() and 1 <= int(value) <= 100):
                out.append(f"per_page {value!r} is not an integer from 1 to 100")
            elif name == "page" and not (value.isdigit() and int(value) >= 1):
                out.append(f"page {value!r} is not an integer from 1")
            elif name == "sort" and value not in ("asc", "desc"):
                out.append(f"sort {value!r} is not asc or desc")
            elif name == "pagination":
                if value != "keyset":
                    out.append(f"pagination {value!r} is not keyset")
                elif route["template"] != "/projects" or values.get("order_by") != "id":
                    out.append("keyset pagination is only for GET /projects ordered by id")
        return out

    def _body(self, request, route):
        if route["method"] in ("GET", "DELETE"):
            return [f"a {route['method']} takes no body"] if request.body else []
        if not request.body:
            body = {}
        else:
            content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return [f"the body's Content-Type is {content_type!r}, not application/json"]
            try:
                body = json.loads(request.body)
            except ValueError as e:
                return [f"the body is not JSON: {e}"]
            if not isinstance(body, dict):
                return ["the body is not a JSON object"]
        # GitLab takes a write's attributes from the query as well as from the body (its docs'
        # examples put them in the query).
        body = {**dict(request.query_pairs()), **body}
        if route["required"] is None:
            return [f"python-gitlab sends no attributes to {route['method']} {route['template']}"] if body else []
        declared = route["optional"] | route["exclusive"]
        out = [f"body field {n!r} is not one of {sorted(declared)}" for n in body if n not in declared]
        out += [f"body field {n!r} is required" for n in sorted(route["required"]) if n not in body]
        if route["exclusive"]:
            given = [n for n in body if n in route["exclusive"]]
            if len(given) != 1:
                out.append(f"exactly one of {sorted(route['exclusive'])} is needed, got {given}")
        if "state_event" in body and body["state_event"] not in ("close", "reopen"):
            out.append(f"state_event {body['state_event']!r} is not close or reopen")
        return out


def is_gitlab_objects(path: str) -> bool:
    """Whether `path` is python-gitlab's `gitlab/v4/objects` folder."""
    return path.rstrip("/").endswith("gitlab/v4/objects")
