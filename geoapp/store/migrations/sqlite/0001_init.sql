-- geoapp embedded schema, version 1: editions, units, geometry levels, batches, audit.
CREATE TABLE editions (
    edition     TEXT PRIMARY KEY,
    label_vi    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT
);
INSERT INTO editions VALUES
    ('pre2025', 'Trước 1/7/2025 (63 tỉnh, cấp huyện)', 'Before 1 July 2025 (63 provinces, districts)', NULL, '2025-06-30'),
    ('2025', 'Từ 1/7/2025 (34 tỉnh, không cấp huyện)', 'From 1 July 2025 (34 provinces, no districts)', '2025-07-01', NULL);

CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,           -- boundaries | unit_list | ...
    edition     TEXT NOT NULL REFERENCES editions(edition),
    source      TEXT NOT NULL,           -- file names or URL
    file_hash   TEXT NOT NULL,           -- sha256 over the input files
    user        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'   -- JSON: provinces, repaired problems, timings
);

CREATE TABLE provinces (
    edition     TEXT NOT NULL REFERENCES editions(edition),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (edition, code)
);

CREATE TABLE units (
    edition        TEXT NOT NULL REFERENCES editions(edition),
    code           TEXT NOT NULL CHECK (length(code) = 5),
    name           TEXT NOT NULL,
    full_name      TEXT NOT NULL DEFAULT '',
    name_en        TEXT NOT NULL DEFAULT '',
    unit_type      TEXT NOT NULL DEFAULT '',
    district_code  TEXT NOT NULL DEFAULT '',
    district_name  TEXT NOT NULL DEFAULT '',
    province_code  TEXT NOT NULL,
    province_name  TEXT NOT NULL DEFAULT '',
    area_km2       REAL,
    population     INTEGER,
    in_list        INTEGER NOT NULL DEFAULT 0,   -- present in the official unit list
    has_geometry   INTEGER NOT NULL DEFAULT 0,
    batch_id       INTEGER REFERENCES import_batches(id),
    PRIMARY KEY (edition, code)
);
CREATE INDEX units_by_province ON units(edition, province_code);

-- lod 0 is the geometry as imported (EPSG:4326); lods 1..n are coverage-simplified.
CREATE TABLE unit_geometry (
    edition     TEXT NOT NULL,
    code        TEXT NOT NULL,
    lod         INTEGER NOT NULL,
    wkb         BLOB NOT NULL,
    n_vertices  INTEGER NOT NULL,
    minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL,
    PRIMARY KEY (edition, code, lod),
    FOREIGN KEY (edition, code) REFERENCES units(edition, code) ON DELETE CASCADE
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    user    TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT '{}',
    origin  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('data_version', '0');
