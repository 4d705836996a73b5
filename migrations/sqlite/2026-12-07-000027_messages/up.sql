-- Messages between a buyer's company and the supplier: on an order
-- (order_id set) or the company's own thread ("ask your manager").
-- read_at: when the other side first opened the thread after it.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    order_id BIGINT REFERENCES orders (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    from_supplier BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX messages_thread ON messages (company_id, order_id, id);

-- Files sent with a message, kept whole in the database (any instance
-- serves them, a backup holds them); served only to the two sides.
CREATE TABLE message_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX message_attachments_message ON message_attachments (message_id);
