//! Recognising a closing document in what the ERP sends: its format (a PDF
//! by its signature, an ЭДО XML by its `<Файл ИдФайл="…">` root), its kind,
//! number and date — from the ЭДО file's own attributes, or from a file name
//! such as `УПД РН-2026-0688 от 01.12.2026.pdf` — and the numbers it may
//! refer to (an order's, or a shipment's on the ledger), in the order they
//! appear.

use chrono::NaiveDate;
use quick_xml::events::Event;

use super::closing::{ClosingKind, FileFormat};

/// The most a closing document may weigh.
pub const MAX_BYTES: usize = 20 << 20;

/// What a file says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recognized {
    pub kind: Option<ClosingKind>,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    /// Numbers that may be an order's or a ledger document's, most likely first.
    pub references: Vec<String>,
}

/// The format of a closing document, judged from the first bytes; `None`
/// for anything else (CommerceML, spreadsheets).
pub fn format_of(head: &[u8]) -> Option<FileFormat> {
    let start = &head[..head.len().min(1024)];
    if start.windows(5).any(|w| w == b"%PDF-") {
        return Some(FileFormat::Pdf);
    }
    is_edo_xml(head).then_some(FileFormat::Xml)
}

/// An ЭДО document in the tax service's formats: the root is `<Файл>`
/// with an `ИдФайл` attribute (CommerceML's root is `КоммерческаяИнформация`).
fn is_edo_xml(head: &[u8]) -> bool {
    let text = decode(&head[..head.len().min(4096)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && text.contains("<Файл") && text.contains("ИдФайл")
}

/// XML text in its declared encoding (ЭДО files are usually windows-1251).
fn decode(bytes: &[u8]) -> String {
    let prolog = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_lowercase();
    if prolog.contains("windows-1251") || prolog.contains("cp1251") {
        encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Everything a file tells: an ЭДО file's attributes first, its name after.
pub fn recognize(name: &str, bytes: &[u8], format: FileFormat) -> Result<Recognized, String> {
    let by_name = from_name(name);
    if format == FileFormat::Pdf {
        return Ok(by_name);
    }
    let edo = from_edo(bytes)?;
    let mut references = edo.references;
    for reference in by_name.references {
        if !references.contains(&reference) {
            references.push(reference);
        }
    }
    Ok(Recognized {
        kind: edo.kind.or(by_name.kind),
        number: edo.number.or(by_name.number),
        date: edo.date.or(by_name.date),
        references,
    })
}

/// Attributes holding a document's number and date in the ЭДО formats
/// (УПД 5.01 and 5.03, ТОРГ-12, acts), in order of preference.
/// Each number attribute with the date attribute beside it.
const NUMBER_DATE_ATTRS: [(&str, &str); 6] = [
    ("НомерСчФ", "ДатаСчФ"),
    ("НомерДок", "ДатаДок"),
    ("НомДок", "ДатаДок"),
    ("НомТН", "ДатаТН"),
    ("НомАкт", "ДатаАкт"),
    ("НомерАкт", "ДатаАкт"),
];

fn from_edo(bytes: &[u8]) -> Result<Recognized, String> {
    let text = decode(bytes);
    let mut reader = quick_xml::Reader::from_str(&text);
    let (mut file_id, mut function, mut number, mut date) = (String::new(), String::new(), None, None);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let element = e.local_name().as_ref().to_string();
                for attr in e.attributes().with_checks(false).flatten() {
                    let value = attr_value(&attr);
                    match attr.key.local_name().as_ref() {
                        "ИдФайл" if element == "Файл" => file_id = value,
                        "Функция" if function.is_empty() => function = value,
                        k if number.is_none() && !value.is_empty() => {
                            if let Some((_, date_attr)) = NUMBER_DATE_ATTRS.iter().find(|(n, _)| *n == k) {
                                number = Some((value, *date_attr));
                            }
                        }
                        _ => {}
                    }
                }
                if let (Some((_, date_attr)), true) = (&number, date.is_none()) {
                    date = e
                        .attributes()
                        .with_checks(false)
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == *date_attr)
                        .and_then(|a| parse_date(&attr_value(&a)));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("the ЭДО file is not well-formed XML: {e}")),
        }
    }
    if file_id.is_empty() {
        return Err("the ЭДО file has no ИдФайл".into());
    }
    let number = number.map(|(n, _)| n);
    Ok(Recognized {
        kind: Some(edo_kind(&file_id, &function)),
        references: number.iter().cloned().collect(),
        number,
        date,
    })
}

/// The kind of an ЭДО file from its id prefix and its `Функция`.
fn edo_kind(file_id: &str, function: &str) -> ClosingKind {
    let id = file_id.to_uppercase();
    if id.contains("TORG12") || id.starts_with("DP_TOVTORG") {
        ClosingKind::Torg12
    } else if id.starts_with("DP_REZRUISP") || id.contains("AKT") {
        ClosingKind::Act
    } else if function == "СЧФ" {
        ClosingKind::InvoiceFacture
    } else if id.contains("SCHFDOP") || id.contains("KORSCHF") {
        ClosingKind::Upd
    } else {
        ClosingKind::Other
    }
}

/// A kind as a manifest or the API names it: `upd`, `УПД`, `счёт-фактура`, `ТОРГ-12`, `акт` …
pub fn parse_kind(text: &str) -> Option<ClosingKind> {
    let text = text.trim();
    ClosingKind::parse(&text.to_lowercase()).or_else(|| from_name(text).kind)
}

/// Words in a file name that say its kind (matched inside the name).
const KIND_WORDS: [(&str, ClosingKind); 12] = [
    ("упд", ClosingKind::Upd),
    ("upd", ClosingKind::Upd),
    ("счет-фактур", ClosingKind::InvoiceFacture),
    ("счёт-фактур", ClosingKind::InvoiceFacture),
    ("счет фактур", ClosingKind::InvoiceFacture),
    ("invoice-facture", ClosingKind::InvoiceFacture),
    ("торг-12", ClosingKind::Torg12),
    ("торг12", ClosingKind::Torg12),
    ("torg-12", ClosingKind::Torg12),
    ("torg12", ClosingKind::Torg12),
    ("акт", ClosingKind::Act),
    ("act", ClosingKind::Act),
];

/// Whole words of a file name that say its kind.
const KIND_TOKENS: [(&str, ClosingKind); 2] =
    [("сф", ClosingKind::InvoiceFacture), ("sf", ClosingKind::InvoiceFacture)];

/// What a file name says: `УПД РН-2026-0688 от 01.12.2026.pdf`,
/// `UPD_4711_OV-000123.pdf`, `ТОРГ-12 № 0533.pdf`.
pub fn from_name(name: &str) -> Recognized {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let lower = stem.to_lowercase();
    let tokens: Vec<&str> = stem
        .split(|c: char| c.is_whitespace() || "_,;№#()[]".contains(c))
        .map(|t| t.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|t| !t.is_empty())
        .collect();
    let kind = KIND_TOKENS
        .iter()
        .find(|(word, _)| {
            tokens.iter().map(|t| t.to_lowercase()).any(|t| t == *word || t.starts_with(&format!("{word}-")))
        })
        .or_else(|| KIND_WORDS.iter().find(|(word, _)| contains_word_start(&lower, word)))
        .map(|(_, kind)| *kind);
    let mut date = None;
    let mut references: Vec<String> = Vec::new();
    for token in tokens {
        if let Some(d) = parse_date(token) {
            date = date.or(Some(d));
            continue;
        }
        if !token.chars().any(|c| c.is_ascii_digit()) || is_kind_word(token) {
            continue;
        }
        let mut push = |r: &str| {
            if !r.is_empty() && !references.iter().any(|x| x == r) {
                references.push(r.to_string());
            }
        };
        push(token);
        // "УПД-0688": the number after a kind word.
        if let Some((head, tail)) = token.split_once('-') {
            if is_kind_word(head) {
                push(tail);
            }
        }
    }
    Recognized { kind, number: references.first().cloned(), date, references }
}

/// A kind word at the start of a word of `text` ("акт" in "акт_12", not in "контакт").
fn contains_word_start(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| at == 0 || !text[..at].chars().last().is_some_and(char::is_alphanumeric))
}

fn is_kind_word(token: &str) -> bool {
    let lower = token.to_lowercase();
    KIND_WORDS.iter().any(|(w, _)| lower == *w) || KIND_TOKENS.iter().any(|(w, _)| lower == *w)
}

/// An attribute's value, unescaped (raw when an entity is unknown) and trimmed.
fn attr_value(attr: &quick_xml::events::attributes::Attribute<'_>) -> String {
    let value = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap_or_else(|_| attr.value.clone());
    value.trim().to_string()
}

/// A date as ERPs write it: `01.12.2026` or `2026-12-01`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%d.%m.%Y").or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d")).ok()
}

/// The kind the ERP named beside a file (a manifest cell, an API field):
/// none when blank, an error saying why when it names no kind.
pub fn given_kind(text: Option<&str>) -> Result<Option<ClosingKind>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => parse_kind(text).map(Some).ok_or_else(|| format!("unknown document kind {text:?}")),
    }
}

/// The date the ERP named beside a file: none when blank, an error saying
/// why when it is not a date.
pub fn given_date(text: Option<&str>) -> Result<Option<NaiveDate>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => parse_date(text).map(Some).ok_or_else(|| format!("{text:?} is not a date (dd.mm.yyyy)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn a_file_name_gives_kind_number_date_and_references() {
        let r = from_name("УПД РН-2026-0688 от 01.12.2026.pdf");
        assert_eq!(r.kind, Some(ClosingKind::Upd));
        assert_eq!(r.number.as_deref(), Some("РН-2026-0688"));
        assert_eq!(r.date, day(2026, 12, 1));
        assert_eq!(r.references, vec!["РН-2026-0688"]);

        let r = from_name("inbox/UPD_4711_OV-000123.pdf");
        assert_eq!((r.kind, r.references), (Some(ClosingKind::Upd), vec!["4711".into(), "OV-000123".into()]));

        let r = from_name("ТОРГ-12 № 0533.pdf");
        assert_eq!((r.kind, r.number.as_deref()), (Some(ClosingKind::Torg12), Some("0533")));

        let r = from_name("СФ-0533 2026-11-30.pdf");
        assert_eq!(r.kind, Some(ClosingKind::InvoiceFacture));
        assert_eq!(r.references, vec!["СФ-0533".to_string(), "0533".to_string()]);
        assert_eq!(r.date, day(2026, 11, 30));

        assert_eq!(from_name("контакт 12.pdf").kind, None);
        assert_eq!(from_name("Акт сверки 15.pdf").kind, Some(ClosingKind::Act));
        assert!(from_name("scan.pdf").references.is_empty());
    }

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(format_of(b"%PDF-1.7\n..."), Some(FileFormat::Pdf));
        let edo = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><Файл ИдФайл=\"ON_NSCHFDOPPR_1\"></Файл>";
        let bytes = encoding_rs::WINDOWS_1251.encode(edo).0.into_owned();
        assert_eq!(format_of(&bytes), Some(FileFormat::Xml));
        assert_eq!(format_of("<?xml version=\"1.0\"?><КоммерческаяИнформация/>".as_bytes()), None);
        assert_eq!(format_of(b"PK\x03\x04"), None);
    }

    #[test]
    fn an_edo_upd_gives_its_number_date_and_function() {
        let edo = r#"<?xml version="1.0" encoding="windows-1251"?>
<Файл ИдФайл="ON_NSCHFDOPPR_2BM_2BM_20261201_1" ВерсФорм="5.01">
  <Документ КНД="1115131" Функция="СЧФДОП">
    <СвСчФакт НомерСчФ="РН-2026-0688" ДатаСчФ="01.12.2026" КодОКВ="643"/>
  </Документ>
</Файл>"#;
        let bytes = encoding_rs::WINDOWS_1251.encode(edo).0.into_owned();
        let r = recognize("ON_NSCHFDOPPR_1.xml", &bytes, FileFormat::Xml).expect("recognized");
        assert_eq!(r.kind, Some(ClosingKind::Upd));
        assert_eq!(r.number.as_deref(), Some("РН-2026-0688"));
        assert_eq!(r.date, day(2026, 12, 1));
        assert_eq!(r.references[0], "РН-2026-0688");

        let sf = edo.replace("СЧФДОП", "СЧФ").replace("windows-1251", "UTF-8");
        let r = recognize("x.xml", sf.as_bytes(), FileFormat::Xml).expect("recognized");
        assert_eq!(r.kind, Some(ClosingKind::InvoiceFacture));

        let broken = recognize("x.xml", "<Файл ИдФайл=\"ON_1\"><Документ></Файл>".as_bytes(), FileFormat::Xml);
        assert!(broken.is_err());
    }
}
