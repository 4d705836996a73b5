DROP TABLE unsubscribe_links;
ALTER TABLE users DROP COLUMN mailings;
DROP TABLE announcement_companies;
DROP TABLE announcements;
