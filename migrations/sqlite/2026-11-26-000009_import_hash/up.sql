-- A digest of what the last import wrote into a product, so a re-import
-- that changes nothing is answered from an index without reading the rows
-- (their descriptions run to kilobytes). NULL when something else changed
-- the product since (e.g. a deactivation).
ALTER TABLE products ADD COLUMN import_hash BIGINT;
CREATE INDEX products_import_hash ON products (external_id, import_hash);
