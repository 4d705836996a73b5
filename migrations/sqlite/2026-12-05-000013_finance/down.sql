DROP TABLE contract_balances;
DROP TABLE ledger_entries;
ALTER TABLE contracts DROP COLUMN debit_on;
ALTER TABLE contracts DROP COLUMN grace_days;
ALTER TABLE contracts DROP COLUMN credit_limit_minor;
