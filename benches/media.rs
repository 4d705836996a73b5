//! Pictures benchmark: `cargo bench --bench media`.
//!
//! 1,000 distinct product photos (JPEG, 1024×768, as 1C exports them) are
//! hashed, decoded and thumbnailed (`media::prepare`), then the same 1,000
//! are attached to 1,000 products through the import's path
//! (`media::attach`: stored once, linked) into a fresh SQLite database, and
//! attached again (all known: nothing stored twice). Target: thumbnails for
//! 1,000 images in under 10 s.

#[path = "common/allocator.rs"]
mod allocator;

use std::collections::HashMap;
use std::io::Cursor;
use std::time::Instant;

use portal::catalog::write::{upsert_product, ProductData};
use portal::db::Db;
use portal::media::{attach, prepare, Wanted, ZipFiles};

const IMAGES: usize = 1_000;

fn photo(seed: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(1024, 768, |x, y| {
        let v = x.wrapping_mul(31).wrapping_add(y.wrapping_mul(17)).wrapping_add(seed.wrapping_mul(7919));
        image::Rgb([(v % 251) as u8, ((x + seed) % 256) as u8, ((y * 3 + seed) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let files: HashMap<String, Vec<u8>> =
        (0..IMAGES as u32).map(|i| (format!("import_files/{i:04}.jpg"), photo(i))).collect();
    let bytes: usize = files.values().map(Vec::len).sum();
    println!("{IMAGES} photos 1024×768 generated ({:.1} MiB) in {:.1?}", bytes as f64 / 1_048_576.0, started.elapsed());

    let started = Instant::now();
    for (path, content) in &files {
        prepare(path, content.clone()).map_err(anyhow::Error::msg)?;
    }
    let took = started.elapsed();
    println!(
        "prepare (hash, decode, 160 px JPEG thumbnail): {took:.2?} for {IMAGES}, {:.1} ms each",
        took.as_secs_f64() * 1000.0 / IMAGES as f64
    );

    let path = std::env::temp_dir().join(format!("optovik-media-bench-{}.db", std::process::id()));
    let db = Db::connect(path.to_str().unwrap_or_default(), 4)?;
    let mut wanted = Vec::new();
    {
        let mut conn = db.conn()?;
        for (i, file) in files.keys().enumerate() {
            let data = ProductData {
                external_id: format!("media-{i}"),
                category_id: None,
                sku: format!("MED-{i:04}"),
                name: format!("Товар {i}"),
                description: String::new(),
                unit: "шт".into(),
                fractional: false,
                vat_rate: Some(20),
                properties: "[]".into(),
                pack_multiple: 1000,
                min_order: 1000,
                active: true,
                weight_grams: None,
            };
            upsert_product(&mut conn, &data)?;
            wanted.push(Wanted { product: data.external_id, files: vec![(file.clone(), None)] });
        }
    }
    let source = ZipFiles(files);
    for pass in ["first", "again"] {
        let started = Instant::now();
        let report = attach(&db, &source, &wanted, &[])?;
        println!(
            "attach, {pass}: {:.2?} ({} stored, {} already stored, {} products linked, {} warnings)",
            started.elapsed(),
            report.stored,
            report.reused,
            report.products,
            report.warnings.len()
        );
    }
    drop(db);
    let _ = std::fs::remove_file(&path);
    Ok(())
}
