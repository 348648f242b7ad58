-- Stored connections: a PVE cluster or a PBS each. Secrets are not here: `secret_ref` is the
-- keychain entry (`owner:kind`) that holds the password or token secret, never a value.
CREATE TABLE connections (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind        TEXT NOT NULL CHECK (kind IN ('pve', 'pbs')),
    -- JSON array of `https://host:port`, in the order they are tried.
    urls        TEXT NOT NULL,
    access      TEXT NOT NULL CHECK (access IN ('credential', 'apiToken')),
    username    TEXT NOT NULL,
    token_id    TEXT NULL,
    secret_ref  TEXT NULL,
    timeout_ms  INTEGER NOT NULL,
    -- JSON array of pinned SHA-256 certificate fingerprints (`AA:BB:…`), one per node
    -- certificate the user confirmed; empty: verify with the system's roots.
    fingerprints TEXT NOT NULL DEFAULT '[]',
    -- JSON array of node names in display order.
    node_order  TEXT NOT NULL DEFAULT '[]',
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Health history: each state a connection entered, with why. The newest row is the last
-- known state, shown after a restart until the monitor checks again.
CREATE TABLE connection_health (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    state         TEXT NOT NULL,
    at            TEXT NOT NULL,
    message       TEXT NULL
);

CREATE INDEX connection_health_by_connection ON connection_health (connection_id, id);
