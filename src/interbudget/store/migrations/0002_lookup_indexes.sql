-- Lookups the pages make on every request: a region's objections, a scenario's runs, an objection's story.
CREATE INDEX objections_by_region ON objections (region, scenario_id);
CREATE INDEX runs_by_scenario ON runs (scenario_id, version);
CREATE INDEX events_by_objection ON objection_events (objection_id);
CREATE INDEX attachments_by_objection ON attachments (objection_id);
