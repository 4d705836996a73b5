-- The administrator's own names for order statuses, per language; a status
-- without one shows the message catalog's name. The state machine is not
-- touched: only what people read.
CREATE TABLE status_names (
    status TEXT NOT NULL,
    locale TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (status, locale)
);
