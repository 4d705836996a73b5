ALTER TABLE products ADD COLUMN picture TEXT;
UPDATE products SET picture = (SELECT pm.hash FROM product_media pm
    WHERE pm.product_id = products.id AND pm.kind = 'image' AND pm.position = 0);
