-- Which process runs a journal run or a 1C background import
-- ("host:pid:start"), so that one left "running" by a killed process is
-- recognised and shown as interrupted instead of running forever.
ALTER TABLE sync_runs ADD COLUMN holder TEXT;
ALTER TABLE exchange_imports ADD COLUMN holder TEXT;
ALTER TABLE exchange_imports ADD COLUMN started_at TIMESTAMP;
CREATE INDEX sync_runs_status ON sync_runs (status);
