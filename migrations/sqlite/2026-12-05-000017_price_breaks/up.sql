-- Quantity price breaks per price type and offer: from min_quantity (in
-- thousandths, as every quantity) the unit price is price_minor instead
-- of the price type's list price.
CREATE TABLE price_breaks (
    offer_id BIGINT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    price_type_id BIGINT NOT NULL REFERENCES price_types (id) ON DELETE CASCADE,
    min_quantity BIGINT NOT NULL,
    price_minor BIGINT NOT NULL,
    PRIMARY KEY (offer_id, price_type_id, min_quantity),
    CHECK (min_quantity > 0),
    CHECK (price_minor >= 0)
);

-- Where an order line's price came from (JSON list of adjustments: source,
-- value, amount), as priced at checkout.
ALTER TABLE order_lines ADD COLUMN adjustments TEXT NOT NULL DEFAULT '[]';
