DROP INDEX sync_runs_status;
ALTER TABLE exchange_imports DROP COLUMN started_at;
ALTER TABLE exchange_imports DROP COLUMN holder;
ALTER TABLE sync_runs DROP COLUMN holder;
