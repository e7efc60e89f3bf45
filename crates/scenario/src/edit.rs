//! Changes to a scenario's text that keep the rest of it — its comments,
//! its layout, its order — for the commands that write a scenario out
//! (`calibrate`, `optimise`): a policy added, a field set, assumptions
//! set. Each edit finds its place with the cursor that locates errors
//! ([`crate::locate`]). An edit says when it cannot find its place; the
//! caller validates the result before writing it (an edit cannot make an
//! invalid scenario valid, nor should it be trusted to keep one valid).

use crate::locate::{FieldPath, end_of_items, span};

/// The leading whitespace of the line holding byte `offset`.
fn indentation(src: &str, offset: usize) -> String {
    let start = src[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    src[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// `src` with `item` (text; later lines are indented to match) added as
/// the last item of the collection whose value starts at byte `open`.
fn append_at(src: &str, open: usize, item: &str) -> Option<String> {
    let (at, comma, first) = end_of_items(src, open)?;
    // Items on the bracket's line (`(a: 1, b: 2)`): one more, inline.
    if let Some(f) = first
        && !src[open..f].contains(['\n', '\r'])
        && !item.contains('\n')
    {
        let sep = if comma { ", " } else { " " };
        let tail = if comma { "" } else { "," };
        return Some(format!("{}{sep}{item}{tail}{}", &src[..at], &src[at..]));
    }
    let outer = indentation(src, open);
    let indent = first.map_or_else(|| format!("{outer}    "), |f| indentation(src, f));
    // The file's own line ending.
    let nl = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(src.len() + item.len() + 64);
    out.push_str(&src[..at]);
    if comma {
        out.push(',');
    }
    for (i, line) in item.lines().enumerate() {
        out.push_str(nl);
        if i == 0 || !line.is_empty() {
            out.push_str(&indent);
        }
        out.push_str(line);
    }
    out.push(',');
    if first.is_none() {
        out.push_str(nl);
        out.push_str(&outer);
    }
    out.push_str(&src[at..]);
    Some(out)
}

/// The text of `value` as a RON string.
pub fn ron_string(value: &str) -> String {
    // RON writes an apostrophe escaped (`\'`); a string in double quotes
    // reads one plain just as well, and people read it better. Only an
    // escaped apostrophe ends in `\'`: an escaped backslash before an
    // apostrophe is `\\\'`, whose last two characters are replaced alike.
    ron::to_string(value)
        .expect("a string is always RON")
        .replace("\\'", "'")
}

/// `src` with the scenario's field `name` set to `value` (RON text):
/// replaced where it is, else added as the scenario's last field.
pub fn set_field(src: &str, name: &'static str, value: &str) -> Result<String, String> {
    if let Some(at) = span(src, &FieldPath::root().field(name)) {
        return Ok(format!("{}{value}{}", &src[..at.start], &src[at.end..]));
    }
    let root = span(src, &FieldPath::root()).ok_or("cannot find the scenario's value")?;
    append_at(src, root.start, &format!("{name}: {value}"))
        .ok_or_else(|| format!("cannot find where to add `{name}`"))
}

/// `src` with the policy `"name": body` (`body` the RON text of its
/// value) added as the last of the scenario's `policies` (after any policy
/// it may name as its base), adding `policies` if there is none.
pub fn add_policy(src: &str, name: &str, body: &str) -> Result<String, String> {
    let entry = format!("{}: {body}", ron_string(name));
    match span(src, &FieldPath::root().field("policies")) {
        Some(at) => append_at(src, at.start, &entry)
            .ok_or_else(|| "cannot find where to add a policy to `policies`".to_owned()),
        None => set_field(
            src,
            "policies",
            &format!("{{\n    {}\n}}", entry.replace('\n', "\n    ")),
        ),
    }
}

/// `src` with each of the model's assumptions in `values` (name, RON
/// text) set in its `model: (…)`, adding the field or the assumption
/// where it is missing.
pub fn set_assumptions(src: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut out = src.to_owned();
    for (name, value) in values {
        let model = FieldPath::root().field("model");
        let Some(m) = span(&out, &model) else {
            out = set_field(&out, "model", &format!("({name}: {value})"))?;
            continue;
        };
        // A field path of text: assumption names are not `'static`.
        let path = FieldPath::parse(&format!("model.{name}"));
        out = match span(&out, &path) {
            Some(at) if at.start >= m.start && at.end <= m.end => {
                format!("{}{value}{}", &out[..at.start], &out[at.end..])
            }
            _ => append_at(&out, m.start, &format!("{name}: {value}"))
                .ok_or_else(|| format!("cannot find where to set model.{name}"))?,
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_goes_last_in_policies_keeping_comments_and_layout() {
        let src = "// top\nScenario(\n    name: \"x\", // keep\n    policies: {\n        \"a\": (knobs: {}), // first\n    },\n)\n";
        let out = add_policy(src, "b", "(\n    base: \"a\",\n    knobs: {},\n)").unwrap();
        assert_eq!(
            out,
            "// top\nScenario(\n    name: \"x\", // keep\n    policies: {\n        \"a\": (knobs: {}),\n        \"b\": (\n            base: \"a\",\n            knobs: {},\n        ), // first\n    },\n)\n"
        );
        // No `policies` yet, no trailing comma: the field is added.
        let bare = "Scenario(\n    name: \"x\"\n)";
        let out = add_policy(bare, "b", "(knobs: {})").unwrap();
        assert_eq!(
            out,
            "Scenario(\n    name: \"x\",\n    policies: {\n        \"b\": (knobs: {})\n    },\n)"
        );
        // An empty map.
        let empty = "(\n    policies: {},\n)";
        assert_eq!(
            add_policy(empty, "b", "()").unwrap(),
            "(\n    policies: {\n        \"b\": (),\n    },\n)"
        );
    }

    #[test]
    fn fields_and_assumptions_are_set_where_they_are_or_added() {
        let src = "Scenario(\n    name: \"x\",\n    policy: \"inside_out\",\n    model: (tracking_rate: 0.4, w_push: 1.0),\n)\n";
        let out = set_field(src, "policy", &ron_string("calibrated")).unwrap();
        assert!(out.contains("    policy: \"calibrated\",\n"), "{out}");
        let out = set_assumptions(
            &out,
            &[("w_push", "2.5".into()), ("forgetting", "0.97".into())],
        )
        .unwrap();
        assert!(
            out.contains("model: (tracking_rate: 0.4, w_push: 2.5, forgetting: 0.97),"),
            "{out}"
        );
        let none = "Scenario(name: \"x\")";
        let out = set_assumptions(none, &[("forgetting", "0.9".into())]).unwrap();
        assert_eq!(out, "Scenario(name: \"x\", model: (forgetting: 0.9))");
        assert_eq!(ron_string("a \"b\"\n"), "\"a \\\"b\\\"\\n\"");
        assert_eq!(ron_string("It's"), "\"It's\"");
        for text in ["It's", "a\\'b", "\\", "'\\''", "\u{7}x\"'"] {
            let back: String = ron::from_str(&ron_string(text)).unwrap();
            assert_eq!(back, text);
        }
        // A file with CR LF line endings keeps them.
        let crlf = "Scenario(\r\n    name: \"x\",\r\n)\r\n";
        let out = add_policy(crlf, "b", "(\n    knobs: {},\n)").unwrap();
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert!(set_field("not ron at all [", "policy", "\"x\"").is_err());
    }
}
