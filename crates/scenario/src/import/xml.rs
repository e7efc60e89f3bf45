//! The GraphML and GEXF elements a graph import reads: each node and edge
//! as an [`Item`] (its id or ends, and its attributes by name), every value
//! with its offset in the file so that the checks can locate it. What the
//! reader does not take (nested graphs, hyperedges, ports, a second graph or
//! list) is refused here, at its element.

use super::ImportError;
use roxmltree::Node;
use std::collections::HashMap;

/// One node or edge as read: its element's offset, its id or ends, and
/// its attributes by name with the offset of each value.
pub(super) struct Item<'d> {
    pub(super) at: usize,
    pub(super) ends: Vec<(&'d str, usize)>,
    pub(super) values: Vec<(String, String, usize)>,
}

pub(super) type Found<'d> = (Option<(usize, Vec<Item<'d>>)>, Option<Vec<Item<'d>>>);

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

pub(super) fn graphml<'d>(
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
            if (*for_ == kind || *for_ == "all")
                && !values.iter().any(|v| v.0.eq_ignore_ascii_case(name))
            {
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

pub(super) fn gexf<'d>(
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
