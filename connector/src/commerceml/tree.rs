//! A reusable arena holding ONE captured element subtree (one product, offer, document…).
//!
//! The streaming reader copies the events of a single item into this tree, converts it to a typed
//! item, then clears it: capacity is reused, so the steady state allocates nothing here and memory
//! is bounded by the largest item, never by the file. Text is joined across entity references and
//! CDATA and trimmed of XML whitespace when the element closes. This module must never hold more
//! than one item and knows nothing about CommerceML names except the shared helpers at the bottom.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::XmlVersion;

use super::model::parse_bool;

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, Default)]
struct Span(u32, u32);

#[derive(Debug, Clone, Copy)]
struct Node {
    name: Span,
    text: Span,
    attrs: (u32, u32),
    first: u32,
    last: u32,
    next: u32,
}

/// The arena. Node 0 is the root of the captured subtree.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pool: String,
    nodes: Vec<Node>,
    attrs: Vec<(Span, Span)>,
    open: Vec<u32>,
    texts: Vec<String>,
}

fn is_xml_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

impl Tree {
    fn push(&mut self, s: &str) -> Span {
        let start = self.pool.len() as u32;
        self.pool.push_str(s);
        Span(start, self.pool.len() as u32)
    }

    fn get(&self, span: Span) -> &str {
        self.pool.get(span.0 as usize..span.1 as usize).unwrap_or_default()
    }

    /// Forgets the previous item, keeping the allocations.
    pub fn clear(&mut self) {
        self.pool.clear();
        self.nodes.clear();
        self.attrs.clear();
        self.open.clear();
    }

    /// Whether an element is still open (the capture is in progress).
    pub fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// Opens an element (the root when the tree is empty). Attribute values are unescaped (raw
    /// text kept when an entity is unknown) and trimmed; `xmlns` declarations are dropped.
    pub fn start(&mut self, e: &BytesStart<'_>) -> Result<(), String> {
        let name = self.push(e.local_name().as_ref());
        let attr_start = self.attrs.len() as u32;
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| err.to_string())?;
            let key = attr.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let value = attr_value(&attr);
            let k = self.push(attr.key.local_name().as_ref());
            let v = self.push(value.trim_matches(is_xml_ws));
            self.attrs.push((k, v));
        }
        let idx = self.nodes.len() as u32;
        let attrs = (attr_start, self.attrs.len() as u32);
        self.nodes.push(Node { name, text: Span::default(), attrs, first: NONE, last: NONE, next: NONE });
        if let Some(&parent) = self.open.last() {
            let p = parent as usize;
            match self.nodes.get(p).map(|n| n.last) {
                Some(NONE) => self.nodes[p].first = idx,
                Some(last) => self.nodes[last as usize].next = idx,
                None => {}
            }
            self.nodes[p].last = idx;
        }
        self.open.push(idx);
        let depth = self.open.len();
        if self.texts.len() < depth {
            self.texts.resize_with(depth, String::new);
        }
        if let Some(t) = self.texts.get_mut(depth - 1) {
            t.clear();
        }
        Ok(())
    }

    /// Appends character data to the innermost open element.
    pub fn text(&mut self, s: &str) {
        if let Some(t) = self.open.len().checked_sub(1).and_then(|d| self.texts.get_mut(d)) {
            t.push_str(s);
        }
    }

    /// Closes the innermost element; returns true when that was the root.
    pub fn end(&mut self) -> bool {
        let depth = self.open.len();
        let Some(idx) = self.open.pop() else { return true };
        let mut text = std::mem::take(&mut self.texts[depth - 1]);
        let span = self.push(text.trim_matches(is_xml_ws));
        text.clear();
        self.texts[depth - 1] = text;
        self.nodes[idx as usize].text = span;
        self.open.is_empty()
    }

    /// Local name of the captured root element, if any.
    pub fn root_name(&self) -> Option<&str> {
        self.nodes.first().map(|n| self.get(n.name))
    }

    /// Appends `/name` of every open element below the root (for error paths).
    pub fn open_path_below_root(&self, out: &mut String) {
        for &idx in self.open.iter().skip(1) {
            out.push('/');
            out.push_str(self.get(self.nodes[idx as usize].name));
        }
    }

    /// The root of the captured subtree.
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef { tree: self, idx: 0 }
    }
}

/// A borrowed element of a [`Tree`].
#[derive(Clone, Copy)]
pub(crate) struct NodeRef<'a> {
    tree: &'a Tree,
    idx: u32,
}

impl<'a> NodeRef<'a> {
    fn node(&self) -> Node {
        const EMPTY: Node =
            Node { name: Span(0, 0), text: Span(0, 0), attrs: (0, 0), first: NONE, last: NONE, next: NONE };
        self.tree.nodes.get(self.idx as usize).copied().unwrap_or(EMPTY)
    }

    /// Local name (namespace prefix dropped).
    pub fn name(&self) -> &'a str {
        self.tree.get(self.node().name)
    }

    /// Trimmed text, entity references resolved.
    pub fn text(&self) -> &'a str {
        self.tree.get(self.node().text)
    }

    /// Trimmed attribute value by local name.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        let (a, b) = self.node().attrs;
        let tree = self.tree;
        tree.attrs.get(a as usize..b as usize)?.iter().find(|(k, _)| tree.get(*k) == name).map(|(_, v)| tree.get(*v))
    }

    /// Child elements in document order.
    pub fn children(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let tree = self.tree;
        let mut cur = self.node().first;
        std::iter::from_fn(move || {
            let idx = cur;
            let node = tree.nodes.get(idx as usize)?;
            cur = node.next;
            Some(NodeRef { tree, idx })
        })
    }

    /// Children with the given local name.
    pub fn all(&self, name: &'a str) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        self.children().filter(move |c| c.name() == name)
    }

    /// First child with the given local name.
    pub fn child(&self, name: &str) -> Option<NodeRef<'a>> {
        self.children().find(|c| c.name() == name)
    }

    /// Text of the first child with this name, None when missing or empty.
    pub fn opt(&self, name: &str) -> Option<&'a str> {
        self.child(name).map(|c| c.text()).filter(|t| !t.is_empty())
    }

    /// Like [`Self::opt`], owned.
    pub fn string(&self, name: &str) -> Option<String> {
        self.opt(name).map(str::to_string)
    }

    /// Text of the first child with this name, or "".
    pub fn req(&self, name: &str) -> String {
        self.opt(name).unwrap_or_default().to_string()
    }

    /// Attribute `name`, else the text of child `name` (non-empty only).
    pub fn attr_or_child(&self, name: &str) -> Option<&'a str> {
        self.attr(name).filter(|v| !v.is_empty()).or_else(|| self.opt(name))
    }

    /// `list/item/{key,value}` pairs: one pair per `value` child (a missing value gives "").
    pub fn pairs(&self, list: &'a str, item: &'a str, key: &str, value: &'a str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for list in self.all(list) {
            for it in list.all(item) {
                let k = it.opt(key).unwrap_or_default();
                let mut any = false;
                for v in it.all(value) {
                    out.push((k.to_string(), v.text().to_string()));
                    any = true;
                }
                if !any {
                    out.push((k.to_string(), String::new()));
                }
            }
        }
        out
    }

    /// The deletion mark: `ПометкаУдаления` true (attribute or element) or `Статус` = `Удален`.
    pub fn deleted(&self) -> bool {
        let marked = self.attr_or_child("ПометкаУдаления").and_then(parse_bool).unwrap_or(false);
        let status = self.attr_or_child("Статус").is_some_and(|s| s == "Удален" || s == "удален" || s == "УДАЛЕН");
        marked || status
    }
}

/// An attribute value with references resolved and whitespace normalized as XML 1.0 says; the
/// raw value when it holds an unknown entity.
pub fn attr_value<'a>(attr: &Attribute<'a>) -> Cow<'a, str> {
    attr.normalized_value(XmlVersion::Implicit1_0).unwrap_or_else(|_| attr.value.clone())
}

/// Trimmed, unescaped attribute of an element that is not captured (root, sections).
pub fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| attr_value(&a).trim().to_string())
}

/// Appends the text an entity or character reference stands for (unknown ones kept verbatim).
pub fn push_ref(out: &mut String, r: &BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
        return;
    }
    match &**r {
        "lt" => out.push('<'),
        "gt" => out.push('>'),
        "amp" => out.push('&'),
        "apos" => out.push('\''),
        "quot" => out.push('"'),
        other => {
            out.push('&');
            out.push_str(other);
            out.push(';');
        }
    }
}
