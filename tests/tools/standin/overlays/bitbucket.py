"""Bitbucket Cloud: where its Swagger 2.0 description is stricter than the real API.

- Every object schema inherits `object`, which requires `type` (the discriminator of Bitbucket's
  answers); `pullrequest_merge_parameters` requires it too. The real API does not need `type` in
  a request: its reference's own examples create a pull request with only
  `{"title", "source": {"branch": {"name"}}}` and comment with `{"content": {"raw"}}`. `type` stays
  declared, no longer required.
- Paginated collections take `page` and `pagelen` ("Pagination": the default page is 10 items,
  100 the most for most lists; `page` is a number or, on some lists such as commits, an opaque
  token from the `next` link), which the description declares on few of them. They are declared
  on every GET whose answer is a `paginated_*` schema.
- `GET /repositories/{workspace}/{repo_slug}/pipelines` takes `sort` (the Pipelines reference's
  "List pipelines": `sort=-created_on` for newest first), which the description leaves out.
- `GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}`: `path` is a file's path in
  the repository and spans `/` (`src/app/main.ts`; a directory's path ends with `/`), but
  openapi-core matches a template parameter within one segment. The operation is copied to the
  templates of paths up to 8 segments deep, each also with a trailing `/`; the copies check the
  same parameters and answers (only the verdict's operation name shows the depth).
"""

import copy

SRC = "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}"
SRC_DEPTH = 8


def apply(document):
    schemas = document["components"]["schemas"]
    for name in ("object", "pullrequest_merge_parameters"):
        required = [r for r in schemas[name].get("required", []) if r != "type"]
        if required:
            schemas[name]["required"] = required
        else:
            schemas[name].pop("required", None)
    for item in document["paths"].values():
        get = item.get("get")
        if get is None or not _paginated(document, get):
            continue
        declared = {p.get("name") for p in item.get("parameters", []) + get.get("parameters", []) if "name" in p}
        parameters = get.setdefault("parameters", [])
        if "page" not in declared:
            parameters.append({"name": "page", "in": "query", "schema": {"type": "string", "minLength": 1}})
        if "pagelen" not in declared:
            parameters.append({"name": "pagelen", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}})
    _spanning_src_path(document)
    pipelines = document["paths"]["/repositories/{workspace}/{repo_slug}/pipelines"]["get"]
    pipelines.setdefault("parameters", []).append({"name": "sort", "in": "query", "schema": {"type": "string"}})


def _paginated(document, operation):
    answer = operation.get("responses", {}).get("200", {})
    for media in answer.get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        if ref.split("/")[-1].startswith("paginated_"):
            return True
    return False


def _spanning_src_path(document):
    paths = document["paths"]
    item = paths[SRC]
    paths[SRC + "/"] = copy.deepcopy(item)
    for depth in range(1, SRC_DEPTH):
        names = [f"dir{i}" for i in range(1, depth + 1)]
        template = SRC.replace("{path}", "/".join("{" + n + "}" for n in names) + "/{path}")
        deeper = copy.deepcopy(item)
        deeper["parameters"] = deeper.get("parameters", []) + [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
        ]
        paths[template] = deeper
        paths[template + "/"] = copy.deepcopy(deeper)
