DROP TABLE price_breaks;
ALTER TABLE order_lines DROP COLUMN adjustments;
