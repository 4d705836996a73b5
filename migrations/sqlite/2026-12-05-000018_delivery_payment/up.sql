-- Payment methods (bank transfer by invoice, cash or card on pickup …),
-- each with the share of the order paid in advance (basis points), and
-- delivery methods (pickup, own delivery, transport company) with their
-- cost: a fixed part, a part per kilogram of the order's weight, free from
-- an order amount; the lead time in business days; the payment methods
-- each allows. Orders keep the method, its cost and the payment method.
CREATE TABLE payment_methods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    prepayment_bp INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    CHECK (prepayment_bp BETWEEN 0 AND 10000)
);
INSERT INTO payment_methods (code, name_ru, name_en, prepayment_bp, active, sort_order)
    VALUES ('invoice', 'Безналичный расчёт по счёту', 'Bank transfer by invoice', 0, 1, 0);
CREATE TABLE delivery_methods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    fixed_minor BIGINT NOT NULL DEFAULT 0,
    per_kg_minor BIGINT NOT NULL DEFAULT 0,
    free_from_minor BIGINT,
    lead_days INTEGER NOT NULL DEFAULT 0,
    vat_rate INTEGER,
    active BOOLEAN NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0,
    CHECK (kind IN ('pickup', 'own', 'carrier')),
    CHECK (fixed_minor >= 0 AND per_kg_minor >= 0 AND lead_days >= 0)
);
CREATE TABLE delivery_payment_methods (
    delivery_method_id BIGINT NOT NULL REFERENCES delivery_methods (id) ON DELETE CASCADE,
    payment_method_id BIGINT NOT NULL REFERENCES payment_methods (id) ON DELETE CASCADE,
    PRIMARY KEY (delivery_method_id, payment_method_id)
);
-- A unit's weight in grams (CommerceML Вес is in kilograms).
ALTER TABLE products ADD COLUMN weight_grams BIGINT;
ALTER TABLE orders ADD COLUMN delivery_method_id BIGINT REFERENCES delivery_methods (id);
ALTER TABLE orders ADD COLUMN payment_method_id BIGINT REFERENCES payment_methods (id);
-- The delivery's cost and its VAT, included in total_minor and vat_minor.
ALTER TABLE orders ADD COLUMN delivery_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN delivery_vat_minor BIGINT NOT NULL DEFAULT 0;
-- What the payment method asks to be paid before shipment.
ALTER TABLE orders ADD COLUMN prepayment_minor BIGINT NOT NULL DEFAULT 0;
