//! Reading GraphML and GEXF (what Gephi, networkx, igraph and
//! organisational-network tools export) into the same two tables as the
//! CSV pair: a row per node (id, part, group, role, start, needs, then any
//! other attribute, reported as ignored) and a row per edge (source,
//! target, weight, channel). Every cell keeps the line and column of the
//! XML it came from, so the checks that follow locate their errors in the
//! XML file.
//!
//! - **GraphML**: `<key id=… for="node|edge|all" attr.name=…>` declares
//!   attributes; `<node id=…>` and `<edge source=… target=…>` carry
//!   `<data key=…>value</data>`. Nested graphs, hyperedges and ports are
//!   refused with their position.
//! - **GEXF**: `<attributes class="node|edge">` with `<attribute id=…
//!   title=…>` declares them; `<node id=…>` and `<edge source=… target=…
//!   weight=…>` carry `<attvalues><attvalue for=… value=…/></attvalues>`.
//!
//! A DTD is refused (no entity expansion), and the number of XML nodes is
//! capped, so a hostile file cannot exhaust memory.

use super::table::Table;
use super::{GraphAttributes, ImportError};
use crate::network::records::MAX_RECORD_BYTES;
use crate::text;
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::HashMap;

/// At most this many XML nodes (elements, attributes' texts, …): a
/// million-person organisation with ten million ties fits.
const MAX_XML_NODES: u32 = 100_000_000;

/// At most this many namespace declarations in a file.
const MAX_NAMESPACES: usize = 1_000;

/// Lines and columns of byte offsets, as an editor counts them (the text's
/// line breaks are all LF). Line starts are indexed once, so each lookup
/// is a binary search: `locate::Position::of_offset` counts from the start
/// of the text, and a file with many located cells would take quadratic time.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    fn at(&self, offset: usize) -> (u64, u64) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text[start..offset.min(self.text.len())]
            .chars()
            .count()
            + 1;
        (line as u64, column as u64)
    }
}

/// One node or edge as read: its element's offset, its id or ends, and
/// its attributes by name with the offset of each value.
struct Item<'d> {
    at: usize,
    ends: Vec<(&'d str, usize)>,
    values: Vec<(String, String, usize)>,
}

/// Read `text` (line breaks all LF) into the agents' and the ties' tables.
pub(super) fn read<'a>(
    name: &'a str,
    text: &str,
    attrs: &GraphAttributes,
    errors: &mut Vec<ImportError>,
) -> (Option<Table<'a>>, Option<Table<'a>>) {
    let lines = Lines::new(text);
    let error = |offset: usize, field: &str, message: String| {
        let (line, column) = lines.at(offset);
        ImportError {
            file: name.to_owned(),
            line,
            column,
            field: text::message(field),
            message: text::message(message),
        }
    };
    // The XML reader copies the namespaces in scope into every element
    // that declares one: thousands of declarations would take hours. Real
    // files declare a handful.
    if let Some((at, _)) = text.match_indices("xmlns").nth(MAX_NAMESPACES) {
        errors.push(error(
            at,
            "",
            format!("more than {MAX_NAMESPACES} namespace declarations (xmlns); a GraphML or GEXF file needs a few"),
        ));
        return (None, None);
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
        ..ParsingOptions::default()
    };
    let doc = match Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(roxmltree::Error::DtdDetected) => {
            let at = text.find("<!DOCTYPE").unwrap_or(0);
            errors.push(error(at, "", "a DTD (<!DOCTYPE …>) is not accepted: its entities could expand without bound; remove it".into()));
            return (None, None);
        }
        Err(e) => {
            let pos = e.pos();
            errors.push(ImportError {
                file: name.to_owned(),
                line: u64::from(pos.row),
                column: u64::from(pos.col),
                field: String::new(),
                message: text::message(format!("not well-formed XML: {e}")),
            });
            return (None, None);
        }
    };
    let root = doc.root_element();
    let (nodes, edges) = match root.tag_name().name() {
        "graphml" => graphml(root, &error, errors),
        "gexf" => gexf(root, &error, errors),
        other => {
            errors.push(error(
                root.range().start,
                "",
                format!("the root element is <{other}>; GraphML files start with <graphml>, GEXF files with <gexf>"),
            ));
            return (None, None);
        }
    };
    let Some((graph_at, nodes, edges)) = nodes.zip(edges).map(|((g, n), e)| (g, n, e)) else {
        return (None, None);
    };
    // A value longer than a record of a network file could be is refused
    // here, at its place, not when the files written are read back.
    let (node_ends, edge_ends): (&[&str], &[&str]) = (&["id"], &["source", "target"]);
    let items = (nodes.iter().map(|n| (n, node_ends))).chain(edges.iter().map(|e| (e, edge_ends)));
    for (item, names) in items {
        let long = item
            .ends
            .iter()
            .zip(names)
            .map(|(&(v, at), name)| (v.len(), at, *name))
            .chain(
                item.values
                    .iter()
                    .map(|(k, v, at)| (v.len(), *at, k.as_str())),
            )
            .find(|v| v.0 > MAX_RECORD_BYTES);
        if let Some((len, at, field)) = long {
            errors.push(error(
                at,
                field,
                format!("this value is {len} bytes long, over the {MAX_RECORD_BYTES}-byte limit for a node's or an edge's attributes"),
            ));
        }
    }
    if nodes.is_empty() && errors.is_empty() {
        errors.push(error(
            graph_at,
            "",
            "no nodes: an organisation needs at least one".into(),
        ));
    }

    // Agents: the known columns, then every other node attribute (reported
    // as ignored by the checks).
    let group = attrs
        .group
        .iter()
        .find(|g| {
            nodes
                .iter()
                .any(|n| n.values.iter().any(|(k, _, _)| k.eq_ignore_ascii_case(g)))
        })
        .unwrap_or(&attrs.group[0])
        .clone();
    let known = ["part", "group", "role", "start", "needs"];
    let sources = [
        &attrs.part,
        &group,
        &attrs.role,
        &"start".to_owned(),
        &"needs".to_owned(),
    ];
    let mut header: Vec<String> = std::iter::once("id".to_owned())
        .chain(known.iter().map(|k| (*k).to_owned()))
        .collect();
    // Any other attribute is an extra column, reported as ignored; one
    // named like a known column (an `id` attribute, or `part` when the part
    // is read from another) is kept apart from it.
    let extra = |k: &str| {
        if ["id", "part", "group", "role", "start", "needs"].contains(&k) {
            format!("{k} (attribute)")
        } else {
            k.to_owned()
        }
    };
    for n in &nodes {
        for (k, _, _) in &n.values {
            if sources.iter().any(|s| s.eq_ignore_ascii_case(k)) {
                continue;
            }
            let k = extra(k);
            if !header.contains(&k) {
                header.push(k);
            }
        }
    }
    // Errors name the attributes the part and group were read from.
    let mut labels = header.clone();
    labels[1].clone_from(&attrs.part);
    labels[2].clone_from(&group);
    let mut agents = table(name, header);
    agents.labels = Some(labels);
    // Rows are numbered 1, 2, … (several elements may share a line); the
    // cells map says where each cell and element is.
    for (number, n) in (1u64..).zip(&nodes) {
        let Some(&(id, id_at)) = n.ends.first() else {
            continue;
        };
        let mut row = vec![String::new(); agents.header.len()];
        row[0] = id.to_owned();
        let cells = agents.cells.get_or_insert_with(HashMap::new);
        cells.insert((number, usize::MAX), lines.at(n.at));
        cells.insert((number, 0), lines.at(id_at));
        for (k, v, v_at) in &n.values {
            let col = match sources.iter().position(|s| s.eq_ignore_ascii_case(k)) {
                Some(i) => i + 1,
                None => {
                    let k = extra(k);
                    match agents.header.iter().position(|h| *h == k) {
                        Some(c) => c,
                        None => continue,
                    }
                }
            };
            row[col] = v.trim().to_owned();
            cells.insert((number, col), lines.at(*v_at));
        }
        if row[1].is_empty()
            && let Some(part) = &attrs.default_part
        {
            row[1] = format!("{part:?}");
        }
        agents.rows.push((number, row));
    }

    let mut ties = table(
        name,
        ["source", "target", "weight", "channel"]
            .map(str::to_owned)
            .to_vec(),
    );
    for (number, e) in (1u64..).zip(&edges) {
        let mut row = vec![String::new(); 4];
        let cells = ties.cells.get_or_insert_with(HashMap::new);
        cells.insert((number, usize::MAX), lines.at(e.at));
        for (i, &(id, id_at)) in e.ends.iter().enumerate() {
            row[i] = id.to_owned();
            cells.insert((number, i), lines.at(id_at));
        }
        for (k, v, v_at) in &e.values {
            let col = match k.to_ascii_lowercase().as_str() {
                "weight" => 2,
                "channel" => 3,
                _ => continue,
            };
            row[col] = v.trim().to_owned();
            cells.insert((number, col), lines.at(*v_at));
        }
        ties.rows.push((number, row));
    }
    // With no nodes, the error above says so (not the checks' "no agents").
    ((!nodes.is_empty()).then_some(agents), Some(ties))
}

fn table(file: &str, header: Vec<String>) -> Table<'_> {
    Table {
        file,
        lines: Vec::new(),
        header,
        rows: Vec::new(),
        cells: Some(HashMap::new()),
        labels: None,
        cut_short: false,
    }
}

type Found<'d> = (Option<(usize, Vec<Item<'d>>)>, Option<Vec<Item<'d>>>);

/// An element's text, all of it (a comment or CDATA section inside does
/// not cut it short).
fn text_of(n: Node<'_, '_>) -> String {
    n.children()
        .filter_map(|c| c.is_text().then(|| c.text()).flatten())
        .collect()
}

/// A child element by local name.
fn child<'d>(n: Node<'d, 'd>, name: &str) -> Option<Node<'d, 'd>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The one child element `name` of `n`; any later one is refused at its
/// place (a file holding two graphs, or a graph two lists of nodes, would
/// otherwise lose all but the first without a word).
fn only_child<'d>(
    n: Node<'d, 'd>,
    name: &'static str,
    what: &str,
    error: &impl Fn(usize, &str, String) -> ImportError,
    errors: &mut Vec<ImportError>,
) -> Option<Node<'d, 'd>> {
    let mut found = elements(n, name);
    let first = found.next()?;
    for later in found {
        errors.push(error(
            later.range().start,
            "",
            format!("a second <{name}>: siloscope reads {what}; put everything in the first, or import each on its own"),
        ));
    }
    Some(first)
}

fn elements<'d>(n: Node<'d, 'd>, name: &'static str) -> impl Iterator<Item = Node<'d, 'd>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// An attribute's value and the offset of the value.
fn attribute<'d>(n: Node<'d, 'd>, name: &str) -> Option<(&'d str, usize)> {
    let a = n.attribute_node(name)?;
    Some((a.value(), a.range_value().start))
}

/// The ends of a node (`id`) or an edge (`source`, `target`); a missing
/// one is an error at the element.
fn ends<'d>(
    n: Node<'d, 'd>,
    names: &[&str],
    error: &impl Fn(usize, &str, String) -> ImportError,
    errors: &mut Vec<ImportError>,
) -> Option<Vec<(&'d str, usize)>> {
    let mut out = Vec::new();
    for &name in names {
        match attribute(n, name) {
            Some(found) => out.push(found),
            None => {
                errors.push(error(
                    n.range().start,
                    name,
                    format!(
                        "<{}> without {} \"{name}\" attribute",
                        n.tag_name().name(),
                        if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "an"
                        } else {
                            "a"
                        }
                    ),
                ));
                return None;
            }
        }
    }
    Some(out)
}

fn graphml<'d>(
    root: Node<'d, 'd>,
    error: &impl Fn(usize, &str, String) -> ImportError,
    errors: &mut Vec<ImportError>,
) -> Found<'d> {
    // Keys: id → (for, attr.name), and the keys' defaults (a node or edge
    // without a value for a key has the key's <default>).
    let mut keys: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut defaults: Vec<(&str, &str, String, usize)> = Vec::new();
    for k in elements(root, "key") {
        if let (Some(id), Some(name)) = (k.attribute("id"), k.attribute("attr.name")) {
            let kind = k.attribute("for").unwrap_or("all");
            keys.insert(id, (kind, name));
            if let Some(d) = child(k, "default") {
                defaults.push((kind, id, text_of(d), d.range().start));
            }
        }
    }
    let Some(graph) = only_child(root, "graph", "one graph per file", error, errors) else {
        errors.push(error(root.range().start, "", "no <graph> element".into()));
        return (None, None);
    };
    let given = |n: Node<'d, 'd>, kind: &str| -> Vec<(String, String, usize)> {
        elements(n, "data")
            .filter_map(|d| {
                let key = d.attribute("key")?;
                let name = match keys.get(key) {
                    Some((f, name)) if *f == kind || *f == "all" => *name,
                    _ => key,
                };
                let at = d.first_child().map_or(d.range().start, |t| t.range().start);
                Some((name.to_owned(), text_of(d), at))
            })
            .collect::<Vec<_>>()
    };
    let data = |n: Node<'d, 'd>, kind: &str| -> Vec<(String, String, usize)> {
        let mut values = given(n, kind);
        for (for_, key, value, at) in &defaults {
            let name = keys.get(key).map_or(*key, |k| k.1);
            if (*for_ == kind || *for_ == "all") && !values.iter().any(|v| v.0 == name) {
                values.push((name.to_owned(), value.clone(), *at));
            }
        }
        values
    };
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for n in graph.children().filter(Node::is_element) {
        match n.tag_name().name() {
            "node" => {
                if let Some(g) = child(n, "graph") {
                    errors.push(error(g.range().start, "", "a nested graph: siloscope reads one flat graph (its groups come from a node attribute)".into()));
                }
                if let Some(p) = child(n, "port") {
                    errors.push(error(
                        p.range().start,
                        "",
                        "ports are not supported; tie the nodes themselves".into(),
                    ));
                }
                if let Some(ends) = ends(n, &["id"], error, errors) {
                    nodes.push(Item {
                        at: n.range().start,
                        ends,
                        values: data(n, "node"),
                    });
                }
            }
            "edge" => {
                if let Some(ends) = ends(n, &["source", "target"], error, errors) {
                    edges.push(Item {
                        at: n.range().start,
                        ends,
                        values: data(n, "edge"),
                    });
                }
            }
            "hyperedge" => errors.push(error(
                n.range().start,
                "",
                "hyperedges are not supported; a tie joins two agents".into(),
            )),
            _ => {}
        }
    }
    (Some((graph.range().start, nodes)), Some(edges))
}

fn gexf<'d>(
    root: Node<'d, 'd>,
    error: &impl Fn(usize, &str, String) -> ImportError,
    errors: &mut Vec<ImportError>,
) -> Found<'d> {
    let Some(graph) = only_child(root, "graph", "one graph per file", error, errors) else {
        errors.push(error(root.range().start, "", "no <graph> element".into()));
        return (None, None);
    };
    // Attribute titles by (class, id).
    let mut titles: HashMap<(&str, &str), &str> = HashMap::new();
    for a in elements(graph, "attributes") {
        let class = a.attribute("class").unwrap_or("node");
        for attr in elements(a, "attribute") {
            if let (Some(id), Some(title)) = (attr.attribute("id"), attr.attribute("title")) {
                titles.insert((class, id), title);
            }
        }
    }
    let values = |n: Node<'d, 'd>, class: &str| -> Vec<(String, String, usize)> {
        let mut out: Vec<(String, String, usize)> = Vec::new();
        if class == "edge"
            && let Some((w, at)) = attribute(n, "weight")
        {
            out.push(("weight".into(), w.to_owned(), at));
        }
        for v in child(n, "attvalues")
            .into_iter()
            .flat_map(|a| elements(a, "attvalue"))
        {
            let (Some(id), Some((value, at))) = (
                v.attribute("for").or_else(|| v.attribute("id")),
                attribute(v, "value"),
            ) else {
                continue;
            };
            let name = titles.get(&(class, id)).copied().unwrap_or(id);
            out.push((name.to_owned(), value.to_owned(), at));
        }
        out
    };
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for n in only_child(graph, "nodes", "one list of nodes per graph", error, errors)
        .into_iter()
        .flat_map(|ns| elements(ns, "node"))
    {
        if let Some(inner) = child(n, "nodes") {
            errors.push(error(inner.range().start, "", "nested nodes: siloscope reads one flat graph (its groups come from a node attribute)".into()));
        }
        if let Some(ends) = ends(n, &["id"], error, errors) {
            nodes.push(Item {
                at: n.range().start,
                ends,
                values: values(n, "node"),
            });
        }
    }
    for e in only_child(graph, "edges", "one list of edges per graph", error, errors)
        .into_iter()
        .flat_map(|es| elements(es, "edge"))
    {
        if let Some(ends) = ends(e, &["source", "target"], error, errors) {
            edges.push(Item {
                at: e.range().start,
                ends,
                values: values(e, "edge"),
            });
        }
    }
    (Some((graph.range().start, nodes)), Some(edges))
}
