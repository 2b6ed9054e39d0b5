-- The workbench's store: users and sessions, scenarios as versioned diffs, runs, objections, the audit log.
-- Written once for DuckDB and PostgreSQL: the shared subset of both (sequences, TEXT, BYTEA, TIMESTAMP).
CREATE SEQUENCE ids START 1;

CREATE TABLE users (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,            -- analyst | akimat | commission
    region TEXT,                   -- an akimat user's region code
    display_name TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,   -- SHA-256 of the cookie's token: a leaked table opens no session
    user_id BIGINT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE datasets (
    name TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,     -- SHA-256 over the dataset's files, as in a run's manifest
    registered_at TIMESTAMP NOT NULL
);

CREATE TABLE scenarios (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    name TEXT NOT NULL UNIQUE,
    dataset TEXT NOT NULL,
    base_scenario BIGINT,          -- a draft made from another scenario: version 1 is a diff of that one
    base_version INTEGER,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- a version is a JSON merge patch (RFC 7386) of its parent: the previous version, or the base scenario's
-- version for version 1 (of an empty document when there is no base)
CREATE TABLE scenario_versions (
    scenario_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    diff TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    note TEXT,
    PRIMARY KEY (scenario_id, version)
);

-- publication and sharing are rows, not updates: the history of who published what stays
CREATE TABLE publications (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    scenario_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE shares (
    scenario_id BIGINT NOT NULL,
    region TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scenario_id, region)
);

CREATE TABLE runs (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    scenario_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,          -- queued | running | done | failed
    stage TEXT NOT NULL,
    progress DOUBLE PRECISION NOT NULL,
    started_by TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    manifest TEXT,                 -- JSON, as simulate's manifest.json
    budgets_csv TEXT,              -- budgets.csv, as simulate writes it
    error TEXT
);

CREATE TABLE objections (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    scenario_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    unit_code TEXT NOT NULL,
    region TEXT NOT NULL,          -- the region the budget belongs to: who may see the objection
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- objection | correction
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- status changes and comments are appended, never updated: the objection's whole story is kept
CREATE TABLE objection_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    objection_id BIGINT NOT NULL,
    kind TEXT NOT NULL,            -- comment | resolved | rejected | reopened
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE attachments (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    objection_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    happened_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT
);
