-- version 3: the crosswalk between editions (old commune -> new unit) and its weights.
-- One row per (old, new) pair of an edition pair. Codes are deliberately NOT foreign keys:
-- the reference file may name codes an edition's list lacks, and the checks report them.
CREATE TABLE crosswalk (
    from_edition   TEXT NOT NULL REFERENCES editions(edition),
    to_edition     TEXT NOT NULL REFERENCES editions(edition),
    old_code       TEXT NOT NULL CHECK (length(old_code) = 5),
    new_code       TEXT NOT NULL CHECK (length(new_code) = 5),
    is_split       INTEGER NOT NULL DEFAULT 0,   -- the old commune went to several new units
    old_name       TEXT NOT NULL DEFAULT '',
    new_name       TEXT NOT NULL DEFAULT '',
    old_province   TEXT NOT NULL DEFAULT '',
    new_province   TEXT NOT NULL DEFAULT '',
    -- share of the old commune that lies in the new unit; sums to 1 over an old commune
    weight         DOUBLE PRECISION NOT NULL,
    method         TEXT NOT NULL DEFAULT 'crosswalk' CHECK (method IN ('area', 'crosswalk')),
    raw_share      DOUBLE PRECISION,              -- overlay share before renormalising (area only)
    coverage       DOUBLE PRECISION,              -- share of the old polygon inside its listed targets
    weights_at     TEXT,                          -- when area weights were last computed
    source         TEXT NOT NULL,                 -- file name
    source_sha256  TEXT NOT NULL,
    batch_id       BIGINT NOT NULL REFERENCES import_batches(id),
    PRIMARY KEY (from_edition, to_edition, old_code, new_code)
);
CREATE INDEX crosswalk_by_new ON crosswalk(from_edition, to_edition, new_code);
