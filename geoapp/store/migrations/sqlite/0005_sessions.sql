-- version 5: server-side sessions (logout ends a session on the server), one failed-login
-- counter row per address (updated in one statement), share links tied to their creator's epoch.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    sid_hash    TEXT NOT NULL UNIQUE,            -- sha256 of the random id the cookie carries
    epoch       INTEGER NOT NULL,                -- the user's session_epoch when it started
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT                             -- set by logout / log out everywhere
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE login_origins (
    origin        TEXT PRIMARY KEY,              -- the client address
    window_start  TEXT NOT NULL,                 -- the throttle window counts from here
    failures      INTEGER NOT NULL               -- attempts counted in the window (a success gives its own back)
);

-- a link lives only while its creator's session_epoch is the one it was created under
ALTER TABLE share_links ADD COLUMN creator_epoch INTEGER;
UPDATE share_links SET creator_epoch = (SELECT session_epoch FROM users WHERE users.name = share_links.created_by);
