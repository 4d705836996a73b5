DROP TABLE order_deliveries;
