"""Trello: where Atlassian's published description (swagger.v3.json) is stricter than the API it
describes, each correction checked against Trello's reference pages and guides:

- `/members/{id}/boards`: `id` is a TrelloID there, but the reference names `me` (the token's
  member) and usernames, as `GET /members/{id}` in the same file already allows.
- `fields` of `/members/{id}/boards` (`BoardFields`) and of `/members/{id}` (`MemberFields`,
  whose enum holds only `id`) is "`all` or a comma-separated list of fields" in the reference:
  a string, not one enum value.
- `GET /boards/{id}/cards` and `GET /lists/{id}/cards` declare no query parameters; the
  nested-resources guide gives cards' `fields` and `filter`, and the paging guide `limit` (at
  most 1000) and `before`/`since` (an id) on these lists.
- `due` and `start` of `POST /cards` and `PUT /cards/{id}` are typed `format: date`, but they are
  instants: Trello answers them as `2019-09-17T16:00:00.000Z` and takes ISO 8601 date-times.
- `idLabels` and `idMembers` are "comma-separated lists of ids" in the reference: `POST /cards`
  declares an array (which a query would repeat, `idLabels=a&idLabels=b`), `PUT /cards/{id}`
  one TrelloID; both become one comma-separated value (empty to remove all, on `PUT`).
- `pos` is `top`, `bottom` or a positive number; in a query string every value is text, and
  openapi-core does not cast text inside a `oneOf` (it refuses `pos=16384`), so `pos` becomes a
  string of those forms.
- `PUT /cards/{id}` clears a description, labels or members with an empty value (`desc=`), which
  openapi-core refuses unless the parameter allows empty values.
- Defaults of the wrong type, which openapi-core fills in and then refuses on every request that
  leaves the parameter out: `attachments` of `GET /cards/{id}` (`cover` or a boolean in a
  `oneOf`, default `false`; as query text: `cover`, `true` or `false`), `organizations_limit`
  and `members_limit` of `GET /search` (integers, default `"10"`).
- Boards and cards are also named by their short link (the 8 characters in `trello.com/b/...`
  and `trello.com/c/...`), which the reference's TrelloID pattern leaves out.
- `key` and `token` (the security schemes `APIKey` and `APIToken`, both in the query) are
  declared as query parameters of every operation, so that the stand-in's check for undeclared
  query parameters, which reads only `parameters`, does not count the credential; openapi-core
  still checks the schemes themselves.
"""

ID = "[0-9a-fA-F]{24}"
ID_OR_SHORT_LINK = {"type": "string", "pattern": f"^({ID}|[0-9A-Za-z]{{8}})$"}
POSITION = {"type": "string", "pattern": "^(top|bottom|[0-9]+(\\.[0-9]+)?)$"}
ID_LIST = {"type": "string", "pattern": f"^({ID}(,{ID})*)?$"}
FIELDS = {"type": "string", "pattern": "^[A-Za-z]+(,[A-Za-z]+)*$"}


def _parameter(operation, name):
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == name:
            return parameter
    raise KeyError(f"the description no longer has parameter {name!r}: review this overlay")


def _query(name, schema):
    return {"name": name, "in": "query", "required": False, "schema": schema}


def apply(document):
    paths = document["paths"]

    boards = paths["/members/{id}/boards"]["get"]
    _parameter(boards, "id")["schema"] = {"type": "string", "minLength": 1}
    _parameter(boards, "fields")["schema"] = FIELDS
    _parameter(paths["/members/{id}"]["get"], "fields")["schema"] = FIELDS

    for path in ("/boards/{id}/cards", "/lists/{id}/cards"):
        operation = paths[path]["get"]
        operation.setdefault("parameters", []).extend(
            [
                _query("fields", FIELDS),
                _query("filter", {"type": "string", "enum": ["all", "closed", "none", "open", "visible"]}),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                _query("before", {"type": "string", "pattern": f"^{ID}$"}),
                _query("since", {"type": "string", "pattern": f"^{ID}$"}),
            ]
        )

    for operation in (paths["/cards"]["post"], paths["/cards/{id}"]["put"]):
        for name in ("due", "start"):
            _parameter(operation, name)["schema"] = {"type": "string", "format": "date-time", "nullable": True}
        for name in ("idLabels", "idMembers"):
            _parameter(operation, name)["schema"] = ID_LIST

    for name in ("desc", "idLabels", "idMembers"):
        _parameter(paths["/cards/{id}"]["put"], name)["allowEmptyValue"] = True
    for operation in (paths["/cards"]["post"], paths["/cards/{id}"]["put"], paths["/lists"]["post"]):
        _parameter(operation, "pos")["schema"] = POSITION

    _parameter(paths["/cards/{id}"]["get"], "attachments")["schema"] = {
        "type": "string",
        "enum": ["cover", "true", "false"],
        "default": "false",
    }
    for name in ("organizations_limit", "members_limit"):
        _parameter(paths["/search"]["get"], name)["schema"]["default"] = 10

    for path in ("/boards/{id}", "/boards/{id}/lists", "/boards/{id}/cards", "/cards/{id}", "/cards/{id}/actions/comments"):
        item = paths[path]
        for parameter in item.get("parameters", []) + [
            p for o in item.values() if isinstance(o, dict) for p in o.get("parameters", [])
        ]:
            if parameter.get("in") == "path" and parameter.get("name") == "id":
                parameter["schema"] = ID_OR_SHORT_LINK

    schemes = document["components"]["securitySchemes"]
    credential = [_query(s["name"], {"type": "string"}) for s in schemes.values() if s.get("in") == "query"]
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.setdefault("parameters", []).extend(dict(p) for p in credential)
