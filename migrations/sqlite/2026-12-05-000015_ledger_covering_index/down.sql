DROP INDEX ledger_entries_position;
