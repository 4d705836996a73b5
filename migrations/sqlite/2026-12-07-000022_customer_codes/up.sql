-- A buyer company's own item codes: "our code → the supplier's offer".
-- Quick order, uploads and search accept them; `code_key` is the code
-- folded as SKUs are (case, spaces), one per company.
CREATE TABLE customer_codes (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    code_key TEXT NOT NULL,
    code TEXT NOT NULL,
    offer_id BIGINT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (company_id, code_key)
);
CREATE INDEX customer_codes_offer ON customer_codes (company_id, offer_id);
