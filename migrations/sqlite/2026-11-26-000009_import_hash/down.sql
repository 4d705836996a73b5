DROP INDEX products_import_hash;
ALTER TABLE products DROP COLUMN import_hash;
