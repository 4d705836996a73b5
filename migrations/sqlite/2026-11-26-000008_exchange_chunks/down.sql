DROP TABLE exchange_chunks;
ALTER TABLE exchange_files DROP COLUMN size;
