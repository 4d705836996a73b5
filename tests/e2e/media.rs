//! Pictures and documents from the ERP: a zipped 1C upload with two
//! pictures, a PDF certificate and a missing picture; the same upload again;
//! the product page, the API and the served files with their cache headers;
//! the admin's zip upload and a catalog beside its `import_files` folder.

use std::io::Cursor;

use crate::exchange::{call, checkauth, import_until_done};
use crate::support::{spawn_app, TestApp, BUYER};

/// A PNG of `width`×`height` in one colour.
pub(crate) fn png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb(colour));
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).expect("png");
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, 120]));
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A catalog with two products: the first names two pictures and a
/// described certificate, the second a picture that is not in the upload.
fn catalog_xml() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.08">
  <Классификатор><Ид>cls</Ид><Наименование>Классификатор</Наименование>
    <Группы><Группа><Ид>grp-media</Ид><Наименование>Анкеры</Наименование></Группа></Группы>
  </Классификатор>
  <Каталог СодержитТолькоИзменения="true"><Ид>cat</Ид><ИдКлассификатора>cls</ИдКлассификатора><Наименование>Каталог</Наименование>
    <Товары>
      <Товар><Ид>media-1</Ид><Артикул>ANK-PIC-10</Артикул><Наименование>Анкер клиновой 10×100</Наименование>
        <БазоваяЕдиница Код="796" НаименованиеПолное="Штука">шт</БазоваяЕдиница>
        <Группы><Ид>grp-media</Ид></Группы>
        <Картинка>import_files/a1/anchor.png</Картинка>
        <Картинка>import_files/a2/anchor-side.jpg</Картинка>
        <Картинка>import_files/c3/cert.pdf</Картинка>
        <ЗначенияРеквизитов>
          <ЗначениеРеквизита><Наименование>ОписаниеФайла</Наименование><Значение>import_files/c3/cert.pdf#Сертификат соответствия</Значение></ЗначениеРеквизита>
        </ЗначенияРеквизитов>
      </Товар>
      <Товар><Ид>media-2</Ид><Артикул>ANK-PIC-12</Артикул><Наименование>Анкер клиновой 12×120</Наименование>
        <БазоваяЕдиница Код="796" НаименованиеПолное="Штука">шт</БазоваяЕдиница>
        <Группы><Ид>grp-media</Ид></Группы>
        <Картинка>import_files/zz/missing.jpg</Картинка>
      </Товар>
    </Товары>
  </Каталог>
</КоммерческаяИнформация>"#
        .to_string()
}

pub(crate) fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

fn upload() -> Vec<u8> {
    zip_of(&[
        ("import.xml", catalog_xml().into_bytes()),
        ("import_files/a1/anchor.png", png(640, 480, [200, 40, 40])),
        ("import_files/a2/anchor-side.jpg", jpeg(300, 600)),
        ("import_files/c3/cert.pdf", PDF.to_vec()),
    ])
}

/// Sends `archive` through the 1C protocol and imports `import.xml`.
async fn exchange_zip(app: &TestApp, archive: &[u8]) -> String {
    let auth = checkauth(app, "catalog", "erp@demo.example", "demo-erp").await;
    let cookie = auth.lines().nth(2).expect("cookie").to_string();
    call(app, "type=catalog&mode=init", Some(&cookie), Vec::new()).await;
    assert_eq!(
        call(app, "type=catalog&mode=file&filename=catalog.zip", Some(&cookie), archive.to_vec()).await,
        "success"
    );
    import_until_done(app, "catalog", &cookie, "import.xml").await
}

async fn stored_files(app: &TestApp) -> (i64, i64) {
    app.with_db(|conn| {
        use diesel::prelude::*;
        let files = portal::media::stored_count(conn)?;
        let links: i64 =
            diesel::sql_query("SELECT COUNT(*) AS n FROM product_media").get_result::<Count>(conn).map(|c| c.n)?;
        Ok((files, links))
    })
    .await
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn product_id(app: &TestApp, token: &str, sku: &str) -> (i64, serde_json::Value) {
    let (status, found) = app.api_get(token, &format!("/api/v1/catalog/products?q={sku}")).await;
    assert_eq!(status, 200, "{found}");
    let item = found["items"].as_array().expect("items").iter().find(|i| i["sku"] == sku).expect("listed").clone();
    (item["id"].as_i64().expect("id"), item)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_zipped_1c_upload_brings_pictures_and_a_certificate_once() {
    let app = spawn_app().await;
    let (files, links) = stored_files(&app).await; // the demo's pictures
    assert_eq!(exchange_zip(&app, &upload()).await, "success", "a missing picture never fails the import");
    let added = (files + 3, links + 3);
    assert_eq!(stored_files(&app).await, added, "two pictures and the certificate, linked to the first product");

    let token = app.token(BUYER.0, BUYER.1).await;
    let (id, item) = product_id(&app, &token, "ANK-PIC-10").await;
    let (status, product) = app.api_get(&token, &format!("/api/v1/catalog/products/{id}")).await;
    assert_eq!(status, 200, "{product}");
    let images = product["images"].as_array().expect("images");
    assert_eq!(images.len(), 2, "{product}");
    let png_hash = portal::hash_bytes(&png(640, 480, [200, 40, 40]));
    assert_eq!(images[0]["url"], format!("/media/{png_hash}"), "the ERP's order: the first picture leads");
    assert_eq!(images[0]["thumb_url"], format!("/media/{png_hash}/thumb"));
    assert_eq!(item["thumb_url"], images[0]["thumb_url"], "the list shows the first picture");
    let files = product["files"].as_array().expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "Сертификат соответствия", "named by 1C's ОписаниеФайла");
    let (_, other) = product_id(&app, &token, "ANK-PIC-12").await;
    assert!(other.get("thumb_url").is_none(), "the missing picture is not shown: {other}");

    // The files themselves: content, type, a year's cache, the hash as ETag, 304 on a match.
    let client = reqwest::Client::new();
    let original = client.get(app.url(images[0]["url"].as_str().expect("url"))).send().await.expect("get");
    assert_eq!(original.status(), 200);
    assert_eq!(original.headers()["content-type"], "image/png");
    assert!(original.headers()["cache-control"].to_str().expect("cc").contains("immutable"));
    let etag = original.headers()["etag"].clone();
    assert_eq!(original.bytes().await.expect("bytes").as_ref(), png(640, 480, [200, 40, 40]).as_slice());
    let again = client
        .get(app.url(images[0]["url"].as_str().expect("url")))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), 304);
    let thumb = client.get(app.url(images[1]["thumb_url"].as_str().expect("thumb"))).send().await.expect("get");
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let small = image::load_from_memory(&thumb.bytes().await.expect("bytes")).expect("a picture");
    assert_eq!((small.width(), small.height()), (80, 160), "the longer side at 160, proportions kept");
    let pdf = client.get(app.url(files[0]["url"].as_str().expect("url"))).send().await.expect("get");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.headers()["content-disposition"].to_str().expect("cd").contains("filename*=UTF-8''"));
    assert_eq!(pdf.bytes().await.expect("bytes").as_ref(), PDF);
    let unknown = client.get(app.url(&format!("/media/{}", "0".repeat(64)))).send().await.expect("get");
    assert_eq!(unknown.status(), 404);

    // The product page shows the gallery and the document; the catalog the thumbnail.
    let browser = app.login(BUYER.0, BUYER.1).await;
    let page = browser.get(app.url(&format!("/catalog/products/{id}"))).send().await.expect("page");
    let html = page.text().await.expect("html");
    assert!(html.contains(&png_hash) && html.contains("Сертификат соответствия"), "{html}");
    let list = browser.get(app.url("/catalog?q=ANK-PIC")).send().await.expect("catalog").text().await.expect("html");
    assert!(list.contains(&format!("{png_hash}&#x2f;thumb")) || list.contains(&format!("{png_hash}/thumb")), "{list}");

    // The journal warns of the missing picture.
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let (_, runs) = app.api_get(&admin, "/api/v1/admin/sync-runs?job=import&limit=1").await;
    let run = &runs[0];
    assert_eq!(run["status"], "success", "{run}");
    assert!(run["errors"].to_string().contains("import_files/zz/missing.jpg"), "{run}");

    // The same upload again stores nothing twice and changes no product.
    assert_eq!(exchange_zip(&app, &upload()).await, "success");
    assert_eq!(stored_files(&app).await, added);
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_change_with_the_catalog_and_broken_ones_are_warnings() {
    let app = spawn_app().await;
    assert_eq!(exchange_zip(&app, &upload()).await, "success");
    // Next time 1C sends one new picture for the first product, a broken one
    // for the second, through the admin's import API as one zip.
    let xml = catalog_xml()
        .replace(
            "<Картинка>import_files/a1/anchor.png</Картинка>\n        <Картинка>import_files/a2/anchor-side.jpg</Картинка>",
            "<Картинка>import_files/b1/anchor-new.png</Картинка>",
        )
        .replace("import_files/zz/missing.jpg", "import_files/zz/broken.jpg");
    let archive = zip_of(&[
        ("import.xml", xml.into_bytes()),
        ("import_files/b1/anchor-new.png", png(200, 200, [10, 120, 10])),
        ("import_files/c3/cert.pdf", PDF.to_vec()),
        ("import_files/zz/broken.jpg", b"\xFF\xD8\xFF\xE0 truncated".to_vec()),
    ]);
    let admin = app.token("admin@demo.example", "demo-admin").await;
    let (status, run) = app.post_file(&admin, "/api/v1/admin/imports", "catalog.zip", archive, &[]).await;
    assert_eq!(status, 200, "{run}");
    assert!(run["errors"].to_string().contains("broken.jpg"), "{run}");

    let token = app.token(BUYER.0, BUYER.1).await;
    let (id, _) = product_id(&app, &token, "ANK-PIC-10").await;
    let (_, product) = app.api_get(&token, &format!("/api/v1/catalog/products/{id}")).await;
    let new_hash = portal::hash_bytes(&png(200, 200, [10, 120, 10]));
    let images: Vec<&str> =
        product["images"].as_array().expect("images").iter().map(|i| i["url"].as_str().expect("url")).collect();
    assert_eq!(images, vec![format!("/media/{new_hash}")], "the list is replaced, not added to");
    assert_eq!(product["files"].as_array().expect("files").len(), 1);

    // A catalog read from a folder finds its pictures beside it.
    let dir = std::env::temp_dir().join(format!("optovik-media-{}", portal::random_token()));
    std::fs::create_dir_all(dir.join("import_files/a1")).expect("dir");
    std::fs::write(dir.join("import_files/a1/anchor.png"), png(64, 64, [1, 2, 3])).expect("png");
    let xml = catalog_xml().replace("<Картинка>import_files/a2/anchor-side.jpg</Картинка>", "");
    std::fs::write(dir.join("import.xml"), xml).expect("xml");
    let db = app.db.clone();
    let path = dir.join("import.xml");
    let (_, ok) = tokio::task::spawn_blocking(move || {
        connector::file_import::import_path(&db, &path, false, portal::journal::Trigger::Cli, &mut |_| {})
    })
    .await
    .expect("task")
    .expect("import");
    assert!(ok);
    let (_, product) = app.api_get(&token, &format!("/api/v1/catalog/products/{id}")).await;
    let folder_hash = portal::hash_bytes(&png(64, 64, [1, 2, 3]));
    assert_eq!(product["images"][0]["url"], format!("/media/{folder_hash}"), "{product}");
    let _ = std::fs::remove_dir_all(dir);
}
