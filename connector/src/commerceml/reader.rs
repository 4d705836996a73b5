//! The streaming reader: XML events in, typed [`Item`]s out, one item buffered at a time.
//!
//! A small stack of frames tracks where we are (root, section, list); when an item element starts
//! (a `Товар`, a `Предложение`, a top-level `Группа`…) its events are captured into the reusable
//! [`Tree`], converted when it closes, and handed to the sink. Section starts (`CatalogStart`, …)
//! are sent when the first list of the section opens, so header fields written as elements are
//! known by then. This module must never hold more than one item, never apply anything, and never
//! fail on elements it does not know: those are skipped.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::decode::{self, SchemaVersion};
use super::error::{ErrorKind, ReadError};
use super::model::{parse_bool, Group, Item, Summary};
use super::routing::{classify, Action, Ctx, Frames, Kind, Sec};
use super::tree::{attr, push_ref, Tree};
use super::{catalog, counterparties, documents, offers};

/// Header fields of the open section, sent as a start item before its first list.
#[derive(Debug, Default)]
struct Section {
    only_changes: Option<bool>,
    started: bool,
    id: Option<String>,
    name: Option<String>,
    catalog_id: Option<String>,
    classifier_id: Option<String>,
}

struct Walker {
    frames: Frames,
    tree: Tree,
    capture: Option<(Kind, u32)>,
    section: Option<(Sec, Section)>,
    seen_root: bool,
    closed_root: bool,
    summary: Summary,
    skipped: u64,
    groups: Vec<Group>,
    scratch: String,
}

type Step<E> = Result<(), ReadError<E>>;

impl Walker {
    fn fail<E>(&self, message: impl Into<String>, position: u64, kind: ErrorKind<E>) -> ReadError<E> {
        let mut path = self.frames.path();
        if let Some((_, index)) = self.capture {
            if let Some(root) = self.tree.root_name() {
                path.push_str(&format!("/{root}[{index}]"));
            }
            self.tree.open_path_below_root(&mut path);
        }
        ReadError { message: message.into(), position: position + self.skipped, path, kind }
    }

    fn emit<E>(&mut self, item: Item, pos: u64, sink: &mut impl FnMut(Item) -> Result<(), E>) -> Step<E> {
        let s = &mut self.summary;
        match &item {
            Item::Header { version, .. } => s.version = *version,
            Item::Group(_) => s.groups += 1,
            Item::Property(_) => s.properties += 1,
            Item::PriceType(_) => s.price_types += 1,
            Item::Warehouse(_) => s.warehouses += 1,
            Item::Unit(_) => s.units += 1,
            Item::Product(_) => s.products += 1,
            Item::Offer(_) => s.offers += 1,
            Item::Counterparty(_) => s.counterparties += 1,
            Item::Document(_) => s.documents += 1,
            Item::ClassifierStart { .. } | Item::CatalogStart { .. } | Item::OffersStart { .. } => {}
        }
        sink(item).map_err(|e| self.fail("the sink returned an error", pos, ErrorKind::Sink(e)))
    }

    fn start_section<E>(&mut self, pos: u64, sink: &mut impl FnMut(Item) -> Result<(), E>) -> Step<E> {
        let Some((sec, s)) = self.section.as_mut().filter(|(_, s)| !s.started) else { return Ok(()) };
        s.started = true;
        let (id, name, only) = (s.id.take(), s.name.take(), s.only_changes);
        let item = match sec {
            Sec::Classifier => Item::ClassifierStart { only_changes: only.unwrap_or(false), id, name },
            Sec::Catalog => Item::CatalogStart {
                only_changes: only.unwrap_or(false),
                id,
                classifier_id: s.classifier_id.take(),
                name,
            },
            Sec::Offers => Item::OffersStart {
                only_changes: only.unwrap_or(false),
                id,
                catalog_id: s.catalog_id.take(),
                classifier_id: s.classifier_id.take(),
                name,
            },
        };
        self.emit(item, pos, sink)
    }

    fn start<E>(&mut self, e: &BytesStart<'_>, pos: u64, sink: &mut impl FnMut(Item) -> Result<(), E>) -> Step<E> {
        if self.tree.is_open() {
            return self.tree.start(e).map_err(|m| self.fail(m, pos, ErrorKind::Malformed));
        }
        let name = e.local_name();
        let name = name.as_ref();
        if !self.seen_root {
            if name != "КоммерческаяИнформация" {
                return Err(self.fail(format!("root element is {name:?}"), pos, ErrorKind::NotCommerceMl));
            }
            self.seen_root = true;
            self.frames.push(Ctx::Root, name, 1);
            let version = attr(e, "ВерсияСхемы").and_then(|v| v.parse::<SchemaVersion>().ok());
            let generated = attr(e, "ДатаФормирования").filter(|v| !v.is_empty());
            return self.emit(Item::Header { version, generated }, pos, sink);
        }
        let (parent, index) = self.frames.child(name);
        match classify(parent, name) {
            Action::Capture(kind) => {
                self.tree.clear();
                self.capture = Some((kind, index));
                self.tree.start(e).map_err(|m| self.fail(m, pos, ErrorKind::Malformed))
            }
            Action::Enter(ctx) => {
                if let Ctx::Section(sec) = ctx {
                    let only_changes = attr(e, "СодержитТолькоИзменения").and_then(|v| parse_bool(&v));
                    let default = name == "ИзмененияПакетаПредложений";
                    self.section =
                        Some((sec, Section { only_changes: only_changes.or(Some(default)), ..Section::default() }));
                }
                if matches!((parent, ctx), (Ctx::Section(_), Ctx::List(_))) {
                    self.start_section(pos, sink)?;
                }
                self.frames.push(ctx, name, index);
                Ok(())
            }
        }
    }

    fn end<E>(&mut self, pos: u64, sink: &mut impl FnMut(Item) -> Result<(), E>) -> Step<E> {
        if self.tree.is_open() {
            if self.tree.end() {
                return self.finish_capture(pos, sink);
            }
            return Ok(());
        }
        let ctx = self.frames.pop();
        if let Some(Ctx::Section(_)) = ctx {
            self.start_section(pos, sink)?;
            self.section = None;
        }
        if ctx == Some(Ctx::Root) {
            self.closed_root = true;
        }
        Ok(())
    }

    fn finish_capture<E>(&mut self, pos: u64, sink: &mut impl FnMut(Item) -> Result<(), E>) -> Step<E> {
        let Some((kind, _)) = self.capture else { return Ok(()) };
        let result = self.convert(kind, pos, sink);
        self.capture = None;
        result
    }

    fn convert<E>(&mut self, kind: Kind, pos: u64, sink: &mut impl FnMut(Item) -> Result<(), E>) -> Step<E> {
        let root = self.tree.root();
        let item = match kind {
            Kind::Header => {
                if let Some((_, s)) = self.section.as_mut() {
                    let value = Some(root.text().to_string()).filter(|v| !v.is_empty());
                    match root.name() {
                        "СодержитТолькоИзменения" => {
                            s.only_changes = value.as_deref().and_then(parse_bool).or(s.only_changes)
                        }
                        "Ид" => s.id = value,
                        "Наименование" => s.name = value,
                        "ИдКаталога" => s.catalog_id = value,
                        _ => s.classifier_id = value,
                    }
                }
                return Ok(());
            }
            Kind::Groups => {
                let mut groups = std::mem::take(&mut self.groups);
                catalog::groups(root, None, &mut groups);
                for g in groups.drain(..) {
                    self.emit(Item::Group(g), pos, sink)?;
                }
                self.groups = groups;
                return Ok(());
            }
            Kind::Property => Item::Property(catalog::property(root)),
            Kind::PriceType => Item::PriceType(catalog::price_type(root)),
            Kind::Warehouse => Item::Warehouse(catalog::warehouse(root)),
            Kind::Unit => Item::Unit(catalog::unit(root)),
            Kind::Product => Item::Product(catalog::product(root)),
            Kind::Offer => Item::Offer(offers::offer(root)),
            Kind::Counterparty => Item::Counterparty(counterparties::counterparty(root)),
            Kind::Document => Item::Document(documents::document(root)),
        };
        self.emit(item, pos, sink)
    }
}

/// Streams the items of one CommerceML file to `sink`, in document order, and returns the counts.
///
/// The input is decoded as its BOM / XML declaration says (UTF-8, `windows-1251`, …). Memory is
/// bounded by the largest single item (one product, offer, document or top-level group tree), not
/// by the file. The first item is always [`Item::Header`]. Reading stops at the first error: bad
/// or truncated XML, a root that is not `КоммерческаяИнформация`, or an `Err` from the sink (its
/// error comes back in [`ErrorKind::Sink`]). Items already sent stay sent: a caller that must be
/// all-or-nothing should stage them and commit only on `Ok`.
pub fn read<R: BufRead, E>(input: R, mut sink: impl FnMut(Item) -> Result<(), E>) -> Result<Summary, ReadError<E>> {
    let mut w = Walker {
        frames: Frames::default(),
        tree: Tree::default(),
        capture: None,
        section: None,
        seen_root: false,
        closed_root: false,
        summary: Summary::default(),
        skipped: 0,
        groups: Vec::new(),
        scratch: String::new(),
    };
    let (source, skipped) = decode::open(input).map_err(|m| w.fail(m, 0, ErrorKind::Encoding))?;
    w.skipped = skipped;
    let mut xml = Reader::from_reader(source);
    let config = xml.config_mut();
    config.trim_text(false);
    config.allow_dangling_amp = true;
    config.check_end_names = true;
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(err) => {
                let kind = match err {
                    quick_xml::Error::Io(_) => ErrorKind::Io,
                    quick_xml::Error::Encoding(_) => ErrorKind::Encoding,
                    _ => ErrorKind::Malformed,
                };
                return Err(w.fail(err.to_string(), xml.error_position(), kind));
            }
        };
        let pos = xml.buffer_position();
        match event {
            Event::Start(e) => w.start(&e, pos, &mut sink)?,
            Event::Empty(e) => {
                w.start(&e, pos, &mut sink)?;
                w.end(pos, &mut sink)?;
            }
            Event::End(_) => w.end(pos, &mut sink)?,
            Event::Text(t) if w.tree.is_open() => w.tree.text(&t.xml10_content()),
            Event::CData(t) if w.tree.is_open() => w.tree.text(&t.xml10_content()),
            Event::GeneralRef(r) if w.tree.is_open() => {
                w.scratch.clear();
                push_ref(&mut w.scratch, &r);
                w.tree.text(&w.scratch);
            }
            Event::Eof if !w.seen_root => return Err(w.fail("no root element", pos, ErrorKind::NotCommerceMl)),
            Event::Eof if !w.closed_root => {
                return Err(w.fail("unexpected end of file (truncated?)", pos, ErrorKind::Malformed));
            }
            Event::Eof => return Ok(w.summary),
            _ => {}
        }
    }
}

/// Reads a whole (small) file into memory: for order and status files, tests and tools. Large
/// catalog or offers files should go through [`read`] so that memory stays flat.
pub fn read_to_vec<R: BufRead>(input: R) -> Result<(Vec<Item>, Summary), ReadError> {
    let mut items = Vec::new();
    let summary = read(input, |item| {
        items.push(item);
        Ok::<(), std::convert::Infallible>(())
    })?;
    Ok((items, summary))
}
