"""A provider's own API description, loaded once, and the check of one request against it.

Each kind answers `check(request) -> Verdict`: the description's name for the operation the
request reached, and every way the request breaks the description (empty when it is valid).

- OpenAPI 3.0/3.1 (and Swagger 2.0, converted by npm `swagger2openapi` from tests/tools):
  openapi-core checks method, path, path/query/header parameters, security and the body; this
  module adds what openapi-core lets through: query parameters and top-level body fields the
  operation does not declare (a misspelt name the real API would silently ignore), and an OAuth 2
  scheme's bearer header (openapi-core skips OAuth 2 schemes).
- GraphQL (SDL or introspection JSON): graphql-core parses and validates the document and
  coerces its variables.
- Google Discovery (Gmail, Calendar, Drive, Docs; no OpenAPI exists): this module checks the
  method and path against every method's `flatPath`/`path` under `servicePath` (`{+name}` spans
  `/`), path and query parameters (declared by the method or the document's global `parameters`,
  typed, formats, `enum`, `minimum`/`maximum`, `repeated`, `required`), a JSON body against
  `request.$ref` (types, formats, enums, nested `$ref`, arrays, `additionalProperties`, fields the
  schema does not declare, fields its `annotations.required` names for the method), no body where
  the method takes none, and the bearer header; and the media upload paths (`/upload/...`,
  `/resumable/upload/...`): `uploadType`, a `multipart/related` body whose first part is JSON
  metadata valid against `request.$ref` and whose second part's type `mediaUpload.accept` takes,
  within `maxSize`. The verdict's operation is the method `id` (`drive.files.create`). Not
  checked: `readOnly` fields sent in a body (the APIs ignore some, refuse others), the response,
  the scopes a token carries, the content of a resumable session's chunks (`upload_id`) beyond
  reaching an upload path, and string `pattern`s on body fields (the documents give none).
- Notion (npm `@notionhq/client`'s endpoint folder, `build/src/api-endpoints`; notion.py): the
  client's endpoint table (method, path, query and body parameter names), its `Notion-Version`,
  and Notion's documented request shapes of the bodies that write content, search or query.
- Vercel (npm `@vercel/sdk`'s `esm` folder; vercel.py, vercel.mjs): each request validated by
  the SDK's own zod schema of the operation its method and path reach, in Node.
- GitLab (PyPI `python-gitlab`'s `gitlab/v4/objects` folder; gitlab_resources.py): each
  resource manager's path template, methods (by its mixins), list filters, read attributes and
  create/update attributes (required, optional, exclusive), the project id as one segment, the
  credential header, GitLab's paging parameters.
- Salesforce (the folder `salesforce-describes/` of describe fixtures; salesforce.py): the REST
  API's resources, methods and query parameters as its developer guide gives them, and record
  bodies field by field against the object's describe (no machine-readable spec exists offline).
- HubSpot (the folder `tests/tools/standin/hubspot`: the account's property definitions;
  hubspot.py): no spec is licensed for use here, so HubSpot's CRM v3 documentation is written
  down by hand: routes, query parameters, bodies, property names and values against the
  account's properties, search filters.
- Microsoft Graph (an OData CSDL, `.xml` or `.xml.gz`; graph.py): the real v1.0 path walked on
  Graph's model (entity sets, singletons, keys, navigation, bound actions and functions, stream
  properties, OneDrive's path-based addressing), the method for what the path names, OData
  system query options against the type (and calendarView's required bounds), a JSON body against
  the entity type or the action's parameters (Edm types, enums, nested complex types, unknown
  properties refused), and the bearer header. The verdict's operation is `METHOD /template`
  (`POST /me/messages/{id}/send`). Not checked: responses, scopes, `$filter`/`$search`
  expressions, read-only properties, most per-path capability annotations; graph.py's docstring
  says why the CSDL and not the OpenAPI slice.

The stand-in serves at its root what the description serves under its server URL: a test maps
the provider's base URL (e.g. `https://slack.com/api`) to the stand-in's session prefix.
"""

import base64
import copy
import gzip
import json
import re
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qsl, unquote, urlsplit

TOOLS = Path(__file__).resolve().parent.parent

# openapi-core warns once per request about OAuth 2 schemes it does not check; we check them.
warnings.filterwarnings("ignore", message="Unsupported scheme type")


@dataclass
class Request:
    """One request as a provider would see it: the path below the provider's base URL."""

    method: str
    path: str
    query: str
    headers: list  # [(name, value)], as received
    body: bytes

    def header(self, name: str) -> Optional[str]:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def query_pairs(self) -> list:
        return parse_qsl(self.query, keep_blank_values=True)


@dataclass
class Verdict:
    operation: Optional[str]
    violations: list = field(default_factory=list)
    # For fixture matching: a GraphQL document's operation name.
    graphql_operation: Optional[str] = None


def load(path: str, overlay) -> "object":
    """The description at `path`, its kind told by its content, with `overlay.apply` run on it."""
    from notion import NotionDescription, is_notion_endpoints

    if is_notion_endpoints(path):
        return NotionDescription(path)  # npm @notionhq/client's endpoint table (notion.py)
    from vercel import VercelDescription, is_vercel_sdk

    if is_vercel_sdk(path):
        return VercelDescription(path)  # npm @vercel/sdk's operations and zod schemas (vercel.py)
    from gitlab_resources import GitlabDescription, is_gitlab_objects

    if is_gitlab_objects(path):
        return GitlabDescription(overlay)  # PyPI python-gitlab's resource tables (gitlab_resources.py)
    from salesforce import SalesforceDescription, is_salesforce_describes

    if is_salesforce_describes(path):
        return SalesforceDescription(path)  # describe fixtures checked by hand (salesforce.py)
    from hubspot import HubSpotDescription, is_hubspot_account

    if is_hubspot_account(path):
        return HubSpotDescription(path)  # HubSpot's CRM v3 docs, by hand, and the account's properties (hubspot.py)
    if path.endswith((".graphql", ".gql")):
        return GraphqlDescription.from_sdl(Path(path).read_text(), overlay)
    if path.endswith((".xml", ".xml.gz")):
        from graph import GraphDescription  # an OData CSDL: Microsoft Graph's model

        return GraphDescription(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        document = _yaml(f) if path.endswith((".yaml", ".yml")) else json.load(f)
    if "openapi" in document or "swagger" in document:
        return OpenApiDescription(path, document, overlay)
    if "data" in document and "__schema" in document["data"]:
        return GraphqlDescription.from_introspection(document["data"], overlay)
    if document.get("kind") == "discovery#restDescription":
        return DiscoveryDescription(document)
    raise SystemExit(f"{path}: not an OpenAPI, Swagger, GraphQL or Google Discovery description")


def _yaml(f) -> dict:
    """An OpenAPI description published as YAML (Figma's `openapi/openapi.yaml`), read with
    PyYAML's C loader when it is built (11,000 lines in 0.06 s) as plain JSON-like data."""
    import yaml

    return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class OpenApiDescription:
    def __init__(self, path: str, document: dict, overlay):
        from openapi_core import Config, OpenAPI

        if str(document.get("swagger", "")).startswith("2."):
            document = swagger2_to_openapi3(path)
        # Serve every operation at the stand-in's root (see the module doc).
        document["servers"] = [{"url": "/"}]
        for item in document.get("paths", {}).values():
            item.pop("servers", None)
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.pop("servers", None)
        if overlay is not None:
            overlay.apply(document)
        self.document = document
        # The providers' published descriptions are taken as they are: checking the
        # description itself costs 15 s on GitHub's and proves nothing about a plugin.
        self.app = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))

    def check(self, request: Request) -> Verdict:
        from openapi_core.templating.paths.finders import APICallPathFinder

        found = None
        try:
            found = APICallPathFinder(self.app.spec).find(request.method.lower(), _url(request))
        except Exception as e:  # PathNotFound, OperationNotFound: the unmarshaller says why
            del e
        operation = None
        if found is not None:
            operation = f"{request.method.upper()} {found.path_result.pattern}"
        result = self.app.unmarshal_request(_OpenApiRequest(request))
        violations = [_describe(e) for e in result.errors]
        if found is not None:
            item = self.document["paths"][found.path_result.pattern]
            op = item[request.method.lower()]
            violations += self._undeclared_query(request, item, op)
            violations += self._undeclared_body_fields(request, op)
            violations += self._oauth2_bearer(request, op)
        return Verdict(operation, violations)

    def _resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                return node
            node = self.document
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _undeclared_query(self, request, item, op):
        declared = set()
        for parameter in item.get("parameters", []) + op.get("parameters", []):
            parameter = self._resolve(parameter)
            if parameter.get("in") == "query":
                declared.add(parameter["name"])
        return [
            f"query parameter {name!r} is not declared by this operation"
            for name in dict(request.query_pairs())
            if name not in declared
        ]

    def _undeclared_body_fields(self, request, op):
        body = self._resolve(op.get("requestBody"))
        if not request.body or not isinstance(body, dict):
            return []
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        media = body.get("content", {}).get(content_type)
        if media is None:
            return []  # openapi-core already refused the media type
        declared = self._declared_properties(self._resolve(media.get("schema")))
        if declared is None:
            return []
        if content_type == "application/x-www-form-urlencoded":
            names = [k for k, _ in parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)]
        elif content_type.endswith("json"):
            try:
                value = json.loads(request.body)
            except ValueError:
                return []  # openapi-core already refused it
            names = list(value) if isinstance(value, dict) else []
        else:
            return []
        return [f"body field {n!r} is not declared by this operation" for n in names if n not in declared]

    def _declared_properties(self, schema):
        """The top-level property names an object schema declares; None if it allows others."""
        if not isinstance(schema, dict) or "oneOf" in schema or "anyOf" in schema:
            return None
        if schema.get("additionalProperties") not in (None, False):
            return None
        names = set(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            more = self._declared_properties(self._resolve(part))
            if more is None:
                return None
            names |= more
        if not names:
            return None
        return names

    def _oauth2_bearer(self, request, op):
        requirements = op.get("security", self.document.get("security"))
        if not requirements:
            return []
        schemes = self.document.get("components", {}).get("securitySchemes", {})
        for requirement in requirements:
            kinds = [self._resolve(schemes.get(name, {})).get("type") for name in requirement]
            if kinds and all(kind == "oauth2" for kind in kinds):
                auth = request.header("authorization") or ""
                scheme, _, token = auth.partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    return []
            else:
                return []  # a requirement without OAuth 2 (or none): openapi-core checked it
        return ["the operation requires an OAuth 2 bearer token: no `Authorization: Bearer ...` header"]


def swagger2_to_openapi3(path: str) -> dict:
    """Swagger 2.0 converted by npm `swagger2openapi` (openapi-core reads only OpenAPI 3).

    `--patch` lets it fix what 2.0 forbids but descriptions use (Slack's `type: [..]` lists)."""
    converter = TOOLS / "node_modules" / ".bin" / "swagger2openapi"
    if not converter.exists():
        raise SystemExit(f"{converter} is missing: run `npm ci --prefix tests/tools`")
    out = subprocess.run([str(converter), "--patch", path], check=True, capture_output=True)
    return json.loads(out.stdout)


class _OpenApiRequest:
    """openapi-core's request protocol over a `Request`."""

    host_url = "http://standin"

    def __init__(self, request: Request):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.method = request.method.lower()
        self.path = request.path
        self.full_url_pattern = _url(request)
        self.body = request.body or None
        self.content_type = (request.header("content-type") or "").lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.query_pairs()),
            header=Headers(request.headers),
        )


def _url(request: Request) -> str:
    return _OpenApiRequest.host_url + request.path


def _describe(error: BaseException) -> str:
    """An openapi-core error with its causes and the schema's own messages."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__
    parts = []
    for error in chain:
        text = type(error).__name__
        schema_errors = getattr(error, "schema_errors", None) or []
        # The schema's own messages (below) say it better than their repr in the wrappers' text.
        if str(error) and not schema_errors and "<ValidationError" not in str(error):
            text += f": {error}"
        for schema_error in schema_errors:
            where = "/".join(str(p) for p in schema_error.absolute_path)
            text += f" [{where + ': ' if where else ''}{schema_error.message}]"
        parts.append(text)
    return " <- ".join(parts)


class GraphqlDescription:
    """POST {query, variables, operationName} checked against a GraphQL schema."""

    def __init__(self, schema):
        self.schema = schema

    @classmethod
    def from_sdl(cls, text: str, overlay):
        from graphql import build_schema

        if overlay is not None:
            text = overlay.apply(text)
        return cls(build_schema(text))

    @classmethod
    def from_introspection(cls, data: dict, overlay):
        from graphql import build_client_schema

        if overlay is not None:
            overlay.apply(data)
        return cls(build_client_schema(data))

    def check(self, request: Request) -> Verdict:
        from graphql import OperationDefinitionNode, parse, validate
        from graphql.error import GraphQLSyntaxError
        from graphql.execution.values import get_variable_values

        if request.method.upper() != "POST":
            return Verdict(None, [f"a GraphQL request is a POST, not {request.method}"])
        try:
            envelope = json.loads(request.body)
        except ValueError as e:
            return Verdict(None, [f"the body is not JSON: {e}"])
        if not isinstance(envelope, dict) or not isinstance(envelope.get("query"), str):
            return Verdict(None, ["the body has no `query` string"])
        try:
            document = parse(envelope["query"])
        except GraphQLSyntaxError as e:
            return Verdict(None, [f"the query does not parse: {e.message}"])
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        wanted = envelope.get("operationName")
        chosen = [o for o in operations if wanted is None or (o.name and o.name.value == wanted)]
        name = chosen[0].name.value if chosen and chosen[0].name else None
        operation = f"{chosen[0].operation.value} {name or '(anonymous)'}" if chosen else None
        violations = [f"invalid document: {e.message}" for e in validate(self.schema, document)]
        if len(chosen) != 1:
            violations.append(f"operationName {wanted!r} does not pick exactly one operation")
        elif not violations:
            variables = envelope.get("variables") or {}
            if not isinstance(variables, dict):
                violations.append("`variables` is not an object")
            else:
                coerced = get_variable_values(self.schema, chosen[0].variable_definitions, variables)
                if isinstance(coerced, list):
                    violations += [f"invalid variables: {e.message}" for e in coerced]
        return Verdict(operation, violations, graphql_operation=name)


class DiscoveryDescription:
    """A request checked against a Google Discovery document (`discovery#restDescription`).

    Paths are served below the document's `rootUrl` (the stand-in's root); a method's path is
    `servicePath` + `flatPath` (or `path`), and a method with `supportsMediaUpload` is also served
    at its `mediaUpload.protocols.*.path` (`/upload/...`, `/resumable/upload/...`). The verdict
    names the method by its `id` (`gmail.users.messages.send`).
    """

    def __init__(self, document: dict):
        self.document = document
        self.schemas = document.get("schemas", {})
        self.global_parameters = {
            name: spec for name, spec in document.get("parameters", {}).items() if spec.get("location") == "query"
        }
        root = urlsplit(document["rootUrl"]).path.rstrip("/")
        self.routes = []
        for method in _discovery_methods(document):
            template = root + "/" + document.get("servicePath", "") + method.get("flatPath", method["path"])
            self.routes.append(_Route(method, template, "rest"))
            if method.get("supportsMediaUpload"):
                for kind, protocol in sorted(method["mediaUpload"].get("protocols", {}).items()):
                    self.routes.append(_Route(method, root + protocol["path"], kind))

    def check(self, request: Request) -> Verdict:
        path = request.path
        matches = [(route, m) for route in self.routes if (m := route.regex.fullmatch(path))]
        if not matches:
            return Verdict(None, [f"no method of {self.document['id']} is served at {path}"])
        same = [(r, m) for r, m in matches if r.http_method == request.method.upper()]
        if not same and request.method.upper() == "PUT" and _resumable_chunk(request):
            # Chunks go to a resumable session's URI with PUT, whatever the method's own verb.
            same = [(r, m) for r, m in matches if r.kind != "rest"]
        if not same:
            served = sorted({f"{r.http_method} ({r.method['id']})" for r, _ in matches})
            return Verdict(None, [f"{path} does not take {request.method.upper()}: it takes {', '.join(served)}"])
        # The most literal template wins (`messages/send` over `messages/{id}`).
        route, match = max(same, key=lambda rm: rm[0].literal_length)
        method = route.method
        violations = self._bearer(request, method)
        violations += self._path_parameters(route, match)
        violations += self._query(request, route)
        if route.kind == "rest":
            violations += self._json_body(request, method)
        else:
            violations += self._upload(request, route)
        return Verdict(method["id"], violations)

    def _bearer(self, request, method):
        if not method.get("scopes"):
            return []
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return []
        return [f"{method['id']} requires an OAuth 2 bearer token: no `Authorization: Bearer ...` header"]

    def _path_parameters(self, route, match):
        violations = []
        for group, name in route.groups.items():
            spec = route.method.get("parameters", {}).get(name)
            value = unquote(match.group(group))
            if spec is None:
                violations.append(f"path parameter {name!r} is not declared by {route.method['id']}")
            else:
                violations += _parameter_violations(f"path parameter {name!r}", value, spec)
        return violations

    def _query(self, request, route):
        method = route.method
        declared = dict(self.global_parameters)
        declared.update({n: s for n, s in method.get("parameters", {}).items() if s.get("location") == "query"})
        pairs = request.query_pairs()
        names = [name for name, _ in pairs]
        violations = []
        for name in dict.fromkeys(names):
            if name == "upload_id" and route.kind != "rest" and _resumable_chunk(request):
                continue  # a resumable session's own URI (from the Location header) carries it
            spec = declared.get(name)
            if spec is None:
                violations.append(
                    f"query parameter {name!r} is not declared by {method['id']} nor by the API's global parameters"
                )
                continue
            if names.count(name) > 1 and not spec.get("repeated"):
                violations.append(f"query parameter {name!r} is given {names.count(name)} times but is not repeated")
            for value in (v for n, v in pairs if n == name):
                violations += _parameter_violations(f"query parameter {name!r}", value, spec)
        for name, spec in declared.items():
            if spec.get("required") and name not in names:
                violations.append(f"required query parameter {name!r} of {method['id']} is missing")
        return violations

    def _json_body(self, request, method):
        if "request" not in method:
            if request.body:
                return [f"{method['id']} takes no body, but {len(request.body)} bytes were sent"]
            return []
        if not request.body:
            return []  # the real API takes an absent body as an empty resource
        return self._metadata(request.header("content-type"), request.body, method, True, ("the body", "body"))

    def _metadata(self, content_type, body, method, required, names):
        """A JSON resource checked against the method's `request.$ref` schema; `required`: also
        the fields its schema's annotations require for this method (a JSON body, not an
        upload's metadata, whose media stands for them)."""
        what, root = names
        media_type = _media_type(content_type)
        if media_type != "application/json":
            return [f"{what} of {method['id']} must be application/json, not {media_type or 'untyped'}"]
        try:
            value = json.loads(body)
        except ValueError as e:
            return [f"{what} is not JSON: {e}"]
        name = method["request"]["$ref"]
        violations = []
        self._check_value(value, {"$ref": name}, root, method["id"] if required else None, violations)
        return violations

    def _check_value(self, value, schema, where, method_id, out):
        """Appends to `out` every way `value` breaks a Discovery schema (JSON Schema draft 3 with
        `$ref` by schema name, `any`, and protobuf's JSON forms for 64-bit integers and bytes)."""
        name = None
        while "$ref" in schema:
            name = schema["$ref"]
            schema = self.schemas[name]
        kind = schema.get("type")
        if value is None or kind in (None, "any"):
            return  # null means "unset" to the real API
        if kind == "object":
            if not isinstance(value, dict):
                out.append(f"{where}: expected an object{f' ({name})' if name else ''}, got {_json_kind(value)}")
                return
            properties = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                if key in properties and _zoned_wall_clock(properties[key], item, value):
                    continue
                if key in properties:
                    self._check_value(item, properties[key], f"{where}.{key}", method_id, out)
                elif extra is not None:
                    self._check_value(item, extra, f"{where}.{key}", method_id, out)
                else:
                    out.append(f"{where}: field {key!r} is not declared by the schema {name or 'of ' + where}")
            for key, spec in properties.items():
                if method_id in spec.get("annotations", {}).get("required", []) and value.get(key) is None:
                    out.append(f"{where}: field {key!r} is required by {method_id}")
        elif kind == "array":
            if not isinstance(value, list):
                out.append(f"{where}: expected an array, got {_json_kind(value)}")
                return
            for i, item in enumerate(value):
                self._check_value(item, schema.get("items", {}), f"{where}[{i}]", method_id, out)
        else:
            problem = _scalar_problem(value, kind, schema.get("format"), schema.get("enum"))
            if problem:
                out.append(f"{where}: {problem}")

    def _upload(self, request, route):
        method = route.method
        upload = method["mediaUpload"]
        upload_type = _upload_type(request)
        allowed = ["resumable"] if route.kind == "resumable" else ["media", "multipart", "resumable"]
        if not upload.get("protocols", {}).get(route.kind, {}).get("multipart", True):
            allowed = [kind for kind in allowed if kind != "multipart"]
        if upload_type is None:
            return [f"an upload to {route.template} needs uploadType ({', '.join(allowed)})"]
        if upload_type not in allowed:
            return [f"uploadType {upload_type!r} is not one of {', '.join(allowed)} at {route.template}"]
        if upload_type == "media":
            return self._media(request.header("content-type"), request.body, upload, "the body")
        if upload_type == "multipart":
            return self._multipart(request, method, upload)
        # resumable: either the session's start (metadata and the media's type and size in
        # headers) or a chunk sent to the session's URI (`upload_id`).
        if _resumable_chunk(request):
            return []
        violations = []
        if request.body:
            violations += self._metadata(
                    request.header("content-type"), request.body, method, False, ("the metadata", "metadata")
            )
        media_type = request.header("x-upload-content-type")
        if media_type is not None and not _accepted(media_type, upload):
            violations.append(f"X-Upload-Content-Type {media_type!r} is not accepted: {upload.get('accept')}")
        length = request.header("x-upload-content-length")
        if length is not None:
            if not length.isdigit():
                violations.append(f"X-Upload-Content-Length {length!r} is not a number of bytes")
            elif "maxSize" in upload and int(length) > int(upload["maxSize"]):
                violations.append(f"X-Upload-Content-Length {length} is over the limit of {upload['maxSize']} bytes")
        return violations

    def _media(self, content_type, content, upload, what):
        violations = []
        if not content_type:
            violations.append(f"{what} has no Content-Type (accepted: {', '.join(upload.get('accept', []))})")
        elif not _accepted(content_type, upload):
            violations.append(
                f"{what}'s type {_media_type(content_type)!r} is not accepted: {', '.join(upload.get('accept', []))}"
            )
        if "maxSize" in upload and len(content) > int(upload["maxSize"]):
            violations.append(f"{what} is {len(content)} bytes, over the limit of {upload['maxSize']}")
        return violations

    def _multipart(self, request, method, upload):
        from email import message_from_bytes
        from email.policy import HTTP

        content_type = request.header("content-type") or ""
        if _media_type(content_type) != "multipart/related":
            return [f"a multipart upload is multipart/related, not {_media_type(content_type) or 'untyped'}"]
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = message_from_bytes(head + request.body, policy=HTTP)
        if not message.get_param("boundary"):
            return ["the multipart/related Content-Type has no boundary"]
        parts = list(message.iter_parts()) if message.is_multipart() else []
        if len(parts) != 2:
            return [f"a multipart upload has two parts (metadata, then media); this one has {len(parts)}"]
        metadata, media = parts
        violations = self._metadata(
            metadata.get("content-type"),
            metadata.get_payload(decode=True) or b"",
            method,
            False,
            ("the first part (metadata)", "metadata"),
        )
        violations += self._media(media.get("content-type"), media.get_payload(decode=True) or b"", upload, "the second part (media)")
        return violations


class _Route:
    """One path a Discovery method is served at: its REST path or a media upload path."""

    def __init__(self, method: dict, template: str, kind: str):
        self.method = method
        self.http_method = method["httpMethod"].upper()
        self.template = template
        self.kind = kind  # "rest", "simple" (/upload/...) or "resumable" (/resumable/upload/...)
        self.groups = {}
        regex = ""
        self.literal_length = 0
        for part in re.split(r"(\{\+?[^}]+\})", template):
            if part.startswith("{") and part.endswith("}"):
                group = f"p{len(self.groups)}"
                reserved = part.startswith("{+")
                self.groups[group] = part[2:-1] if reserved else part[1:-1]
                # `{+name}` is a reserved expansion: its value may span `/`.
                regex += f"(?P<{group}>{'.+' if reserved else '[^/]+'})"
            else:
                regex += re.escape(part)
                self.literal_length += len(part)
        self.regex = re.compile(regex)


def _discovery_methods(resource: dict):
    yield from resource.get("methods", {}).values()
    for child in resource.get("resources", {}).values():
        yield from _discovery_methods(child)


def _upload_type(request: Request) -> Optional[str]:
    return dict(request.query_pairs()).get("uploadType")


def _resumable_chunk(request: Request) -> bool:
    """A request to a resumable session's URI (`uploadType=resumable&upload_id=...`)."""
    pairs = dict(request.query_pairs())
    return pairs.get("uploadType") == "resumable" and bool(pairs.get("upload_id"))


def _media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _accepted(content_type: str, upload: dict) -> bool:
    media_type = _media_type(content_type)
    for pattern in upload.get("accept", ["*/*"]):
        pattern = pattern.lower()
        if pattern == "*/*" or pattern == media_type:
            return True
        if pattern.endswith("/*") and media_type.startswith(pattern[:-1]):
            return True
    return False


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return {dict: "an object", list: "an array"}.get(type(value), type(value).__name__)


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE)
_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-(2**63), 2**63 - 1), "uint64": (0, 2**64 - 1)}


def _scalar_problem(value, kind, fmt, enum) -> Optional[str]:
    """Why a JSON scalar is not of a Discovery type, format and enum; None when it is."""
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected a boolean, got {_json_kind(value)}"
    if kind in ("integer", "number"):
        ok = isinstance(value, int) if kind == "integer" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            return f"expected {'an integer' if kind == 'integer' else 'a number'}, got {_json_kind(value)}"
        low, high = _RANGES.get(fmt, (None, None))
        if low is not None and not low <= value <= high:
            return f"{value} is out of the {fmt} range"
        return None
    if kind == "string":
        if fmt in ("int64", "uint64") and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # protobuf's JSON takes 64-bit integers as numbers too
        if not isinstance(value, str):
            return f"expected a string, got {_json_kind(value)}"
        problem = _string_format_problem(value, fmt)
        if problem:
            return problem
        if enum is not None and value not in enum:
            return f"{value!r} is not one of {enum}"
        return None
    return None


# Calendar's EventDateTime.dateTime is typed `format: date-time`, but its description says "A
# time zone offset is required unless a time zone is explicitly specified in timeZone": the
# document itself allows a wall-clock time beside a `timeZone`, and this reads that sentence.
_ZONE_EXCUSES_OFFSET = "time zone offset is required unless a time zone is explicitly specified in timezone"
_WALL_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?")


def _zoned_wall_clock(spec: dict, value, parent: dict) -> bool:
    """Whether `value` is an offset-less date-time its property's own description allows
    because the enclosing object names a `timeZone`."""
    return (
        isinstance(value, str)
        and _ZONE_EXCUSES_OFFSET in spec.get("description", "").lower()
        and isinstance(parent.get("timeZone"), str)
        and parent["timeZone"] != ""
        and _WALL_CLOCK.fullmatch(value) is not None
    )


def _string_format_problem(value: str, fmt) -> Optional[str]:
    if fmt in _RANGES:
        if not re.fullmatch(r"-?\d+", value):
            return f"{value!r} is not an {fmt} integer"
        low, high = _RANGES[fmt]
        return None if low <= int(value) <= high else f"{value} is out of the {fmt} range"
    if fmt in ("date-time", "google-datetime") and not _RFC3339.fullmatch(value):
        return f"{value!r} is not an RFC 3339 date-time"
    if fmt == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if fmt == "google-duration" and not re.fullmatch(r"-?\d+(\.\d{1,9})?s", value):
        return f"{value!r} is not a duration such as '3.5s'"
    if fmt == "byte":
        try:
            padded = value + "=" * (-len(value) % 4)
            base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except ValueError:
            return f"{value!r} is not base64"
    return None


def _parameter_violations(what: str, value: str, spec: dict) -> list:
    """A path or query parameter's text against its Discovery type, format, enum and bounds."""
    kind = spec.get("type", "string")
    fmt = spec.get("format")
    if kind == "boolean":
        if value not in ("true", "false"):
            return [f"{what}: {value!r} is not a boolean (true or false)"]
        return []
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return [f"{what}: {value!r} is not an integer"]
        number = int(value)
        low, high = _RANGES.get(fmt, (None, None))
        if "minimum" in spec:
            low = max(int(spec["minimum"]), low) if low is not None else int(spec["minimum"])
        if "maximum" in spec:
            high = min(int(spec["maximum"]), high) if high is not None else int(spec["maximum"])
        if (low is not None and number < low) or (high is not None and number > high):
            return [f"{what}: {number} is out of range [{low}, {high}]"]
        return []
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return [f"{what}: {value!r} is not a number"]
        return []
    problem = _string_format_problem(value, fmt)
    if problem:
        return [f"{what}: {problem}"]
    if "enum" in spec and value not in spec["enum"]:
        return [f"{what}: {value!r} is not one of {spec['enum']}"]
    if "pattern" in spec and not re.search(spec["pattern"], value):
        return [f"{what}: {value!r} does not match {spec['pattern']}"]
    return []


def encode_body(body: bytes) -> str:
    return base64.b64encode(body).decode("ascii")


def first_example(document: dict, operation: Optional[str]):
    """The description's own example of the operation's first 2xx JSON answer, if it has one."""
    if not operation or " " not in operation or "paths" not in document:
        return None
    method, pattern = operation.split(" ", 1)
    op = document["paths"].get(pattern, {}).get(method.lower(), {})
    for status, response in sorted(op.get("responses", {}).items()):
        if not str(status).startswith("2"):
            continue
        response = _resolve_in(document, response)
        for media_type, media in response.get("content", {}).items():
            if "json" not in media_type:
                continue
            if "example" in media:
                return int(status), copy.deepcopy(media["example"])
            for example in media.get("examples", {}).values():
                example = _resolve_in(document, example)
                if "value" in example:
                    return int(status), copy.deepcopy(example["value"])
    return None


def _resolve_in(document, node):
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node
