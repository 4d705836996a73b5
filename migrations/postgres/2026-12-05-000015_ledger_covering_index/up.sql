-- A covering index for a contract's position: the sums of its ledger and
-- its newest debts (what is still open, what is past due) are read from
-- the index alone, without visiting the rows.
CREATE INDEX ledger_entries_position ON ledger_entries (contract_id, entry_date, id, debit_minor, credit_minor, due_date);
