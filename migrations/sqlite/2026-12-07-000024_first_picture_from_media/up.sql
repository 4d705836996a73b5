-- A product's first picture is read from product_media (its image at
-- position 0): setting a column on the products' wide rows rewrote every
-- product with a picture on each import.
ALTER TABLE products DROP COLUMN picture;
