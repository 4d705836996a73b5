-- Finance: credit terms per contract, the ledger of each contract (debits
-- and credits with due dates) and the ERP's authoritative balance.
--
-- credit_limit_minor 0 = prepayment only (how every contract worked before);
-- debit_on says what puts a debt on the ledger: the shipment (default) or
-- the invoice issued at the order.
ALTER TABLE contracts ADD COLUMN credit_limit_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contracts ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contracts ADD COLUMN debit_on TEXT NOT NULL DEFAULT 'shipment';

-- One document on a contract's ledger. (contract_id, kind, number) is the
-- document's identity: the portal writes what it records itself (source
-- 'portal'), an ERP ledger file or API call writes the same key and wins
-- (source 'erp').
CREATE TABLE ledger_entries (
    id BIGSERIAL PRIMARY KEY,
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    entry_date DATE NOT NULL,
    debit_minor BIGINT NOT NULL DEFAULT 0,
    credit_minor BIGINT NOT NULL DEFAULT 0,
    due_date DATE,
    order_id BIGINT REFERENCES orders (id),
    source TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- The last payment reminder sent for a debt: '' (none), 'due' (falls
    -- due soon) or 'overdue'; each is sent once.
    reminded TEXT NOT NULL DEFAULT '',
    UNIQUE (contract_id, kind, number)
);
CREATE INDEX ledger_entries_date ON ledger_entries (contract_id, entry_date);

-- The ERP's own balance of a contract (debt in the supplier's favour is
-- positive) as of a date; when it differs from the ledger's sum, this wins.
CREATE TABLE contract_balances (
    contract_id BIGINT PRIMARY KEY REFERENCES contracts (id),
    balance_minor BIGINT NOT NULL,
    as_of DATE NOT NULL,
    received_at TIMESTAMP NOT NULL
);
