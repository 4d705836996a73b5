//! CommerceML import benchmark: `cargo bench --bench import`.
//!
//! Generates a catalog and an offers file in the shape 1C writes
//! (`BENCH_PRODUCTS`, default 10,000 products; half of them with two
//! characteristic offers, so 1.5 offers per product; three price types, five
//! warehouses; long descriptions, a dozen properties and a picture, so
//! 100,000 products make about 700 MB of XML), then measures on a fresh SQLite
//! database: a parse-only pass, the first import of both files (pictures
//! read from the upload, hashed, stored once per content and linked), and a
//! re-import that changes nothing — with peak memory. The files are written
//! to `target/bench/` and streamed from there.
//!
//! Figures are medians of `BENCH_ROUNDS` (default 3) rounds, each on a fresh
//! database. `BENCH_PRODUCTS=100000 BENCH_ROUNDS=1 cargo bench --bench import`
//! is the full-size run.

#[path = "common/allocator.rs"]
mod allocator;

#[path = "common/memory.rs"]
mod memory;

use memory::peak_mib;
use std::fmt::Write as _;
use std::time::Instant;

use connector::commerceml::read;
use connector::import::import_with_files;
use portal::db::Db;

/// Properties per product, as 1C writes them for hardware goods.
const PROPERTIES: usize = 12;

/// A product description of the length 1C exports carry (about 2.5 KB).
const DESCRIPTION: &str = "Болт с шестигранной головкой по DIN 933, класс прочности 8.8, \
    цинковое покрытие. Применяется в машиностроении, строительстве и монтаже металлоконструкций. \
    Резьба метрическая, шаг стандартный. Поставляется в коробках; при заказе кратно упаковке. \
    Сертификат соответствия и паспорт качества прилагаются к каждой партии. Хранить в сухом месте. \
    Болт с шестигранной головкой по DIN 933, класс прочности 8.8, цинковое покрытие. Применяется \
    в машиностроении, строительстве и монтаже металлоконструкций. Резьба метрическая, шаг \
    стандартный. Поставляется в коробках; при заказе кратно упаковке. Сертификат соответствия и \
    паспорт качества прилагаются к каждой партии. Хранить в сухом месте. Болт с шестигранной \
    головкой по DIN 933, класс прочности 8.8, цинковое покрытие. Применяется в машиностроении, \
    строительстве и монтаже металлоконструкций. Резьба метрическая, шаг стандартный. \
    Поставляется в коробках; при заказе кратно упаковке. Сертификат соответствия и паспорт \
    качества прилагаются к каждой партии. Хранить в сухом месте.";

/// Each `import_files/…` path answers one of 16 small pictures.
struct Pictures(Vec<Vec<u8>>);

impl Pictures {
    fn new() -> Pictures {
        Pictures(
            (0..16u8)
                .map(|i| {
                    let picture = image::RgbImage::from_pixel(64, 48, image::Rgb([i * 15, 100, 200 - i * 10]));
                    let mut out = std::io::Cursor::new(Vec::new());
                    picture.write_to(&mut out, image::ImageFormat::Png).expect("png");
                    out.into_inner()
                })
                .collect(),
        )
    }
}

impl portal::media::FileSource for Pictures {
    fn read(&self, path: &str) -> portal::Result<Option<Vec<u8>>> {
        let n: usize = path.bytes().map(usize::from).sum();
        Ok(path.starts_with("import_files/").then(|| self.0[n % self.0.len()].clone()))
    }
}

/// Writes the buffer out once it is large, so generating stays small in memory.
fn spill(s: &mut String, out: &mut impl std::io::Write) -> std::io::Result<()> {
    if s.len() > 1 << 20 {
        out.write_all(s.as_bytes())?;
        s.clear();
    }
    Ok(())
}

fn catalog(products: usize, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut s = String::with_capacity(2 << 20);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.09\" ДатаФормирования=\"2026-11-26T02:00:00\">\n<Классификатор><Ид>cls</Ид><Наименование>Классификатор</Наименование><Группы>");
    for g in 0..50 {
        let _ = write!(s, "<Группа><Ид>g{g}</Ид><Наименование>Группа {g}</Наименование></Группа>");
    }
    s.push_str("</Группы><Свойства>");
    for p in 0..PROPERTIES {
        let _ = write!(s, "<Свойство><Ид>p{p}</Ид><Наименование>Свойство {p}</Наименование><ТипЗначений>Строка</ТипЗначений></Свойство>");
    }
    s.push_str("</Свойства></Классификатор>\n");
    s.push_str("<Каталог СодержитТолькоИзменения=\"false\"><Ид>cat</Ид><ИдКлассификатора>cls</ИдКлассификатора><Наименование>Каталог</Наименование><Товары>\n");
    for p in 0..products {
        let _ = writeln!(
            s,
            "<Товар><Ид>prod-{p:07}</Ид><Штрихкод>46{p:011}</Штрихкод><Артикул>ART-{p:07}</Артикул><Наименование>Болт DIN 933 М{}х{} оцинкованный, партия {p}</Наименование>\
             <БазоваяЕдиница Код=\"796\" НаименованиеПолное=\"Штука\" МеждународноеСокращение=\"PCE\">шт</БазоваяЕдиница><Группы><Ид>g{}</Ид></Группы>\
             <Описание>{DESCRIPTION}</Описание><Картинка>import_files/{:02x}/prod-{p:07}.jpg</Картинка><ЗначенияСвойств>{}</ЗначенияСвойств>\
             <СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>20</Ставка></СтавкаНалога></СтавкиНалогов>\
             <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>",
            6 + p % 10,
            20 + p % 50,
            p % 50,
            p % 256,
            (0..PROPERTIES)
                .map(|k| format!("<ЗначенияСвойства><Ид>p{k}</Ид><Значение>значение {}</Значение></ЗначенияСвойства>", (p + k) % 30))
                .collect::<String>(),
        );
        spill(&mut s, out)?;
    }
    s.push_str("</Товары></Каталог></КоммерческаяИнформация>\n");
    out.write_all(s.as_bytes())
}

fn offers(products: usize, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut s = String::with_capacity(2 << 20);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.09\">\n<ПакетПредложений СодержитТолькоИзменения=\"false\"><Ид>cat#</Ид><Наименование>Пакет</Наименование><ИдКаталога>cat</ИдКаталога><ИдКлассификатора>cls</ИдКлассификатора><ТипыЦен>");
    for t in 0..3 {
        let _ = write!(s, "<ТипЦены><Ид>pt{t}</Ид><Наименование>Цена {t}</Наименование><Валюта>RUB</Валюта><Налог><Наименование>НДС</Наименование><УчтеноВСумме>true</УчтеноВСумме></Налог></ТипЦены>");
    }
    s.push_str("</ТипыЦен><Склады>");
    for w in 0..5 {
        let _ = write!(s, "<Склад><Ид>wh{w}</Ид><Наименование>Склад {w}</Наименование></Склад>");
    }
    s.push_str("</Склады><Предложения>\n");
    for p in 0..products {
        let ids: Vec<String> = if p % 2 == 0 {
            vec![format!("prod-{p:07}")]
        } else {
            (1..=2).map(|c| format!("prod-{p:07}#ch{c}")).collect()
        };
        for id in ids {
            let _ = write!(s, "<Предложение><Ид>{id}</Ид><Наименование>Болт партия {p}</Наименование><БазоваяЕдиница Код=\"796\">шт</БазоваяЕдиница>");
            if id.contains('#') {
                s.push_str("<ХарактеристикиТовара><ХарактеристикаТовара><Наименование>Покрытие</Наименование><Значение>цинк</Значение></ХарактеристикаТовара></ХарактеристикиТовара>");
            }
            s.push_str("<Цены>");
            for t in 0..3 {
                let _ = write!(
                    s,
                    "<Цена><Представление>руб за шт</Представление><ИдТипаЦены>pt{t}</ИдТипаЦены><ЦенаЗаЕдиницу>{}.{:02}</ЦенаЗаЕдиницу><Валюта>RUB</Валюта><Единица>шт</Единица><Коэффициент>1</Коэффициент></Цена>",
                    10 + p % 500,
                    (p * 7 + t) % 100
                );
            }
            let _ = write!(s, "</Цены><Количество>{}</Количество>", (p % 40) * 5);
            for w in 0..5 {
                let _ = write!(s, "<Склад ИдСклада=\"wh{w}\" КоличествоНаСкладе=\"{}\"/>", (p + w) % 40);
            }
            s.push_str("</Предложение>\n");
        }
        spill(&mut s, out)?;
    }
    s.push_str("</Предложения></ПакетПредложений></КоммерческаяИнформация>\n");
    out.write_all(s.as_bytes())
}

fn main() -> anyhow::Result<()> {
    let products: usize = std::env::var("BENCH_PRODUCTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    std::fs::create_dir_all("target/bench")?;
    let (catalog_path, offers_path) = ("target/bench/import.xml", "target/bench/offers.xml");
    let create = |p: &str| -> std::io::Result<std::io::BufWriter<std::fs::File>> {
        Ok(std::io::BufWriter::new(std::fs::File::create(p)?))
    };
    catalog(products, &mut create(catalog_path)?)?;
    offers(products, &mut create(offers_path)?)?;
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);
    println!(
        "import benchmark: {products} products, {} offers; files {:.0} MiB + {:.0} MiB",
        products + products / 2,
        size(catalog_path),
        size(offers_path)
    );
    let file = |p: &str| -> anyhow::Result<std::io::BufReader<std::fs::File>> {
        Ok(std::io::BufReader::new(std::fs::File::open(p)?))
    };

    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let median = |mut v: Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mib = size(catalog_path) + size(offers_path);
    let mut parses = Vec::new();
    let mut items = 0usize;
    for _ in 0..rounds {
        let started = Instant::now();
        items = 0;
        for path in [catalog_path, offers_path] {
            read(file(path)?, |_| {
                items += 1;
                Ok::<(), std::convert::Infallible>(())
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        parses.push(started.elapsed());
    }
    let parse = median(parses);
    println!("parse only: {items} items, median {parse:.2?} of {rounds} ({:.0} MiB/s)", mib / parse.as_secs_f64());

    // The pictures the catalog names, as an exchange upload would hold them:
    // 16 distinct small photos, so the import reads, hashes and links every
    // product's picture and stores each content once.
    let pictures = Pictures::new();
    // Each round: a fresh database, the first import, then the same files again.
    let (mut firsts, mut agains) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let db_path = "target/bench/import.db";
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{db_path}{suffix}"));
        }
        let db = Db::connect(db_path, 4)?;
        for expect_changes in [true, false] {
            let started = Instant::now();
            let a = import_with_files(&db, file(catalog_path)?, &pictures)?;
            let b = import_with_files(&db, file(offers_path)?, &pictures)?;
            let took = started.elapsed();
            let changes = a.changes() + b.changes();
            assert_eq!(changes > 0, expect_changes, "{}; {}", a.summary(), b.summary());
            if expect_changes {
                firsts.push(took);
                if round == 0 {
                    println!("  catalog: {}\n  offers: {}", a.summary(), b.summary());
                }
            } else {
                agains.push(took);
            }
        }
        println!("round {}: first import {:.2?}, re-import {:.2?}", round + 1, firsts[round], agains[round]);
    }
    let (first, again) = (median(firsts), median(agains));
    println!("first import: median {first:.2?} ({:.0} MiB/s)", mib / first.as_secs_f64());
    println!(
        "re-import (no changes): median {again:.2?}, {:.2}x faster than the first; parse alone is {:.0}% of it",
        first.as_secs_f64() / again.as_secs_f64(),
        100.0 * parse.as_secs_f64() / again.as_secs_f64()
    );
    println!("peak memory: {:.0} MiB", peak_mib());
    Ok(())
}
