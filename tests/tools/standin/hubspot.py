"""HubSpot CRM requests checked against HubSpot's CRM v3 documentation, by hand.

HubSpot publishes OpenAPI files, but says they are not licensed for use outside its own
products (../shared/specs/README.md), so none is committed and this module writes down, from
HubSpot's developer documentation (CRM objects, search, properties, pipelines, associations v4,
notes, account info, error handling), what the endpoints the plugin uses take. The description
"file" is the folder `tests/tools/standin/hubspot`, holding the account the stand-in plays: its
property definitions per object (`properties-{object}.json`, shaped like `GET
/crm/v3/properties/{object}` answers; a test serves the same files as fixtures).

Checked, per request:
- the route: method and path against the endpoints below; object types `contacts`, `companies`,
  `deals`, `tickets`, `notes`; record ids numeric (or any value with `idProperty`); the operation
  is `METHOD /path` with the object type kept and ids written `{objectId}`
  (`PATCH /crm/v3/objects/deals/{objectId}`, `POST /crm/v3/objects/deals/search`);
- headers: `Authorization: Bearer <token>`; `Content-Type: application/json` with a body;
- query parameters: only the endpoint's documented ones (`properties`, `associations`,
  `idProperty`, `archived` ...), `archived` a boolean;
- bodies: none for GET and the v4 default association PUT; create `{properties, associations}`
  and update `{properties}` with every property name one of the account's properties of that
  object (the fixture) that a user may write (not `readOnlyValue`, not `calculated`), every value
  a string (HubSpot's `additionalProperties: string`; JSON numbers and booleans are accepted by
  the API but the plugin sends strings), and by the property's type: a number, `true`/`false`, a
  date `YYYY-MM-DD` (or midnight-UTC milliseconds), a date-time (ISO 8601 or milliseconds), an
  enumeration's option value (several `;`-joined for a checkbox), or `""` to clear; associations
  `{to: {id}, types: [{associationCategory, associationTypeId}]}`, and for notes the documented
  HUBSPOT_DEFINED note type ids (202 contact, 190 company, 214 deal, 228 ticket) and the
  required `hs_timestamp`;
- search: `filterGroups` (at most 5, 10 filters each, 25 in all) of filters with a known
  `propertyName`, an operator of the documented set and the value members that operator takes
  (`value`; `highValue` with BETWEEN; `values` with IN/NOT_IN; none with HAS_PROPERTY /
  NOT_HAS_PROPERTY), one sort `{propertyName, direction: ASCENDING|DESCENDING}` of a known
  property, `properties` a list of strings, `query` a string, `limit` an integer 1..200, `after`
  a string of digits.

Not checked: responses; which scopes a token carries; whether ids exist; search `properties`
names (HubSpot ignores unknown ones); objects other than the four and notes.
"""

import json
import re
from pathlib import Path

OBJECTS = ("contacts", "companies", "deals", "tickets")
NOTE_PROPERTIES = {"hs_note_body", "hs_timestamp", "hubspot_owner_id", "hs_attachment_ids"}
# HUBSPOT_DEFINED association type ids from a note to each object (associations v4 docs).
NOTE_TYPES = {202: "contacts", 190: "companies", 214: "deals", 228: "tickets"}
OPERATORS = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
    "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
}
CATEGORIES = {"HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"}
MAX_GROUPS, MAX_GROUP_FILTERS, MAX_FILTERS, MAX_LIMIT = 5, 10, 25, 200

_ID = r"\d+"
_ANY = r"[^/]+"
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_MILLIS = re.compile(r"\d{10,14}")


class HubSpotDescription:
    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.properties = {}
        for name in OBJECTS:
            document = json.loads((self.folder / f"properties-{name}.json").read_text())
            self.properties[name] = {p["name"]: p for p in document["results"]}

    def check(self, request):
        from descriptions import Verdict

        found = self._route(request)
        if found is None:
            return Verdict(None, [f"no HubSpot CRM v3 endpoint the plugin may use is {request.method} {request.path}"])
        operation, kind, params = found
        out = self._headers(request)
        query = request.query_pairs()
        allowed = QUERY[kind]
        for name, value in query:
            if name not in allowed:
                out.append(f"query parameter {name!r} is not one of {sorted(allowed)}")
            elif name == "archived" and value not in ("true", "false"):
                out.append(f"archived: {value!r} is not true or false")
        by_id_property = any(name == "idProperty" for name, _ in query)
        if "id" in params and not by_id_property and not re.fullmatch(_ID, params["id"]):
            out.append(f"record id {params['id']!r} is not numeric (and no idProperty was given)")
        out += self._body(request, kind, params)
        return Verdict(operation, out)

    def _route(self, request):
        method = request.method.upper()
        path = request.path.rstrip("/") or "/"
        objects = "|".join(OBJECTS + ("notes",))
        for (m, pattern, kind, template) in ROUTES:
            if m != method:
                continue
            match = re.fullmatch(pattern.replace("{objects}", objects), path)
            if match:
                params = match.groupdict()
                return template.format(**params), kind, params
        return None

    def _headers(self, request):
        out = []
        auth = request.header("authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            out.append("no `Authorization: Bearer <token>` header (an OAuth access token or a private app token)")
        return out

    def _body(self, request, kind, params):
        if kind in ("get", "properties", "pipelines", "associate", "account"):
            return [f"{request.method} {request.path} takes no body"] if request.body else []
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return [f"the body's Content-Type is {content_type!r}, not application/json"]
        try:
            body = json.loads(request.body or b"")
        except ValueError as e:
            return [f"the body is not JSON: {e}"]
        if not isinstance(body, dict):
            return ["the body is not a JSON object"]
        out = []
        if kind == "search":
            _search(body, self.properties[params["object"]], out)
            return out
        allowed = {"properties", "associations", "objectWriteTraceId"} if kind == "create" else {"properties", "objectWriteTraceId"}
        out += [f"body member {k!r} is not one of {sorted(allowed)}" for k in body if k not in allowed]
        properties = body.get("properties")
        if not isinstance(properties, dict):
            out.append("properties: required, an object of property values")
            return out
        if params["object"] == "notes":
            _note(body, out)
        else:
            definitions = self.properties[params["object"]]
            for name, value in properties.items():
                _value(name, value, definitions, out)
        if "associations" in body:
            _associations(body["associations"], params["object"], out)
        return out


# (method, path regex, kind, operation template)
ROUTES = [
    ("GET", r"/crm/v3/objects/(?P<object>{objects})/(?P<id>" + _ANY + ")", "get", "GET /crm/v3/objects/{object}/{{objectId}}"),
    ("PATCH", r"/crm/v3/objects/(?P<object>{objects})/(?P<id>" + _ANY + ")", "update", "PATCH /crm/v3/objects/{object}/{{objectId}}"),
    ("POST", r"/crm/v3/objects/(?P<object>contacts|companies|deals|tickets)/search", "search", "POST /crm/v3/objects/{object}/search"),
    ("POST", r"/crm/v3/objects/(?P<object>{objects})", "create", "POST /crm/v3/objects/{object}"),
    ("GET", r"/crm/v3/properties/(?P<object>{objects})", "properties", "GET /crm/v3/properties/{object}"),
    ("GET", r"/crm/v3/pipelines/(?P<object>deals|tickets)", "pipelines", "GET /crm/v3/pipelines/{object}"),
    (
        "PUT",
        r"/crm/v4/objects/(?P<object>{objects})/(?P<id>" + _ID + r")/associations/default/(?P<to>{objects})/(?P<to_id>" + _ID + ")",
        "associate",
        "PUT /crm/v4/objects/{object}/{{objectId}}/associations/default/{to}/{{toObjectId}}",
    ),
    ("GET", r"/account-info/v3/details", "account", "GET /account-info/v3/details"),
]

QUERY = {
    "get": {"properties", "propertiesWithHistory", "associations", "archived", "idProperty"},
    "update": {"idProperty"},
    "create": set(),
    "search": set(),
    "properties": {"archived", "properties", "dataSensitivity", "locale"},
    "pipelines": set(),
    "associate": set(),
    "account": set(),
}


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


def _value(name, value, definitions, out):
    definition = definitions.get(name)
    if definition is None:
        return out.append(f"properties.{name}: the account has no such property (PROPERTY_DOESNT_EXIST)")
    if definition.get("calculated") or definition.get("modificationMetadata", {}).get("readOnlyValue"):
        return out.append(f"properties.{name}: a read-only property (READ_ONLY_VALUE)")
    if not isinstance(value, str):
        return out.append(f"properties.{name}: a string, not {_kind(value)}")
    if value == "":
        return  # clears the value
    kind = definition["type"]
    if kind == "number" and not _NUMBER.fullmatch(value):
        out.append(f"properties.{name}: {value!r} is not a number")
    elif kind == "bool" and value not in ("true", "false"):
        out.append(f"properties.{name}: {value!r} is not true or false")
    elif kind == "date" and not (_DATE.fullmatch(value) or _MILLIS.fullmatch(value)):
        out.append(f"properties.{name}: {value!r} is not a date YYYY-MM-DD or midnight-UTC milliseconds")
    elif kind == "datetime" and not (_DATETIME.fullmatch(value) or _MILLIS.fullmatch(value)):
        out.append(f"properties.{name}: {value!r} is not an ISO 8601 date-time or milliseconds")
    elif kind == "enumeration":
        options = {o["value"] for o in definition.get("options", [])}
        given = value.split(";") if definition.get("fieldType") == "checkbox" else [value]
        for option in given:
            if option not in options:
                out.append(f"properties.{name}: {option!r} is not one of its options {sorted(options)} (INVALID_OPTION)")


def _note(body, out):
    properties = body["properties"]
    for name, value in properties.items():
        if name not in NOTE_PROPERTIES:
            out.append(f"properties.{name}: not a note property {sorted(NOTE_PROPERTIES)}")
        elif not isinstance(value, str):
            out.append(f"properties.{name}: a string, not {_kind(value)}")
    stamp = properties.get("hs_timestamp")
    if stamp is None:
        out.append("properties.hs_timestamp: required for a note")
    elif isinstance(stamp, str) and not (_DATETIME.fullmatch(stamp) or _MILLIS.fullmatch(stamp)):
        out.append(f"properties.hs_timestamp: {stamp!r} is not an ISO 8601 date-time or milliseconds")
    body_text = properties.get("hs_note_body")
    if isinstance(body_text, str) and len(body_text) > 65536:
        out.append("properties.hs_note_body: over 65,536 characters")


def _associations(value, object_type, out):
    if not isinstance(value, list):
        return out.append(f"associations: an array, not {_kind(value)}")
    for i, item in enumerate(value):
        at = f"associations[{i}]"
        if not isinstance(item, dict) or set(item) != {"to", "types"}:
            out.append(f"{at}: an object with `to` and `types`, not {json.dumps(item)}")
            continue
        to = item["to"]
        if not isinstance(to, dict) or set(to) != {"id"} or not isinstance(to["id"], str) or not re.fullmatch(_ID, to["id"]):
            out.append(f"{at}.to: {{\"id\": \"<record id>\"}}, not {json.dumps(to)}")
        types = item["types"]
        if not isinstance(types, list) or not types:
            out.append(f"{at}.types: a non-empty array")
            continue
        for j, kind in enumerate(types):
            where = f"{at}.types[{j}]"
            if not isinstance(kind, dict) or set(kind) != {"associationCategory", "associationTypeId"}:
                out.append(f"{where}: {{associationCategory, associationTypeId}}, not {json.dumps(kind)}")
                continue
            if kind["associationCategory"] not in CATEGORIES:
                out.append(f"{where}.associationCategory: {kind['associationCategory']!r} is not one of {sorted(CATEGORIES)}")
            type_id = kind["associationTypeId"]
            if isinstance(type_id, bool) or not isinstance(type_id, int):
                out.append(f"{where}.associationTypeId: an integer, not {_kind(type_id)}")
            elif object_type == "notes" and kind["associationCategory"] == "HUBSPOT_DEFINED" and type_id not in NOTE_TYPES:
                out.append(f"{where}.associationTypeId: {type_id} is no HUBSPOT_DEFINED note association ({NOTE_TYPES})")


def _search(body, definitions, out):
    allowed = {"filterGroups", "sorts", "query", "properties", "limit", "after"}
    out += [f"body member {k!r} is not one of {sorted(allowed)}" for k in body if k not in allowed]
    limit = body.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT):
        out.append(f"limit: {limit!r} is not an integer from 1 to {MAX_LIMIT}")
    after = body.get("after")
    if after is not None and not (isinstance(after, str) and re.fullmatch(_ID, after)):
        out.append(f"after: {after!r} is not a paging cursor (digits, from paging.next.after)")
    if "query" in body and not isinstance(body["query"], str):
        out.append(f"query: a string, not {_kind(body['query'])}")
    properties = body.get("properties", [])
    if not isinstance(properties, list) or not all(isinstance(p, str) for p in properties):
        out.append("properties: a list of property names")
    sorts = body.get("sorts", [])
    if not isinstance(sorts, list) or len(sorts) > 1:
        out.append("sorts: HubSpot's search takes one sort")
    else:
        for sort in sorts:
            if not isinstance(sort, dict) or set(sort) != {"propertyName", "direction"}:
                out.append(f"sorts[0]: {{propertyName, direction}}, not {json.dumps(sort)}")
            elif sort["direction"] not in ("ASCENDING", "DESCENDING"):
                out.append(f"sorts[0].direction: {sort['direction']!r} is not ASCENDING or DESCENDING")
            elif sort["propertyName"] not in definitions:
                out.append(f"sorts[0].propertyName: the account has no property {sort['propertyName']!r}")
    groups = body.get("filterGroups", [])
    if not isinstance(groups, list):
        return out.append(f"filterGroups: an array, not {_kind(groups)}")
    if len(groups) > MAX_GROUPS:
        out.append(f"filterGroups: {len(groups)} groups, over HubSpot's limit of {MAX_GROUPS}")
    total = 0
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or set(group) != {"filters"} or not isinstance(group["filters"], list):
            out.append(f"filterGroups[{i}]: {{\"filters\": [...]}}, not {json.dumps(group)}")
            continue
        filters = group["filters"]
        total += len(filters)
        if len(filters) > MAX_GROUP_FILTERS:
            out.append(f"filterGroups[{i}]: {len(filters)} filters, over HubSpot's limit of {MAX_GROUP_FILTERS}")
        for j, f in enumerate(filters):
            _filter(f, f"filterGroups[{i}].filters[{j}]", definitions, out)
    if total > MAX_FILTERS:
        out.append(f"filterGroups: {total} filters in all, over HubSpot's limit of {MAX_FILTERS}")


def _filter(f, at, definitions, out):
    if not isinstance(f, dict):
        return out.append(f"{at}: an object, not {_kind(f)}")
    unknown = [k for k in f if k not in ("propertyName", "operator", "value", "highValue", "values")]
    if unknown:
        out.append(f"{at}: members {unknown} are not in a filter")
    name, operator = f.get("propertyName"), f.get("operator")
    if not isinstance(name, str) or name not in definitions:
        out.append(f"{at}.propertyName: the account has no property {name!r}")
    if operator not in OPERATORS:
        return out.append(f"{at}.operator: {operator!r} is not one of {sorted(OPERATORS)}")
    wants = {
        "BETWEEN": {"value", "highValue"},
        "IN": {"values"},
        "NOT_IN": {"values"},
        "HAS_PROPERTY": set(),
        "NOT_HAS_PROPERTY": set(),
    }.get(operator, {"value"})
    given = {k for k in ("value", "highValue", "values") if k in f}
    if given != wants:
        out.append(f"{at}: {operator} takes {sorted(wants) or 'no value'}, not {sorted(given)}")
    for key in ("value", "highValue"):
        if key in f and (isinstance(f[key], bool) or not isinstance(f[key], (str, int, float))):
            out.append(f"{at}.{key}: a string or number, not {_kind(f[key])}")
    if "values" in f and (not isinstance(f["values"], list) or not f["values"] or not all(isinstance(v, str) for v in f["values"])):
        out.append(f"{at}.values: a non-empty list of strings")


def is_hubspot_account(path: str) -> bool:
    """Whether `path` is the folder of the account the HubSpot stand-in plays."""
    folder = Path(path)
    return folder.is_dir() and (folder / "properties-contacts.json").exists() and folder.name == "hubspot"
