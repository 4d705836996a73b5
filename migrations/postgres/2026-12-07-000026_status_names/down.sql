DROP TABLE status_names;
