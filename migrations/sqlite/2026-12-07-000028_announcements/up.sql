-- News from the supplier to its buyers: in both languages, optionally
-- within dates, pinned on the catalog or not, for everyone, one customer
-- group, chosen companies, or the companies a report found (the customers
-- who stopped buying, resolved when it is sent), optionally emailed.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    title_ru TEXT NOT NULL,
    body_ru TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_en TEXT NOT NULL,
    starts_on DATE,
    ends_on DATE,
    pinned BOOLEAN NOT NULL,
    audience TEXT NOT NULL,
    group_id BIGINT REFERENCES customer_groups (id) ON DELETE CASCADE,
    emailed BOOLEAN NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
-- The companies an announcement is for (audience 'companies', and the
-- report's result for 'lapsed_customers', kept as it was when sent).
CREATE TABLE announcement_companies (
    announcement_id BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, company_id)
);
-- A user who unsubscribed from mailings gets no announcement emails (the
-- order emails still go out).
ALTER TABLE users ADD COLUMN mailings BOOLEAN NOT NULL DEFAULT TRUE;
-- Links in mailings that unsubscribe their reader (only the hash is kept).
CREATE TABLE unsubscribe_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
