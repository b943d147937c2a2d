"""Salesforce REST API requests checked by hand against Salesforce's REST API Developer Guide
and the describe fixtures in `salesforce-describes/`.

No machine-readable description of Salesforce's REST API exists offline: its OpenAPI document is
generated per org (../shared/specs/README.md). The description here is the folder
`salesforce-describes/`: one `GET sobjects/{Object}/describe` answer per object (Account,
Contact, Lead, Opportunity, Case, Task), shaped as the guide's DescribeSObjectResult, with the
standard fields Salesforce has and custom `__c` fields of every kind a plugin must handle
(picklists with inactive and dependent values, multi-select picklists, formula fields, compound
addresses, polymorphic references). Tests serve these same files as the describe answers, so
the stand-in checks each record body against the describe the plugin was served.

Checked, for requests below `/services/data/v62.0` (the version the plugin uses):

- the route and method: `GET /query?q=` and `/queryAll?q=` (a SOQL `SELECT`), `GET
  /query/{locator}` (a `nextRecordsUrl`'s query locator, `01gD0000002HU6KIAW-2000`), `GET
  /search?q=` (a SOSL `FIND`), `GET /sobjects`, `GET /sobjects/{Object}/describe`, `GET`,
  `PATCH` and `DELETE /sobjects/{Object}/{id}`, `POST /sobjects/{Object}`; an object with a
  describe fixture, a record id of 15 or 18 letters and digits whose key prefix is the object's;
- query parameters: only those the resource takes (`q`; `fields` on a record, each an API name
  of the object or a relationship path);
- headers: `Authorization: Bearer ...`; `Content-Type: application/json` with a body;
  `Sforce-Query-Options: batchSize=N` with N from 200 to 2000 when sent;
- bodies, field by field against the object's describe: no unknown field; on create only
  `createable` fields, on update only `updateable` ones, never a formula (`calculated`) or
  compound (address) field; every field required on create present (`nillable` false,
  `createable`, not `defaultedOnCreate`); `null` only for nillable fields; the JSON type of
  each Salesforce type (string kinds as strings within `length`, `boolean`, `int` as an
  integer, `double`/`currency`/`percent` as numbers); an `email` with an `@`; a `date` as
  `YYYY-MM-DD` and a `datetime` as ISO 8601; a `reference` as a record id; a picklist value
  among the field's active values and a multi-select picklist as active values joined by `;`;
  no body on GET and DELETE.

Outside `/services/data`, `GET /services/oauth2/userinfo` (the org's OpenID userinfo endpoint)
is accepted with a bearer token.

Not checked: responses; the SOQL and SOSL grammars beyond their first keyword; whether records
exist; field-level security and sharing; dependent picklist values against their controlling
field (Salesforce checks `validFor` bitmaps); record types.
"""

import json
import re
from pathlib import Path

VERSION = "v62.0"
PREFIX = f"/services/data/{VERSION}"

ID = re.compile(r"[A-Za-z0-9]{15}([A-Za-z0-9]{3})?")
LOCATOR = re.compile(r"[A-Za-z0-9]{15,18}-\d+")
API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})")
STRINGS = {"string", "textarea", "email", "url", "phone", "picklist", "multipicklist", "combobox",
           "encryptedstring", "reference", "date", "datetime", "time", "base64", "id"}


class SalesforceDescription:
    def __init__(self, folder: str):
        self.objects = {}
        for file in sorted(Path(folder).glob("*.json")):
            describe = json.loads(file.read_text())
            self.objects[describe["name"]] = describe
        if not self.objects:
            raise SystemExit(f"{folder}: no describe fixtures")

    def check(self, request):
        from descriptions import Verdict

        path = request.path
        if path == "/services/oauth2/userinfo":
            return Verdict(f"{request.method} /services/oauth2/userinfo",
                           self._no_body(request) + self._bearer(request) +
                           ([] if request.method == "GET" else [f"{request.method} is not GET"]))
        if not path.startswith(PREFIX + "/"):
            return Verdict(None, [f"{path} is not below {PREFIX} (the plugin's API version)"])
        parts = path[len(PREFIX) + 1:].split("/")
        route = self._route(request.method, parts)
        if isinstance(route, str):
            return Verdict(None, [route])
        operation, params, body_check = route
        out = self._bearer(request)
        out += self._query(request, operation, params)
        options = request.header("sforce-query-options")
        if options is not None:
            match = re.fullmatch(r"batchSize=(\d+)", options.strip())
            if operation not in ("GET /query", "GET /queryAll", "GET /query/{locator}"):
                out.append("Sforce-Query-Options is a header of queries only")
            elif match is None or not 200 <= int(match.group(1)) <= 2000:
                out.append(f"Sforce-Query-Options {options!r} is not batchSize=200..2000")
        if body_check is None:
            out += self._no_body(request)
        else:
            out += body_check(request)
        return Verdict(operation, out)

    def _route(self, method, parts):
        """(operation, {name: value}, body check or None), or why the route does not exist."""
        n = len(parts)
        if parts[0] in ("query", "queryAll") and n == 1 and method == "GET":
            return f"GET /{parts[0]}", {}, None
        if parts[0] == "query" and n == 2 and method == "GET":
            if not LOCATOR.fullmatch(parts[1]):
                return f"{parts[1]!r} is not a query locator like 01gD0000002HU6KIAW-2000"
            return "GET /query/{locator}", {}, None
        if parts == ["search"] and method == "GET":
            return "GET /search", {}, None
        if parts == ["sobjects"] and method == "GET":
            return "GET /sobjects", {}, None
        if parts[0] != "sobjects" or n not in (2, 3):
            return f"no Salesforce REST resource is {method} {PREFIX}/{'/'.join(parts)}"
        name = parts[1]
        describe = self.objects.get(name)
        if describe is None:
            return f"no describe fixture for object {name!r} (have {sorted(self.objects)})"
        if n == 2:
            if method != "POST":
                return f"{method} /sobjects/{name} is not a resource (POST creates a record)"
            return "POST /sobjects/{object}", {"object": name}, lambda r: self._record(r, describe, create=True)
        if parts[2] == "describe":
            if method != "GET":
                return f"{method} /sobjects/{name}/describe is not a resource"
            return "GET /sobjects/{object}/describe", {"object": name}, None
        record = parts[2]
        if not ID.fullmatch(record):
            return f"{record!r} is not a record id (15 or 18 letters and digits)"
        if not record.startswith(describe["keyPrefix"]):
            return f"{record!r} is not a {name} id (those start with {describe['keyPrefix']})"
        params = {"object": name, "id": record}
        if method == "GET":
            return "GET /sobjects/{object}/{id}", params, None
        if method == "PATCH":
            return "PATCH /sobjects/{object}/{id}", params, lambda r: self._record(r, describe, create=False)
        if method == "DELETE":
            return "DELETE /sobjects/{object}/{id}", params, None
        return f"{method} /sobjects/{name}/{{id}} is not a resource"

    def _bearer(self, request):
        scheme, _, credential = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return ["no `Authorization: Bearer ...` header"]
        return []

    def _no_body(self, request):
        return [f"a {request.method} takes no body"] if request.body else []

    def _query(self, request, operation, params):
        allowed = {
            "GET /query": {"q"},
            "GET /queryAll": {"q"},
            "GET /search": {"q"},
            "GET /sobjects/{object}/{id}": {"fields"},
        }.get(operation, set())
        out = []
        pairs = request.query_pairs()
        names = [name for name, _ in pairs]
        for name, value in pairs:
            if name not in allowed:
                out.append(f"query parameter {name!r} is not taken by {operation}")
            elif names.count(name) > 1:
                out.append(f"query parameter {name!r} is repeated")
            elif name == "q":
                keyword = "FIND" if operation == "GET /search" else "SELECT"
                if not value.strip().upper().startswith(keyword):
                    out.append(f"q is not a {'SOSL' if keyword == 'FIND' else 'SOQL'} {keyword}: {value!r}")
            elif name == "fields":
                known = {f["name"] for f in self.objects[params["object"]]["fields"]}
                relations = {f["relationshipName"] for f in self.objects[params["object"]]["fields"] if f.get("relationshipName")}
                for one in value.split(","):
                    head = one.split(".")[0]
                    if "." in one and head not in relations:
                        out.append(f"fields: {one!r} is not a relationship of {params['object']}")
                    elif "." not in one and one not in known:
                        out.append(f"fields: {one!r} is not a field of {params['object']}")
        if "q" in allowed and "q" not in names:
            out.append(f"{operation} needs the query parameter q")
        return out

    def _record(self, request, describe, create):
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return [f"the body's Content-Type is {content_type!r}, not application/json"]
        try:
            body = json.loads(request.body)
        except ValueError as e:
            return [f"the body is not JSON: {e}"]
        if not isinstance(body, dict):
            return ["the body is not a JSON object of field values"]
        fields = {f["name"]: f for f in describe["fields"]}
        what = "create" if create else "update"
        out = []
        for name, value in body.items():
            field = fields.get(name)
            if field is None:
                out.append(f"{describe['name']} has no field {name!r}")
                continue
            if field["calculated"]:
                out.append(f"{name} is a formula field, which cannot be set")
            elif field["type"] in ("address", "location"):
                out.append(f"{name} is a compound field: set its parts")
            elif not field["createable" if create else "updateable"]:
                out.append(f"{name} is not {what}able")
            else:
                out += [f"{name}: {why}" for why in _value(field, value)]
        if create:
            for field in describe["fields"]:
                required = not field["nillable"] and field["createable"] and not field["defaultedOnCreate"]
                if required and field["name"] not in body:
                    out.append(f"{field['name']} is required to create a {describe['name']}")
        elif not body:
            out.append("an update with no fields")
        return out


def _value(field, value):
    """Why `value` is not a value of `field` (empty when it is)."""
    kind = field["type"]
    if value is None:
        return [] if field["nillable"] else ["null, but the field is not nillable"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{value!r} is not a boolean"]
    if kind == "int":
        return [] if isinstance(value, int) and not isinstance(value, bool) else [f"{value!r} is not an integer"]
    if kind in ("double", "currency", "percent"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{value!r} is not a number"]
    if kind not in STRINGS:
        return [f"type {kind} is not checked here"]
    if not isinstance(value, str):
        return [f"{value!r} is not a string"]
    if field["length"] and kind not in ("reference", "id") and len(value) > field["length"]:
        return [f"{len(value)} characters, more than {field['length']}"]
    active = [v["value"] for v in field["picklistValues"] if v["active"]]
    if kind == "picklist" and value not in active:
        return [f"{value!r} is not one of its active values {active}"]
    if kind == "multipicklist":
        bad = [v for v in value.split(";") if v not in active]
        return [f"{bad} are not among its active values {active} (values are joined by ';')"] if bad else []
    if kind == "reference" and not ID.fullmatch(value):
        return [f"{value!r} is not a record id"]
    if kind == "email" and "@" not in value:
        return [f"{value!r} is not an e-mail address"]
    if kind == "date" and not DATE.fullmatch(value):
        return [f"{value!r} is not a date YYYY-MM-DD"]
    if kind == "datetime" and not DATETIME.fullmatch(value):
        return [f"{value!r} is not an ISO 8601 date-time"]
    return []


def is_salesforce_describes(path: str) -> bool:
    """Whether `path` is the folder of Salesforce describe fixtures."""
    folder = Path(path)
    return folder.is_dir() and folder.name == "salesforce-describes"
