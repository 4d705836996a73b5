//! Routing of the reader: which elements are sections, lists, and items to capture, and the stack
//! of open elements outside items (for routing and for error paths).
//!
//! One `match` on (parent context, local name) decides everything, so supporting another element
//! spelling is a one-line change here. No I/O; an element the table does not know is `Other` and
//! its whole subtree is skipped by the reader. The stack reuses its strings: no per-item allocation.

/// The top-level sections whose header becomes a start item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sec {
    Classifier,
    Catalog,
    Offers,
}

/// Lists whose children are items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Groups,
    Properties,
    PriceTypes,
    Warehouses,
    Units,
    Products,
    Offers,
}

/// What an open element outside an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctx {
    Root,
    Section(Sec),
    List(List),
    Counterparties,
    Container,
    Other,
}

/// What a captured element becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Header,
    Groups,
    Property,
    PriceType,
    Warehouse,
    Unit,
    Product,
    Offer,
    Counterparty,
    Document,
}

/// Open a frame of this context, or capture the element as an item.
pub(crate) enum Action {
    Enter(Ctx),
    Capture(Kind),
}

/// Where an element goes, from its parent's context and its local name.
pub(crate) fn classify(parent: Ctx, name: &str) -> Action {
    use Action::{Capture, Enter};
    match (parent, name) {
        (Ctx::Root, "Классификатор") => Enter(Ctx::Section(Sec::Classifier)),
        (Ctx::Root, "Каталог") => Enter(Ctx::Section(Sec::Catalog)),
        (Ctx::Root, "ПакетПредложений" | "ИзмененияПакетаПредложений") => {
            Enter(Ctx::Section(Sec::Offers))
        }
        (Ctx::Root, "Контрагенты") => Enter(Ctx::Counterparties),
        (Ctx::Root, "Контейнер") => Enter(Ctx::Container),
        (Ctx::Root | Ctx::Container, "Документ") => Capture(Kind::Document),
        (Ctx::Counterparties, "Контрагент") => Capture(Kind::Counterparty),
        (Ctx::Section(_), "Ид" | "Наименование" | "ИдКаталога" | "ИдКлассификатора" | "СодержитТолькоИзменения") => {
            Capture(Kind::Header)
        }
        (Ctx::Section(Sec::Classifier), "Группы") => Enter(Ctx::List(List::Groups)),
        (Ctx::Section(Sec::Classifier), "Свойства") => Enter(Ctx::List(List::Properties)),
        (Ctx::Section(Sec::Classifier), "ЕдиницыИзмерения") => Enter(Ctx::List(List::Units)),
        (Ctx::Section(Sec::Classifier | Sec::Offers), "ТипыЦен") => Enter(Ctx::List(List::PriceTypes)),
        (Ctx::Section(Sec::Classifier | Sec::Offers), "Склады") => Enter(Ctx::List(List::Warehouses)),
        (Ctx::Section(Sec::Catalog), "Товары") => Enter(Ctx::List(List::Products)),
        (Ctx::Section(Sec::Offers), "Предложения") => Enter(Ctx::List(List::Offers)),
        (Ctx::List(List::Groups), "Группа") => Capture(Kind::Groups),
        (Ctx::List(List::Properties), "Свойство" | "СвойствоНоменклатуры") => {
            Capture(Kind::Property)
        }
        (Ctx::List(List::PriceTypes), "ТипЦены") => Capture(Kind::PriceType),
        (Ctx::List(List::Warehouses), "Склад") => Capture(Kind::Warehouse),
        (Ctx::List(List::Units), "ЕдиницаИзмерения") => Capture(Kind::Unit),
        (Ctx::List(List::Products), "Товар") => Capture(Kind::Product),
        (Ctx::List(List::Offers), "Предложение") => Capture(Kind::Offer),
        _ => Enter(Ctx::Other),
    }
}

#[derive(Debug)]
struct Frame {
    ctx: Ctx,
    name: String,
    index: u32,
    last_child: String,
    run: u32,
}

/// The open elements outside the captured item, with sibling counters for `Товар[1234]` paths.
#[derive(Debug, Default)]
pub(crate) struct Frames {
    frames: Vec<Frame>,
    depth: usize,
}

impl Frames {
    /// Opens an element of context `ctx`; `index` is its 1-based run among same-named siblings.
    pub fn push(&mut self, ctx: Ctx, name: &str, index: u32) {
        if let Some(f) = self.frames.get_mut(self.depth) {
            f.ctx = ctx;
            f.name.clear();
            f.name.push_str(name);
            f.index = index;
            f.last_child.clear();
            f.run = 0;
        } else {
            self.frames.push(Frame { ctx, name: name.to_string(), index, last_child: String::new(), run: 0 });
        }
        self.depth += 1;
    }

    /// Closes the innermost element, returning its context.
    pub fn pop(&mut self) -> Option<Ctx> {
        self.depth = self.depth.checked_sub(1)?;
        self.frames.get(self.depth).map(|f| f.ctx)
    }

    /// Registers a child called `name` of the innermost element: returns that element's context
    /// and the child's index among consecutive siblings of the same name.
    pub fn child(&mut self, name: &str) -> (Ctx, u32) {
        let Some(p) = self.depth.checked_sub(1).and_then(|d| self.frames.get_mut(d)) else { return (Ctx::Other, 1) };
        if p.last_child == name {
            p.run += 1;
        } else {
            p.last_child.clear();
            p.last_child.push_str(name);
            p.run = 1;
        }
        (p.ctx, p.run)
    }

    /// `A/B/C[2]` for the open elements (index shown when above 1).
    pub fn path(&self) -> String {
        let mut path = String::new();
        for f in self.frames.iter().take(self.depth) {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(&f.name);
            if f.index > 1 {
                path.push_str(&format!("[{}]", f.index));
            }
        }
        path
    }
}
