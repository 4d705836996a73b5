DROP TABLE price_list_links;
