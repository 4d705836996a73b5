DROP INDEX orders_updated;
DROP INDEX orders_sales;
DROP TABLE sales_facts;
