//! Throughput and memory on a generated large catalog (ignored by default: writes ~200 MB to the
//! temp dir). Run with `cargo test -p connector commerceml -- --ignored --nocapture`.

use std::io::{BufWriter, Write};
use std::time::Instant;

use super::*;

const PRODUCT: &str = r#"
		<Товар>
			<Ид>bd8c4e15-18f9-11e7-80c2-{n:012}</Ид>
			<Штрихкод>88092884{n:05}</Штрихкод>
			<Артикул>PM-{n}</Артикул>
			<Наименование>Портативный коврик Portable 140x200x1 см, &quot;Лошадки&quot; №{n}</Наименование>
			<БазоваяЕдиница Код="796" НаименованиеПолное="Штука" МеждународноеСокращение="PCE">шт</БазоваяЕдиница>
			<Группы><Ид>82cfb8dc-18f9-11e7-80c2-0cc47ab29cd1</Ид></Группы>
			<Описание>Мягкий складной коврик для детской комнаты</Описание>
			<ЗначенияСвойств>
				<ЗначенияСвойства><Ид>8d11c16f-1d64-11e9-80c9-0cc47ab29cd1</Ид><Значение>149831179</Значение></ЗначенияСвойства>
				<ЗначенияСвойства><Ид>38409b0c-29da-11e9-80c9-0cc47ab29cd1</Ид><Значение>1,4</Значение></ЗначенияСвойства>
				<ЗначенияСвойства><Ид>3268183f-18fa-11e7-80c2-0cc47ab29cd1</Ид><Значение>af848a7e-18fa-11e7-80c2-0cc47ab29cd1</Значение></ЗначенияСвойства>
			</ЗначенияСвойств>
			<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>20</Ставка></СтавкаНалога></СтавкиНалогов>
			<ЗначенияРеквизитов>
				<ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Коврики</Значение></ЗначениеРеквизита>
				<ЗначениеРеквизита><Наименование>ТипНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита>
			</ЗначенияРеквизитов>
		</Товар>"#;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Writes a catalog of about `target` bytes; returns the path and the number of products.
fn generate(target: u64, encoding: &'static encoding_rs::Encoding) -> (std::path::PathBuf, usize) {
    let path = std::env::temp_dir().join(format!("cml-large-{}-{}.xml", std::process::id(), encoding.name()));
    let mut out = BufWriter::new(std::fs::File::create(&path).expect("present"));
    let mut put = |s: &str| out.write_all(&encoding.encode(s).0).expect("present");
    put(&format!("<?xml version=\"1.0\" encoding=\"{}\"?>\n", encoding.name()));
    put("<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" ВерсияСхемы=\"2.10\" ДатаФормирования=\"2024-01-01T00:00:00\">\n");
    put("\t<Каталог СодержитТолькоИзменения=\"false\"><Ид>c</Ид><Наименование>Каталог</Наименование><Товары>");
    let (mut written, mut n) = (0u64, 0usize);
    while written < target {
        let chunk = PRODUCT.replace("{n:012}", &format!("{n:012}")).replace("{n:05}", &format!("{:05}", n % 100_000));
        let chunk = chunk.replace("{n}", &n.to_string());
        written += encoding.encode(&chunk).0.len() as u64;
        put(&chunk);
        n += 1;
    }
    put("\n\t</Товары></Каталог>\n</КоммерческаяИнформация>\n");
    out.flush().expect("present");
    (path, n)
}

fn measure(target: u64, encoding: &'static encoding_rs::Encoding) {
    let (path, expected) = generate(target, encoding);
    let size = std::fs::metadata(&path).expect("present").len();
    let before = peak_rss_kib();
    let file = std::io::BufReader::with_capacity(64 * 1024, std::fs::File::open(&path).expect("present"));
    let started = Instant::now();
    let mut last = None;
    let summary = read(file, |item| {
        if let Item::Product(p) = item {
            last = Some(p);
        }
        Ok::<_, std::convert::Infallible>(())
    })
    .expect("present");
    let secs = started.elapsed().as_secs_f64();
    let after = peak_rss_kib();
    std::fs::remove_file(&path).expect("present");
    let mb = size as f64 / 1e6;
    println!(
        "{}: {mb:.0} MB, {} products in {secs:.2} s = {:.1} MB/s; peak RSS {} -> {} KiB",
        encoding.name(),
        summary.products,
        mb / secs,
        before,
        after
    );
    assert_eq!(summary.products, expected);
    let last = last.expect("present");
    assert_eq!(last.name, format!("Портативный коврик Portable 140x200x1 см, \"Лошадки\" №{}", expected - 1));
    assert_eq!(last.properties.len(), 3);
    // Flat memory: reading adds well under 32 MiB to the peak, whatever the file size.
    assert!(after.saturating_sub(before) < 32 * 1024, "peak RSS grew from {before} to {after} KiB");
}

#[test]
#[ignore = "writes ~250 MB to the temp dir; run explicitly to measure throughput"]
fn large_catalog_streams_with_flat_memory() {
    measure(200_000_000, encoding_rs::UTF_8);
    measure(50_000_000, encoding_rs::WINDOWS_1251);
}
