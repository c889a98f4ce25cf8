-- version 2: status records with validity intervals and provenance, indicator values,
-- batch roll-back (nothing is deleted: a rolled-back batch is marked, its rows stay).
ALTER TABLE import_batches ADD COLUMN state TEXT NOT NULL DEFAULT 'active';   -- active | rolled_back
ALTER TABLE import_batches ADD COLUMN rolled_back_at TEXT;
ALTER TABLE import_batches ADD COLUMN rolled_back_by TEXT;
ALTER TABLE import_batches ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0;

CREATE TABLE status_records (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    edition        TEXT NOT NULL,
    code           TEXT NOT NULL,
    scheme         TEXT NOT NULL,
    status         TEXT NOT NULL,
    valid_from     TEXT NOT NULL,            -- ISO date
    valid_to       TEXT,                     -- ISO date, inclusive; NULL = until superseded
    decision_no    TEXT NOT NULL DEFAULT '',
    decision_date  TEXT,
    source         TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batches(id),
    row_number     INTEGER,
    is_demo        INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (edition, code) REFERENCES units(edition, code)
);
CREATE INDEX status_by_unit ON status_records(edition, scheme, code, valid_from);
CREATE INDEX status_by_batch ON status_records(batch_id);

CREATE TABLE indicator_values (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    edition        TEXT NOT NULL,
    code           TEXT NOT NULL,
    indicator      TEXT NOT NULL,
    period         TEXT NOT NULL,            -- YYYY, YYYY-MM or YYYY-Qn
    period_start   TEXT NOT NULL,            -- ISO date
    period_end     TEXT NOT NULL,            -- ISO date
    value          REAL NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batches(id),
    row_number     INTEGER,
    is_demo        INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (edition, code) REFERENCES units(edition, code)
);
CREATE INDEX indicator_by_unit ON indicator_values(edition, indicator, code, period_start);
CREATE INDEX indicator_by_batch ON indicator_values(batch_id);
