"""Corrections to a provider's description where it is stricter or looser than the real API.

Each module has `apply(description)`, run on the parsed description (OpenAPI 3 after any Swagger
2.0 conversion; SDL text, returning the new text; introspection `data`) before it is loaded.
Keep each change small and say why.
"""
