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
- Google Discovery: not written yet; `DiscoveryDescription` says so at startup.

The stand-in serves at its root what the description serves under its server URL: a test maps
the provider's base URL (e.g. `https://slack.com/api`) to the stand-in's session prefix.
"""

import base64
import copy
import gzip
import json
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qsl

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
    if path.endswith((".graphql", ".gql")):
        return GraphqlDescription.from_sdl(Path(path).read_text(), overlay)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        document = json.load(f)
    if "openapi" in document or "swagger" in document:
        return OpenApiDescription(path, document, overlay)
    if "data" in document and "__schema" in document["data"]:
        return GraphqlDescription.from_introspection(document["data"], overlay)
    if document.get("kind") == "discovery#restDescription":
        return DiscoveryDescription(document)
    raise SystemExit(f"{path}: not an OpenAPI, Swagger, GraphQL or Google Discovery description")


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
    """Hook for Google's Discovery documents (Gmail, Calendar, Drive, Docs).

    To write: map `resources.*.methods.*` (httpMethod, flatPath/path templates, `parameters` with
    `required`, `type`, `enum`, `location`) and `request.$ref` body schemas from `schemas`, plus
    the `/upload/` media paths; then check requests as OpenApiDescription does.
    """

    def __init__(self, document: dict):
        raise SystemExit(
            f"Google Discovery checks are not written yet ({document.get('id')}): "
            "see DiscoveryDescription in tests/tools/standin/descriptions.py"
        )


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
