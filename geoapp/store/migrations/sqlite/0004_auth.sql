-- version 4: users, roles and province scopes; API tokens; login throttling; share links.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    all_provinces  INTEGER NOT NULL DEFAULT 0,   -- reads (viewer) or edits (editor) every province
    provinces      TEXT NOT NULL DEFAULT '[]',   -- JSON list of "edition:code"
    disabled       INTEGER NOT NULL DEFAULT 0,
    session_epoch  INTEGER NOT NULL DEFAULT 0,   -- bumped by "log out everywhere"
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    token_hash  TEXT NOT NULL UNIQUE,            -- sha256 of the token; the token itself is shown once
    label       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    last_used   TEXT,
    revoked_at  TEXT
);

CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    origin  TEXT NOT NULL,
    name    TEXT NOT NULL,
    ok      INTEGER NOT NULL
);
CREATE INDEX login_attempts_by_origin ON login_attempts(origin, at);

CREATE TABLE share_links (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT NOT NULL UNIQUE,
    view        TEXT NOT NULL,                   -- JSON: path and query of the shared map view
    edition     TEXT NOT NULL,
    province    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
);
