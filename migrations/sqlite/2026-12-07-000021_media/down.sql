ALTER TABLE products DROP COLUMN picture;
DROP TABLE product_media;
DROP TABLE media_files;
