DROP INDEX orders_company_status;
DROP INDEX orders_updated;
DROP INDEX orders_sales;
DROP TABLE sales_category_facts;
DROP TABLE sales_facts;
