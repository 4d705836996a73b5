DROP TABLE customer_codes;
