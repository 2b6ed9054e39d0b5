-- The reform as a programme (issue 20): status updates of the programme's measures, with their evidence.
-- Appended, never updated: a measure's status is its latest update (else the programme file's).
CREATE TABLE programme_updates (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    programme TEXT NOT NULL,       -- the programme folder's name (kz)
    measure TEXT NOT NULL,         -- a measure id of measures.csv
    status TEXT NOT NULL,          -- planned | in_progress | done | late | dropped | unknown
    evidence TEXT NOT NULL,        -- the act or document that shows it
    reference TEXT,                -- where it is published (number, date, address)
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX programme_updates_by_measure ON programme_updates (programme, measure);
