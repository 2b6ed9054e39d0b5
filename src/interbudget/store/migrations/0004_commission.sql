-- The Commission's workflow (concept §3.2, conclusion): a body submits a proposal, the Commission reviews it sector by
-- sector and decides it with reasons; an accepted proposal is a new dated registry state with its priced effect; a
-- decision is public once published. Rows are appended, never updated: the whole history is kept.
CREATE TABLE commission_proposals (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    title TEXT NOT NULL,
    body TEXT NOT NULL,            -- the submitting body (registry bodies.csv id)
    document TEXT NOT NULL,        -- the proposal as JSON: name, kind, base, effective_year, moves
    author TEXT NOT NULL,
    region TEXT,                   -- an akimat author's region: who else may see it before publication
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE commission_reviews (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    proposal_id BIGINT NOT NULL,
    sector TEXT NOT NULL,          -- the functional group on the agenda ('' : the proposal as a whole)
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE commission_decisions (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    proposal_id BIGINT NOT NULL UNIQUE,
    decision TEXT NOT NULL,        -- accepted | rejected
    reasons TEXT NOT NULL,
    state_id TEXT,                 -- the registry state an accepted proposal becomes
    effective_from TEXT,           -- ISO date
    effect TEXT,                   -- JSON: the priced effect on every budget
    author TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL
);

CREATE TABLE commission_publications (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    proposal_id BIGINT NOT NULL UNIQUE,
    author TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);

CREATE INDEX commission_reviews_by_proposal ON commission_reviews (proposal_id);
