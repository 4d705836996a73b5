-- Pictures and documents that arrive with the catalog (1C's Картинка paths
-- in an exchange upload, zip or folder). Stored once per content (SHA-256),
-- in the database so that every instance serves them and a backup of the
-- database is a backup of the catalog. A picture keeps a JPEG thumbnail.
CREATE TABLE media_files (
    hash TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    content BLOB NOT NULL,
    thumb BLOB,
    created_at TIMESTAMP NOT NULL
);

-- Which pictures and documents a product shows, in the ERP's order.
CREATE TABLE product_media (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    hash TEXT NOT NULL REFERENCES media_files (hash),
    name TEXT NOT NULL,
    PRIMARY KEY (product_id, kind, position)
);
CREATE INDEX product_media_hash ON product_media (hash);

-- The product's first picture, read with the product's row by lists.
ALTER TABLE products ADD COLUMN picture TEXT;
