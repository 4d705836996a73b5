//! Pictures for the demo catalog, drawn here rather than shipped: a simple
//! drawing per kind of fastener and tool (a bolt, a nut, a washer, an
//! anchor, a drill bit) in the kind's colour, on every product of those
//! families. They go through the same path as the ERP's pictures
//! (`media::attach_on`): stored once, thumbnailed, linked in order.

use std::collections::HashMap;
use std::io::Cursor;

use diesel::prelude::*;
use image::{Rgb, RgbImage};

use crate::db::schema::products;
use crate::db::DbConn;
use crate::error::{Error, Result};
use crate::media::{attach_on, Wanted, ZipFiles};

const WIDTH: u32 = 480;
const HEIGHT: u32 = 360;

/// (SKU prefix, drawing, colour).
const KINDS: [(&str, Shape, [u8; 3]); 8] = [
    ("BLT-", Shape::Bolt, [96, 110, 130]),
    ("VNT-", Shape::Bolt, [70, 90, 120]),
    ("NUT-", Shape::Nut, [120, 120, 110]),
    ("WSH-", Shape::Washer, [140, 130, 100]),
    ("ANK-", Shape::Anchor, [110, 100, 90]),
    ("DUB-", Shape::Anchor, [200, 170, 60]),
    ("SVR-", Shape::Drill, [60, 70, 90]),
    ("BUR-", Shape::Drill, [40, 80, 140]),
];

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Bolt,
    Nut,
    Washer,
    Anchor,
    Drill,
}

/// Draws the pictures and links them to the demo products they suit.
pub fn load(conn: &mut DbConn) -> Result<()> {
    let rows: Vec<(String, String)> = products::table
        .filter(products::external_id.like("demo-%"))
        .select((products::external_id, products::sku))
        .load(conn)?;
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    let mut wanted = Vec::new();
    for (external_id, sku) in rows {
        let Some((prefix, shape, colour)) = KINDS.iter().find(|(p, ..)| sku.starts_with(p)) else { continue };
        let path = format!("demo/{}.png", prefix.trim_end_matches('-').to_lowercase());
        if !files.contains_key(&path) {
            files.insert(path.clone(), png(draw(*shape, *colour))?);
        }
        wanted.push(Wanted { product: external_id, files: vec![(path, None)] });
    }
    let report = attach_on(conn, &ZipFiles(files), &wanted, &[])?;
    if !report.warnings.is_empty() {
        return Err(Error::Internal(format!("demo pictures: {}", report.warnings.join("; "))));
    }
    Ok(())
}

fn png(picture: RgbImage) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).map_err(|e| Error::Internal(format!("demo picture: {e}")))?;
    Ok(out.into_inner())
}

/// A light background with the shape in `colour`, shaded from the left.
fn draw(shape: Shape, colour: [u8; 3]) -> RgbImage {
    let (cx, cy) = (WIDTH as f32 / 2.0, HEIGHT as f32 / 2.0);
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let (dx, dy) = (x - cx, y - cy);
        let r = (dx * dx + dy * dy).sqrt();
        let inside = match shape {
            // Hex head on the left, a long shank with thread lines.
            Shape::Bolt => {
                let head = hexagon(x - 120.0, y - cy, 70.0);
                let shank = (150.0..400.0).contains(&x) && dy.abs() < 32.0;
                head || (shank && !((x as u32 / 14).is_multiple_of(2) && x > 260.0 && dy.abs() > 26.0))
            }
            Shape::Nut => hexagon(dx, dy, 130.0) && r > 58.0,
            Shape::Washer => r < 140.0 && r > 60.0,
            Shape::Anchor => {
                let sleeve = (90.0..390.0).contains(&x) && dy.abs() < 36.0;
                let slots = (x as u32 / 40).is_multiple_of(3) && dy.abs() < 4.0;
                sleeve && !slots || hexagon(x - 80.0, dy, 48.0)
            }
            Shape::Drill => {
                let body = (60.0..420.0).contains(&x) && dy.abs() < 22.0;
                let flute = x < 300.0 && ((x + dy * 1.2) as i32).rem_euclid(36) < 10;
                body && !flute
            }
        };
        if inside {
            let shade = 0.75 + 0.35 * (x / WIDTH as f32);
            Rgb(colour.map(|c| (c as f32 * shade).min(255.0) as u8))
        } else {
            let light = 244 - (y / HEIGHT as f32 * 14.0) as u8;
            Rgb([light, light, light.saturating_add(4)])
        }
    })
}

/// Whether (x, y) lies in a regular hexagon of circumradius `size` at the origin.
fn hexagon(x: f32, y: f32, size: f32) -> bool {
    let (x, y) = (x.abs(), y.abs());
    let h = size * 3f32.sqrt() / 2.0;
    y <= h && 3f32.sqrt() * x + y <= 3f32.sqrt() * size
}
