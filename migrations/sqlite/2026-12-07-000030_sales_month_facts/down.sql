DROP INDEX sales_category_facts_placed;
DROP INDEX sales_facts_placed;
DROP INDEX sales_facts_company;
DROP TABLE sales_month_category_facts;
DROP TABLE sales_month_offer_facts;
