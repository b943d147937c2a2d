"""Asana: two places where the description is stricter than the real API.

- `GET /workspaces/{workspace_gid}/tasks/search` declares no `limit`, but Asana's search docs
  ("Search tasks in a workspace", Pagination) say page sizes "are limited to a maximum of 100
  items, and can be specified by the limit query parameter"; it is declared here as `limit`
  is on Asana's other lists (an integer from 1 to 100).
- `custom_fields` of a task write (`TaskRequestBase`) maps a custom field gid to a string only,
  but Asana takes each kind's own value: a number for a number field, a list of enum option gids
  for a multi-select, `{"date": ...}` for a date, a list of user gids for a people field, `null`
  to clear (developers.asana.com, "Custom fields": "Accessing custom field values on tasks").
"""


def apply(document):
    search = document["paths"]["/workspaces/{workspace_gid}/tasks/search"]["get"]
    search.setdefault("parameters", []).append(
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}
    )
    base = document["components"]["schemas"]["TaskRequestBase"]
    for part in base["allOf"]:
        fields = part.get("properties", {}).get("custom_fields")
        if fields is not None:
            fields["additionalProperties"] = {
                "nullable": True,
                "oneOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "properties": {"date": {"type": "string", "format": "date"}, "date_time": {"type": "string", "format": "date-time"}}, "additionalProperties": False},
                ],
            }
