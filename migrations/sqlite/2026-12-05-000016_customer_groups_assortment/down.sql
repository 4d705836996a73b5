DROP TABLE assortment_rules;
DROP TABLE company_groups;
DROP TABLE customer_groups;
