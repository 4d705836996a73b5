DROP TABLE exchange_queries;
DROP TABLE exchange_imports;
DROP TABLE exchange_files;
