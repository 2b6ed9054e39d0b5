-- Requests that soften the budget constraint (concept §1.7): an akimat asks for a lower withdrawal, a debt
-- restructuring or a targeted transfer; each is priced when filed (JSON of analysis/requests.py) and decided by
-- the commission. Rows are appended, never updated: the request's whole story is kept.
CREATE TABLE soft_requests (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    scenario_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    unit_code TEXT NOT NULL,
    region TEXT NOT NULL,          -- who may see it: the akimat of this region, the commission, analysts
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,            -- lower_withdrawal | restructuring | targeted_transfer
    amount DOUBLE PRECISION NOT NULL,
    text TEXT NOT NULL,
    price TEXT NOT NULL,           -- JSON: the price when filed
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE soft_request_events (
    id BIGINT PRIMARY KEY DEFAULT nextval('ids'),
    request_id BIGINT NOT NULL,
    kind TEXT NOT NULL,            -- comment | granted | refused | reopened
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX soft_requests_region ON soft_requests (region);
CREATE INDEX soft_request_events_request ON soft_request_events (request_id);
