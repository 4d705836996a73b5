-- Which version of an order each ERP channel (1C over HTTP, the exchange
-- folder, the REST API) has taken: `version` is the order's updated_at when
-- the channel confirmed it. An order is pending for a channel while it has
-- no row there or has changed since.
CREATE TABLE order_deliveries (
    order_id     BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    version      TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (order_id, channel)
);

-- Orders the ERP already took before channels were tracked count as taken
-- everywhere, so nothing old is sent again.
INSERT INTO order_deliveries (order_id, channel, version, delivered_at)
SELECT o.id, c.channel, o.updated_at, o.updated_at
FROM orders o,
     (SELECT '1c' AS channel UNION ALL SELECT 'folder' UNION ALL SELECT 'api') c
WHERE o.sync_state <> 'pending';
