-- actionhost's state on PostgreSQL. Secrets arrive sealed (the database never sees a plaintext
-- secret); the host decides what a value means.

-- Every key-value tree (accounts, connections, OAuth states, connect sessions, plugins, meta).
CREATE TABLE kv (
    tree  text  NOT NULL,
    key   bytea NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (tree, key)
);

-- The audit log, one row per record. `seq` is the order: writers take an advisory lock around
-- their insert, so sequence order is commit order and paging by `seq` never skips a record that
-- commits later. `id` is the record's id, the API's paging cursor.
CREATE TABLE audit (
    seq     bigserial PRIMARY KEY,
    id      text  NOT NULL UNIQUE,
    user_id text  NOT NULL,
    action  text  NOT NULL,
    record  jsonb NOT NULL
);
CREATE INDEX audit_by_user ON audit (user_id, seq DESC);
CREATE INDEX audit_by_action ON audit (action, seq DESC);
