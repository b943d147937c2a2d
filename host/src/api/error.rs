//! One error type for every route: the CONTRACT's `{"error": {"code", "message", "details"}}`.
