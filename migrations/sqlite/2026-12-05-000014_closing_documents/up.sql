-- Closing documents from the ERP (УПД, счёт-фактура, ТОРГ-12, act) as the
-- files it sends: PDF for people, XML for ЭДО. Each belongs to a company
-- and, when the ERP said which, to an order and the ledger document
-- (reference) it closes. (company, kind, number, format) is a document's
-- identity: the ERP sending it again replaces the file.
CREATE TABLE closing_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    contract_id BIGINT REFERENCES contracts (id),
    order_id BIGINT REFERENCES orders (id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    document_date DATE NOT NULL,
    -- The order or ledger document number it was matched by.
    reference TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (company_id, kind, number, format)
);
CREATE INDEX closing_documents_order ON closing_documents (order_id);
CREATE INDEX closing_documents_company ON closing_documents (company_id, document_date);
