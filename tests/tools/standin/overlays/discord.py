"""Discord: where Discord's published description (discord-api-spec's openapi.json, OpenAPI
3.1.0) cannot be checked as it is, or says less than the API it describes:

- Ids carry the custom format `snowflake` (`{"type": "string", "pattern": "^(0|[1-9][0-9]*)$",
  "format": "snowflake"}`), for which openapi-core has no formatter: it refuses every request with
  an id in its path ("Formatter not found for snowflake format"). The format is dropped; the
  pattern, which says the same, still checks every id.
- The bot's scheme `BotToken` is declared as an API key in the `Authorization` header, which
  checks only that the header is there; Discord's reference requires the form
  `Authorization: Bot <token>` (a bearer token is refused with 401 on bot-only routes). It
  becomes an HTTP scheme `bot`, so that openapi-core checks the `Bot` prefix on every operation
  only a bot may call.
"""


def _drop_snowflake_format(node):
    if isinstance(node, dict):
        if node.get("format") == "snowflake":
            del node["format"]
        for value in node.values():
            _drop_snowflake_format(value)
    elif isinstance(node, list):
        for value in node:
            _drop_snowflake_format(value)


def apply(document):
    _drop_snowflake_format(document)
    schemes = document["components"]["securitySchemes"]
    assert schemes["BotToken"] == {"type": "apiKey", "name": "Authorization", "in": "header"}, schemes["BotToken"]
    schemes["BotToken"] = {"type": "http", "scheme": "bot"}
