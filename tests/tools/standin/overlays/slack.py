"""Slack: the description lists a required `token` parameter (header, query or form) on every
method, the legacy way to authenticate. Slack accepts the token as `Authorization: Bearer` in
its place (the description's own `slackAuth` scheme), which is how the plugin sends it; so the
`token` parameters are dropped and the stand-in checks the bearer header instead."""


def apply(document):
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            operation["parameters"] = [p for p in operation.get("parameters", []) if p.get("name") != "token"]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                schema = media.get("schema", {})
                schema.get("properties", {}).pop("token", None)
                if "token" in schema.get("required", []):
                    schema["required"] = [r for r in schema["required"] if r != "token"]
