"""Microsoft Graph v1.0 requests checked against Graph's own model, the OData CSDL
(`../shared/specs/microsoft-graph/cleanMetadata-v1.0.xml.gz`).

Why the CSDL and not the OpenAPI slice beside it: the slice has 39 paths, cut at depth 3 with
cycles replaced by `{}`, spells actions `/me/graph.sendMail`, addresses the signed-in user's drive
as `/drives/{id}/...`, has no stream (`/content`) paths and wrongly requires `id` in create
bodies; every plugin path would need a mapping, and the cut schemas accept anything below depth
3. The CSDL (3.5 MB, parsed in about 0.2 s by xml.etree, once per process) is the model both
were made from, so the real paths are walked on it directly, the way Graph routes them:

- the first segment is an entity set (`drives`, `teams`, `chats`, `users`) or a singleton (`me`);
  then keys (key-as-segment: `/me/messages/{id}`), navigation properties (contained or not),
  structural properties, stream properties (`content`), `$value`, `$count`, type casts
  (`microsoft.graph.fileAttachment`) and bound actions and functions, named unqualified or
  `microsoft.graph.`-qualified, whose binding parameter's type is the current type, one of its
  base types, or the collection of either;
- Graph's path-based addressing (`root:/a/b.txt:`, `items/{id}:/name:`, the closing `:`
  optional at the end of the path) stands for a driveItem;
- a function call's parameters (`search(q='it''s')`) are literals of the function's parameters
  (strings quoted, `''` escaping a quote) or `@alias` names given in the query.

Then the method must fit what the path names (collection GET/POST, entity GET/PATCH/DELETE,
singleton GET/PATCH, action POST, function GET, stream GET/PUT, `$value` GET, `$count` GET);
query options must be OData system options the target takes (`$select`/`$orderby` names and
paths checked against the type's properties, `$expand` against its navigation properties,
`$top`/`$skip` non-negative integers, `$count` a boolean, `$filter`/`$search`/`$skiptoken`
non-empty text), or the endpoint's documented parameters (`DOCUMENTED`: calendarView's
`startDateTime`/`endDateTime`, required there), or aliases of function parameters; the bearer
`Authorization` header must be present; the `Prefer` preferences Outlook documents
(`outlook.body-content-type`, `outlook.timezone`) must be well formed; and a JSON body must fit:

- POST to a collection, PATCH to an entity: the entity type (a derived type when `@odata.type`
  names one), every property declared by it or its base types, of its Edm type (String, Boolean,
  integers with their ranges, Double/Single/Decimal, DateTimeOffset as RFC 3339, Date,
  TimeOfDay, Duration as ISO 8601, Guid, Binary as base64, enum members by name, `Flags` enums
  comma-separated), complex types and collections nested; navigation properties only as the deep
  inserts Graph documents (`DEEP_INSERTS`, e.g. a message's `attachments`) or as
  `name@odata.bind` references; instance annotations (`@odata.type`,
  `@microsoft.graph.conflictBehavior`) allowed. Types the CSDL marks `OpenType` (message, event,
  driveItem, team) are checked as closed: Graph refuses or silently drops a misspelt property
  there too, and a plugin must not send one.
- POST to an action: the action's parameters, matched case-insensitively because the CSDL spells
  several of them in PascalCase where Graph's docs and Graph itself use camelCase (sendMail's
  `Message`/`SaveToSentItems`, reply's `Comment`, move's `DestinationId`, accept's
  `SendResponse`); every non-nullable parameter present (sendMail's `message`, move's
  `destinationId`). Enum members are matched case-insensitively too (Graph's own examples send
  `"contentType": "Text"` for the member `text`); property names are not (a case-only
  difference is refused with the model's spelling: `timeslots` is `timeSlots`).
- no body where none is taken (GET, DELETE, a function, an action without parameters); a stream
  PUT takes any bytes of any type.

The verdict names the operation `METHOD /template`: the path with keys, well-known folder names
and function arguments replaced by `{id}` and `{name}`, and the item path of path-based
addressing by `{path}`: `POST /me/messages/{id}/send`, `GET /me/mailFolders/{id}/messages`,
`GET /me/drive/root:/{path}:/children`, `PUT /me/drive/items/{id}:/{path}:/content`,
`GET /me/drive/root/search(q={q})`, `POST /teams/{id}/channels/{id}/messages/{id}/replies`.

Not checked: the response; permissions and scopes; `$filter`/`$search` expressions beyond being
present (Graph's filter grammar is per property); which properties are read-only (`id`,
`createdDateTime`: Graph ignores some, refuses others); the capability annotations in the
CSDL's out-of-line `Annotations` (Insertable/Updatable/Deletable per path), except the documented
rules in `DOCUMENTED`; keys in parentheses (`messages('id')`), which Graph accepts but no plugin
sends; the content of a stream or of an upload session's chunks (sent to the session's own URL,
outside Graph).
"""

import base64
import gzip
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import unquote

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
NS = "microsoft.graph"

# Parameters Graph documents for an endpoint beyond OData's system options, by the navigation
# property (or function) the path ends in, with whether each is required and its format.
DOCUMENTED = {
    # https://learn.microsoft.com/graph/api/user-list-calendarview: both bounds are required.
    "calendarView": {"startDateTime": (True, "date-time"), "endDateTime": (True, "date-time")},
    # https://learn.microsoft.com/graph/api/user-list-mailfolders and mailfolder-list-childfolders.
    "mailFolders": {"includeHiddenFolders": (False, "boolean")},
    "childFolders": {"includeHiddenFolders": (False, "boolean")},
}
# https://learn.microsoft.com/graph/api/driveitem-put-content: a simple upload's conflict
# behaviour goes in the URL (`?@microsoft.graph.conflictBehavior=rename`), not the body.
STREAM_UPLOAD = {"@microsoft.graph.conflictBehavior": (False, "conflict-behavior")}
CONFLICT_BEHAVIORS = ("fail", "replace", "rename")
# Navigation properties that are views: read, never written (calendarView), and not addressable
# by key either (the CSDL's inline `ReadByKeyRestrictions`).
READ_ONLY_VIEWS = {"calendarView"}

# Navigation properties Graph takes inline in a create body (deep insert), by entity type.
DEEP_INSERTS = {
    "message": {"attachments", "extensions", "singleValueExtendedProperties", "multiValueExtendedProperties"},
    "event": {"attachments", "extensions", "singleValueExtendedProperties", "multiValueExtendedProperties"},
    "chatMessage": {"hostedContents"},
    "channel": {"members"},
    "chat": {"members", "installedApps"},
    "team": {"members", "channels", "installedApps"},
}

SYSTEM_OPTIONS = {"$select", "$expand", "$filter", "$orderby", "$top", "$skip", "$count", "$search", "$skiptoken", "$format"}
COLLECTION_OPTIONS = SYSTEM_OPTIONS - {"$format"}
ENTITY_OPTIONS = {"$select", "$expand"}

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE)
_DURATION = re.compile(r"-?P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_INT_RANGES = {
    "Edm.Byte": (0, 255),
    "Edm.SByte": (-128, 127),
    "Edm.Int16": (-(2**15), 2**15 - 1),
    "Edm.Int32": (-(2**31), 2**31 - 1),
    "Edm.Int64": (-(2**63), 2**63 - 1),
}


@dataclass
class Type:
    name: str  # qualified: microsoft.graph.message
    kind: str  # entity, complex, enum
    base: Optional[str] = None
    properties: dict = field(default_factory=dict)  # name -> (type, nullable)
    navigations: dict = field(default_factory=dict)  # name -> type ("Collection(...)" or not)
    members: set = field(default_factory=set)
    flags: bool = False
    derived: list = field(default_factory=list)


@dataclass
class Operation:
    name: str
    kind: str  # action, function
    binding: str  # a type, or Collection(type)
    parameters: list  # [(name, type, nullable)], binding parameter excluded


@dataclass
class Target:
    """What a path names: its kind, its type, and its template for the operation name."""

    kind: str  # collection, entity, singleton, property, stream, value, count, action, function
    type: Optional[str]
    template: str
    operation: Optional[Operation] = None
    last_navigation: Optional[str] = None
    function_arguments: dict = field(default_factory=dict)


class Model:
    """The CSDL's types, bound operations and entity container, by qualified name."""

    def __init__(self, path: str):
        with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
            root = ET.parse(f).getroot()
        self.types = {}
        self.operations = {}  # unqualified name -> [Operation]
        self.entity_sets = {}
        self.singletons = {}
        aliases = {}
        schemas = list(root.iter(f"{EDM}Schema"))
        for schema in schemas:
            if schema.get("Alias"):
                aliases[schema.get("Alias")] = schema.get("Namespace")
        self._aliases = aliases
        for schema in schemas:
            namespace = schema.get("Namespace")
            for node in schema:
                tag = node.tag[len(EDM) :]
                if tag in ("EntityType", "ComplexType"):
                    t = Type(f"{namespace}.{node.get('Name')}", "entity" if tag == "EntityType" else "complex")
                    t.base = self.qualify(node.get("BaseType"))
                    for prop in node.findall(f"{EDM}Property"):
                        t.properties[prop.get("Name")] = (self.qualify(prop.get("Type")), prop.get("Nullable") != "false")
                    for nav in node.findall(f"{EDM}NavigationProperty"):
                        t.navigations[nav.get("Name")] = self.qualify(nav.get("Type"))
                    self.types[t.name] = t
                elif tag == "EnumType":
                    t = Type(f"{namespace}.{node.get('Name')}", "enum", flags=node.get("IsFlags") == "true")
                    t.members = {m.get("Name") for m in node.findall(f"{EDM}Member")}
                    self.types[t.name] = t
                elif tag in ("Action", "Function") and node.get("IsBound") == "true":
                    parameters = node.findall(f"{EDM}Parameter")
                    self.operations.setdefault(node.get("Name"), []).append(
                        Operation(
                            node.get("Name"),
                            tag.lower(),
                            self.qualify(parameters[0].get("Type")),
                            [(p.get("Name"), self.qualify(p.get("Type")), p.get("Nullable") != "false") for p in parameters[1:]],
                        )
                    )
                elif tag == "EntityContainer":
                    for item in node:
                        kind = item.tag[len(EDM) :]
                        if kind == "EntitySet":
                            self.entity_sets[item.get("Name")] = self.qualify(item.get("EntityType"))
                        elif kind == "Singleton":
                            self.singletons[item.get("Name")] = self.qualify(item.get("Type"))
        for t in self.types.values():
            if t.base in self.types:
                self.types[t.base].derived.append(t.name)

    def qualify(self, name: Optional[str]) -> Optional[str]:
        """`graph.message` and `Collection(graph.message)` with the alias resolved."""
        if name is None:
            return None
        if name.startswith("Collection(") and name.endswith(")"):
            return f"Collection({self.qualify(name[11:-1])})"
        head, _, tail = name.rpartition(".")
        if head in self._aliases:
            return f"{self._aliases[head]}.{tail}"
        return name

    def ancestry(self, name: str) -> list:
        """The type and its base types, nearest first."""
        chain = []
        while name in self.types and name not in chain:
            chain.append(name)
            name = self.types[name].base
        return chain

    def descendants(self, name: str) -> list:
        found, stack = [], [name]
        while stack:
            current = stack.pop()
            found.append(current)
            stack += self.types.get(current, Type(current, "")).derived
        return found

    def properties(self, name: str) -> dict:
        out = {}
        for t in reversed(self.ancestry(name)):
            out.update(self.types[t].properties)
        return out

    def navigations(self, name: str) -> dict:
        out = {}
        for t in reversed(self.ancestry(name)):
            out.update(self.types[t].navigations)
        return out

    def bound(self, name: str, type_name: str, collection: bool) -> Optional[Operation]:
        """The operation `name` (unqualified, or `microsoft.graph.`-qualified) bound to the type,
        one of its base types, or a collection of either; the nearest binding wins."""
        if name.startswith(NS + "."):
            name = name[len(NS) + 1 :]
        candidates = self.operations.get(name, [])
        for ancestor in self.ancestry(type_name):
            wanted = f"Collection({ancestor})" if collection else ancestor
            for op in candidates:
                if op.binding == wanted:
                    return op
        return None


_MODELS = {}


def model(path: str) -> Model:
    if path not in _MODELS:
        _MODELS[path] = Model(path)
    return _MODELS[path]


def _short(type_name: Optional[str]) -> str:
    if type_name is None:
        return "?"
    if type_name.startswith("Collection("):
        return f"Collection({_short(type_name[11:-1])})"
    return type_name[len(NS) + 1 :] if type_name.startswith(NS + ".") else type_name


def _element(type_name: str) -> tuple:
    """(element type, is a collection)."""
    if type_name.startswith("Collection("):
        return type_name[11:-1], True
    return type_name, False


class PathError(Exception):
    pass


class GraphDescription:
    def __init__(self, path: str):
        self.model = model(path)

    # -- the path ---------------------------------------------------------------------------

    def resolve(self, path: str) -> Target:
        segments = _segments(path)
        if not segments:
            raise PathError("the path names nothing below https://graph.microsoft.com/v1.0")
        first = segments[0]
        m = self.model
        if first in m.singletons:
            target = Target("singleton", m.singletons[first], "/" + first)
        elif first in m.entity_sets:
            target = Target("collection", m.entity_sets[first], "/" + first)
        else:
            raise PathError(f"{first!r} is neither an entity set nor a singleton of Graph v1.0")
        i = 1
        while i < len(segments):
            segment = segments[i]
            if segment.endswith(":") and "(" not in segment:
                # Path-based addressing: `root:/a/b.txt:` or `items/{id}:/name:` names a driveItem.
                target = self._step(target, segment[:-1])
                if target.type != f"{NS}.driveItem" or target.kind != "entity":
                    raise PathError(f"path-based addressing ({segment!r}) starts at a driveItem, not at {target.template}")
                i += 1
                names = []
                while i < len(segments):
                    names.append(segments[i])
                    i += 1
                    if names[-1].endswith(":"):
                        break
                if not names or not names[-1].rstrip(":"):
                    raise PathError(f"the path-based address after {target.template}: names no item")
                target = Target("entity", f"{NS}.driveItem", target.template + ":/{path}" + (":" if names[-1].endswith(":") else ""))
                continue
            target = self._step(target, segment)
            i += 1
        return target

    def _step(self, target: Target, segment: str) -> Target:
        m = self.model
        kind, type_name = target.kind, target.type
        name, arguments = _call(segment)
        if kind in ("action", "function", "stream", "value", "count"):
            raise PathError(f"nothing follows {target.template} ({kind}); {segment!r} cannot")
        if kind == "property":
            element, collection = _element(type_name)
            if element in m.types and m.types[element].kind == "complex" and not collection:
                if segment in m.properties(element):
                    return Target("property", m.properties(element)[segment][0], f"{target.template}/{segment}")
            if segment == "$value" and not collection:
                return Target("value", type_name, f"{target.template}/$value")
            raise PathError(f"{segment!r} is not a property of {target.template} ({_short(type_name)})")
        collection = kind == "collection"
        if segment == "$count" and collection:
            return Target("count", type_name, f"{target.template}/$count")
        if segment == "$value" and not collection:
            return Target("value", type_name, f"{target.template}/$value")
        if name.startswith(NS + ".") and m.qualify(name) in m.types:
            cast = m.qualify(name)
            if type_name not in m.ancestry(cast):
                raise PathError(f"{segment!r} is not a type derived from {_short(type_name)}")
            return Target(kind, cast, f"{target.template}/{segment}", last_navigation=target.last_navigation)
        op = m.bound(name, type_name, collection)
        if op is not None:
            if op.kind == "function":
                template = f"{target.template}/{name}(" + ",".join(f"{p}={{{p}}}" for p in arguments or {}) + ")"
                if arguments is None:
                    template = f"{target.template}/{name}"
                return Target(
                    "function",
                    type_name,
                    template,
                    op,
                    last_navigation=target.last_navigation,
                    function_arguments=arguments or {},
                )
            if arguments is not None:
                raise PathError(f"the action {name} is not called with arguments in the path")
            return Target("action", type_name, f"{target.template}/{name}", op)
        if arguments is not None:
            raise PathError(f"{name!r} is not a function bound to {_short(type_name)}{' collections' if collection else ''}")
        if collection:
            if target.last_navigation in READ_ONLY_VIEWS:
                raise PathError(f"{target.template} is a view: its events are not addressed by key under it")
            return Target("entity", type_name, f"{target.template}/{{id}}", last_navigation=target.last_navigation)
        navigations = m.navigations(type_name)
        if segment in navigations:
            element, many = _element(navigations[segment])
            return Target("collection" if many else "entity", element, f"{target.template}/{segment}", last_navigation=segment)
        properties = m.properties(type_name)
        if segment in properties:
            prop_type = properties[segment][0]
            if prop_type == "Edm.Stream":
                return Target("stream", type_name, f"{target.template}/{segment}")
            return Target("property", prop_type, f"{target.template}/{segment}")
        raise PathError(
            f"{segment!r} is not a navigation property, property, action or function of "
            f"{_short(type_name)} (at {target.template})"
        )

    # -- the request ------------------------------------------------------------------------

    def check(self, request):
        from descriptions import Verdict

        path = request.path
        try:
            target = self.resolve(path)
        except PathError as e:
            return Verdict(None, [f"{request.method} {path}: {e}"])
        method = request.method.upper()
        allowed = {
            "collection": {"GET", "POST"},
            "entity": {"GET", "PATCH", "DELETE"},
            "singleton": {"GET", "PATCH"},
            "property": {"GET"},
            "stream": {"GET", "PUT"},
            "value": {"GET"},
            "count": {"GET"},
            "action": {"POST"},
            "function": {"GET"},
        }[target.kind]
        if target.last_navigation in READ_ONLY_VIEWS and target.kind == "collection":
            allowed = {"GET"}
        if method not in allowed:
            what = target.kind if target.kind not in ("action", "function") else f"the {target.kind} {target.operation.name}"
            return Verdict(
                None,
                [f"{path} ({what} of {_short(target.type)}) does not take {method}: it takes {', '.join(sorted(allowed))}"],
            )
        operation = f"{method} {target.template}"
        violations = self._bearer(request)
        violations += self._prefer(request)
        violations += self._query(request, target, method)
        violations += self._body(request, target, method)
        return Verdict(operation, violations)

    def _bearer(self, request):
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return []
        return ["Microsoft Graph requires an OAuth 2 bearer token: no `Authorization: Bearer ...` header"]

    def _prefer(self, request):
        violations = []
        for name, value in request.headers:
            if name.lower() != "prefer":
                continue
            for preference in (p.strip() for p in value.split(",")):
                key, _, raw = preference.partition("=")
                raw = raw.strip().strip('"')
                if key == "outlook.body-content-type" and raw not in ("text", "html"):
                    violations.append(f"Prefer outlook.body-content-type must be \"text\" or \"html\", not {raw!r}")
                if key == "outlook.timezone" and not raw:
                    violations.append("Prefer outlook.timezone names no time zone")
        return violations

    def _query(self, request, target, method):
        violations = []
        pairs = request.query_pairs()
        names = [n for n, _ in pairs]
        # A view's documented parameters apply to it and to its delta function.
        view = target.kind == "collection" or (target.kind == "function" and target.operation.name == "delta")
        documented = DOCUMENTED.get(target.last_navigation or "", {}) if view else {}
        if target.kind == "stream" and method == "PUT":
            documented = STREAM_UPLOAD
        if target.kind == "collection" and method == "GET":
            allowed = COLLECTION_OPTIONS
        elif target.kind == "function" and target.operation is not None:
            allowed = COLLECTION_OPTIONS  # Graph's functions return collections (search, delta)
        elif target.kind in ("entity", "singleton") and method == "GET":
            allowed = ENTITY_OPTIONS
        elif target.kind == "stream" and method == "GET":
            allowed = {"$format"}
        else:
            allowed = set()
        aliases = {f"@{v[1:]}" for v in target.function_arguments.values() if v.startswith("@")}
        element = target.type
        for name in dict.fromkeys(names):
            values = [v for n, v in pairs if n == name]
            if names.count(name) > 1:
                violations.append(f"query option {name!r} is given {names.count(name)} times")
            value = values[0]
            if name in documented:
                required, fmt = documented[name]
                if fmt == "date-time" and not _RFC3339.fullmatch(value):
                    violations.append(f"query parameter {name!r}: {value!r} is not an ISO 8601 date-time with offset")
                if fmt == "boolean" and value not in ("true", "false"):
                    violations.append(f"query parameter {name!r}: {value!r} is not true or false")
                if fmt == "conflict-behavior" and value not in CONFLICT_BEHAVIORS:
                    violations.append(f"query parameter {name!r}: {value!r} is not one of {', '.join(CONFLICT_BEHAVIORS)}")
                continue
            if name in aliases:
                continue
            if name not in allowed:
                if name in SYSTEM_OPTIONS or name.lstrip("$") in {o[1:] for o in SYSTEM_OPTIONS}:
                    violations.append(f"query option {name!r} does not apply to {method} {target.template}")
                else:
                    violations.append(f"query option {name!r} is neither an OData system option nor a parameter of {target.template}")
                continue
            violations += self._system_option(name, value, element)
        for name, (required, _) in documented.items():
            if required and name not in names:
                violations.append(f"query parameter {name!r} is required by {target.template}")
        if target.kind == "function":
            violations += self._function_arguments(target, pairs)
        return violations

    def _system_option(self, name, value, type_name):
        m = self.model
        if name in ("$top", "$skip"):
            return [] if re.fullmatch(r"\d+", value) else [f"{name} must be a non-negative integer, not {value!r}"]
        if name == "$count":
            return [] if value in ("true", "false") else [f"$count must be true or false, not {value!r}"]
        if name in ("$filter", "$search", "$skiptoken", "$format"):
            return [] if value.strip() else [f"{name} is empty"]
        known = set(m.properties(type_name)) | set(m.navigations(type_name))
        for derived in m.descendants(type_name):
            known |= set(m.types[derived].properties) | set(m.types[derived].navigations) if derived in m.types else set()
        violations = []
        if name == "$select":
            for item in _split_top(value):
                if item.strip() not in known:
                    violations.append(f"$select: {_short(type_name)} has no property {item.strip()!r}")
        elif name == "$orderby":
            for item in _split_top(value):
                words = item.strip().split()
                if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
                    violations.append(f"$orderby: {item.strip()!r} is not `property [asc|desc]`")
                    continue
                problem = self._property_path(type_name, words[0])
                if problem:
                    violations.append(f"$orderby: {problem}")
        elif name == "$expand":
            navigations = set(m.navigations(type_name))
            for derived in m.descendants(type_name):
                navigations |= set(m.types[derived].navigations) if derived in m.types else set()
            for item in _split_top(value):
                nav = item.split("(", 1)[0].strip()
                if nav != "*" and nav not in navigations:
                    violations.append(f"$expand: {_short(type_name)} has no navigation property {nav!r}")
        return violations

    def _property_path(self, type_name, path):
        """Why `from/emailAddress/address` is not a path of structural properties; None if it is."""
        m = self.model
        current = type_name
        for part in path.split("/"):
            properties = m.properties(current)
            if part not in properties:
                return f"{_short(current)} has no property {part!r} (in {path!r})"
            current = _element(properties[part][0])[0]
        return None

    def _function_arguments(self, target, pairs):
        op = target.operation
        declared = {p[0]: p for p in op.parameters}
        violations = []
        query = dict(pairs)
        for name, raw in target.function_arguments.items():
            if name not in declared:
                violations.append(f"the function {op.name} has no parameter {name!r} ({', '.join(declared) or 'none'})")
                continue
            if raw.startswith("@"):
                if raw not in query:
                    violations.append(f"the alias {raw} of {op.name}'s {name!r} is not given in the query")
                    continue
                raw = query[raw]
            problem = _literal_problem(raw, declared[name][1])
            if problem:
                violations.append(f"{op.name}'s {name!r}: {problem}")
        for name, _, nullable in op.parameters:
            if not nullable and name not in target.function_arguments:
                violations.append(f"the function {op.name} requires the parameter {name!r}")
        return violations

    def _body(self, request, target, method):
        body = request.body
        takes = (
            (target.kind == "collection" and method == "POST")
            or (target.kind in ("entity", "singleton") and method == "PATCH")
            or (target.kind == "action" and target.operation.parameters)
        )
        if target.kind == "stream" and method == "PUT":
            return []  # any bytes of any type
        if not takes:
            if body:
                return [f"{method} {target.template} takes no body, but {len(body)} bytes were sent"]
            return []
        if not body:
            if target.kind == "action":
                return self._action(target.operation, {}, "body")
            return [f"{method} {target.template} takes a JSON body; none was sent"]
        media_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return [f"the body of {method} {target.template} must be application/json, not {media_type or 'untyped'}"]
        try:
            value = json.loads(body)
        except ValueError as e:
            return [f"the body is not JSON: {e}"]
        if not isinstance(value, dict):
            return [f"the body must be a JSON object, not {_json_kind(value)}"]
        if target.kind == "action":
            return self._action(target.operation, value, "body")
        out = []
        self._check_object(value, target.type, "body", out, top=True)
        return out

    def _action(self, op, value, where):
        out = []
        declared = {p[0].lower(): p for p in op.parameters}
        for key, item in value.items():
            parameter = declared.get(key.lower())
            if parameter is None:
                out.append(f"{where}: {key!r} is not a parameter of the action {op.name} ({', '.join(p[0] for p in op.parameters)})")
                continue
            if item is None:
                if not parameter[2]:
                    out.append(f"{where}.{key}: the parameter {parameter[0]!r} of {op.name} is not nullable")
                continue
            self._check_value(item, parameter[1], f"{where}.{key}", out)
        given = {k.lower() for k in value}
        for name, _, nullable in op.parameters:
            if not nullable and name.lower() not in given:
                out.append(f"{where}: the action {op.name} requires the parameter {name!r}")
        return out

    def _check_value(self, value, type_name, where, out):
        if value is None:
            return
        element, collection = _element(type_name)
        if collection:
            if not isinstance(value, list):
                out.append(f"{where}: expected an array ({_short(type_name)}), got {_json_kind(value)}")
                return
            for i, item in enumerate(value):
                self._check_value(item, element, f"{where}[{i}]", out)
            return
        t = self.model.types.get(element)
        if t is not None and t.kind in ("complex", "entity"):
            self._check_object(value, element, where, out)
        elif t is not None and t.kind == "enum":
            if not isinstance(value, str):
                out.append(f"{where}: expected a member of {_short(element)}, got {_json_kind(value)}")
                return
            names = [v.strip() for v in value.split(",")] if t.flags else [value]
            members = {member.lower() for member in t.members}
            for name in names:
                if name.lower() not in members:
                    out.append(f"{where}: {name!r} is not a member of {_short(element)} ({', '.join(sorted(t.members))})")
        else:
            problem = _edm_problem(value, element)
            if problem:
                out.append(f"{where}: {problem}")

    def _check_object(self, value, type_name, where, out, top=False):
        m = self.model
        if not isinstance(value, dict):
            out.append(f"{where}: expected an object ({_short(type_name)}), got {_json_kind(value)}")
            return
        odata_type = value.get("@odata.type")
        if isinstance(odata_type, str):
            named = m.qualify(odata_type.lstrip("#"))
            if named not in m.types or type_name not in m.ancestry(named):
                out.append(f"{where}: @odata.type {odata_type!r} is not {_short(type_name)} or a type derived from it")
                return
            type_name = named
        properties = m.properties(type_name)
        navigations = m.navigations(type_name)
        deep = set()
        for ancestor in m.ancestry(type_name):
            deep |= DEEP_INSERTS.get(_short(ancestor), set())
        for key, item in value.items():
            if key.startswith("@"):
                continue  # an instance annotation (@odata.type, @microsoft.graph.conflictBehavior)
            if "@" in key:
                name, _, term = key.partition("@")
                if term == "odata.bind" and name in navigations:
                    continue
                if name in properties or name in navigations:
                    continue  # a property annotation (`name@odata.type`)
                out.append(f"{where}: {key!r} annotates {name!r}, which {_short(type_name)} does not have")
                continue
            if key in properties:
                self._check_value(item, properties[key][0], f"{where}.{key}", out)
            elif key in navigations:
                if key not in deep:
                    out.append(
                        f"{where}: {key!r} is a navigation property of {_short(type_name)}, which Graph does not take inline"
                        " here (bind it with `{key}@odata.bind`)"
                    )
                else:
                    self._check_value(item, navigations[key], f"{where}.{key}", out)
            else:
                spelled = [p for p in list(properties) + list(navigations) if p.lower() == key.lower()]
                hint = f" (Graph's model spells it {spelled[0]!r})" if spelled else ""
                out.append(f"{where}: {_short(type_name)} has no property {key!r}{hint}")


def _segments(path: str) -> list:
    """The path's segments, percent-decoded; a function call's parentheses (after a name such
    as `search`) may hold `/` in a quoted literal, an item path's parentheses (`a (1).txt`) not."""
    out, depth, current, quoted, item_path = [], 0, "", False, False
    for ch in path.strip("/"):
        if item_path:
            pass  # within `root:/...:` names are names: parentheses and quotes mean nothing
        elif ch == "'" and depth:
            quoted = not quoted
        elif not quoted and ch == "(" and (depth or re.fullmatch(r"[A-Za-z_][\w.]*", current)):
            depth += 1
        elif not quoted and ch == ")" and depth:
            depth -= 1
        if ch == "/" and not depth:
            out.append(current)
            if current.endswith(":") and (item_path or "(" not in current):
                item_path = not item_path
            current = ""
        else:
            current += ch
    if current:
        out.append(current)
    return [unquote(s) for s in out]


def _call(segment: str):
    """`search(q='x')` -> ("search", {"q": "'x'"}); a plain name -> (name, None)."""
    m = re.fullmatch(r"([A-Za-z_][\w.]*)\((.*)\)", segment, re.DOTALL)
    if not m:
        return segment, None
    arguments = {}
    for part in _split_top(m.group(2)):
        if not part.strip():
            continue
        name, eq, value = part.partition("=")
        if not eq:
            raise PathError(f"the argument {part!r} of {m.group(1)} is not `name=value`")
        arguments[name.strip()] = value.strip()
    return m.group(1), arguments


def _split_top(text: str) -> list:
    """Splits on commas outside quotes and parentheses."""
    parts, depth, current, quoted = [], 0, "", False
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "," and not depth and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _literal_problem(raw: str, type_name: str) -> Optional[str]:
    """Why an OData URL literal is not of the Edm type; None when it is."""
    if type_name == "Edm.String":
        if len(raw) < 2 or raw[0] != "'" or raw[-1] != "'":
            return f"{raw!r} is not a quoted string literal ('text', with '' for a quote)"
        if re.search(r"(?<!')'(?!')", raw[1:-1]):
            return f"{raw!r} has an unescaped quote (write '' for ')"
        return None
    if type_name in _INT_RANGES:
        return None if re.fullmatch(r"-?\d+", raw) else f"{raw!r} is not an integer"
    if type_name == "Edm.Boolean":
        return None if raw in ("true", "false") else f"{raw!r} is not true or false"
    return None


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return {dict: "an object", list: "an array"}.get(type(value), type(value).__name__)


def _edm_problem(value, type_name: str) -> Optional[str]:
    """Why a JSON value is not of the primitive Edm type; None when it is."""
    if type_name in ("Edm.String",):
        return None if isinstance(value, str) else f"expected a string, got {_json_kind(value)}"
    if type_name == "Edm.Boolean":
        return None if isinstance(value, bool) else f"expected a boolean, got {_json_kind(value)}"
    if type_name in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer ({type_name}), got {_json_kind(value)}"
        low, high = _INT_RANGES[type_name]
        return None if low <= value <= high else f"{value} is out of the {type_name} range"
    if type_name in ("Edm.Double", "Edm.Single", "Edm.Decimal"):
        if isinstance(value, str) and value in ("NaN", "INF", "-INF"):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected a number ({type_name}), got {_json_kind(value)}"
        return None
    if not isinstance(value, str):
        if type_name in ("Edm.Untyped", "Edm.Stream") or type_name.startswith("Edm.Geo"):
            return None
        return f"expected a string ({type_name}), got {_json_kind(value)}"
    if type_name == "Edm.DateTimeOffset" and not _RFC3339.fullmatch(value):
        return f"{value!r} is not an RFC 3339 date-time with an offset (Edm.DateTimeOffset)"
    if type_name == "Edm.Date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value!r} is not a date YYYY-MM-DD (Edm.Date)"
    if type_name == "Edm.TimeOfDay" and not re.fullmatch(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?", value):
        return f"{value!r} is not a time of day HH:MM:SS (Edm.TimeOfDay)"
    if type_name == "Edm.Duration" and not _DURATION.fullmatch(value):
        return f"{value!r} is not an ISO 8601 duration such as PT1H30M (Edm.Duration)"
    if type_name == "Edm.Guid" and not _GUID.fullmatch(value):
        return f"{value!r} is not a GUID (Edm.Guid)"
    if type_name == "Edm.Binary":
        try:
            padded = value + "=" * (-len(value) % 4)
            base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except ValueError:
            return f"{value!r} is not base64 (Edm.Binary)"
    return None
