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
use super::xml::{gexf, graphml};
use super::{GraphAttributes, ImportError};
use crate::network::records::MAX_RECORD_BYTES;
use crate::text;
use roxmltree::{Document, ParsingOptions};
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
    let twice = |at: usize, field: &str, first: &str, then: &str| {
        let message = if first == then {
            format!("\"{then}\" is given twice for this element; which value is meant?")
        } else {
            format!("given twice, as \"{first}\" and as \"{then}\"; which one is meant?")
        };
        error(at, field, message)
    };
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
        // Which attribute gave each known column: two (`group` and
        // `Group`, or one key given twice) are refused, not one picked.
        let mut given: [Option<&str>; 6] = [None; 6];
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
            if let Some(first) = given.get_mut(col) {
                if let Some(first) = first {
                    errors.push(twice(
                        *v_at,
                        agents.labels.as_ref().map_or(k.as_str(), |l| &l[col]),
                        first,
                        k,
                    ));
                    continue;
                }
                *first = Some(k.as_str());
            }
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
        let mut given: [Option<&str>; 4] = [None; 4];
        for (k, v, v_at) in &e.values {
            let col = match k.to_ascii_lowercase().as_str() {
                "weight" => 2,
                "channel" => 3,
                _ => continue,
            };
            if let Some(first) = given[col] {
                errors.push(twice(*v_at, &ties.header[col], first, k));
                continue;
            }
            given[col] = Some(k.as_str());
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
        text: "",
        lines: Vec::new(),
        header,
        rows: Vec::new(),
        cells: Some(HashMap::new()),
        labels: None,
        stop: None,
    }
}
