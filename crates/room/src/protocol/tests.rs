use super::*;
use proptest::prelude::*;
use siloscope_model::sim::NeedChoice;

fn err(text: &str) -> String {
    parse_phone(text.as_bytes()).unwrap_err().to_string()
}

#[test]
fn a_phones_messages_parse() {
    assert_eq!(
        parse_phone(br#"{"type": "join", "code": "k7qx2m", "seat": "customer:Small business", "name": " Ana "}"#),
        Ok(FromPhone::Join {
            code: "k7qx2m".into(),
            seat: "customer:Small business".into(),
            name: " Ana ".into(),
        })
    );
    assert_eq!(
        parse_phone(br#"{"type":"decide","round":3,"choices":{"contact":true,"needs":"Hold"}}"#),
        Ok(FromPhone::Decide {
            round: 3,
            choices: Decision {
                contact: Some(true),
                needs: Some(NeedChoice::Hold),
                ..Decision::default()
            },
        })
    );
    assert!(matches!(
        parse_phone(br#"{"type":"rejoin","token":"9f2c"}"#),
        Ok(FromPhone::Rejoin { .. })
    ));
    assert_eq!(
        parse_facilitator(br#"{"type":"open","steps":4,"seconds":90}"#),
        Ok(FromFacilitator::Open {
            steps: 4,
            seconds: 90
        })
    );
    assert_eq!(
        parse_facilitator(br#"{"type":"close"}"#),
        Ok(FromFacilitator::Close)
    );
}

#[test]
fn hostile_messages_get_an_error_saying_where_and_what() {
    let big = format!(
        r#"{{"type":"rejoin","token":"{}"}}"#,
        "x".repeat(MAX_MESSAGE_BYTES)
    );
    assert_eq!(
        err(&big),
        format!("message of {} bytes; at most 4096", big.len())
    );
    assert_eq!(
        parse_phone(b"{\"type\":\n\"jo\xffin\"}")
            .unwrap_err()
            .to_string(),
        "line 2, column 4: not UTF-8"
    );
    assert_eq!(err(""), "line 1, column 1: EOF while parsing a value");
    assert!(
        err("{\"type\": \"order_pizza\"}")
            .starts_with("line 1, column 22: unknown variant `order_pizza`")
    );
    assert!(
        err(r#"{"type":"decide","round":1,"choices":{"complian":true}}"#)
            .contains("unknown field `complian`")
    );
    assert!(
        err(r#"{"type":"decide","round":1,"choices":{},"extra":1}"#)
            .contains("unknown field `extra`")
    );
    assert!(
        err(r#"{"type":"decide","round":-1,"choices":{}}"#).contains("invalid value: integer `-1`")
    );
    assert!(err(r#"{"type":"decide","round":99999999999,"choices":{}}"#).contains("invalid value"));
    assert!(
        err(r#"{"type":"decide","round":1,"choices":{"contact":"yes"}}"#)
            .contains("invalid type: string")
    );
    assert!(
        err(r#"{"type":"decide","round":1,"choices":{"needs":"Ignore"}}"#)
            .contains("unknown variant `Ignore`")
    );
    assert!(err(r#"{"round":1}"#).contains("missing field `type`"));
    assert!(err(r#"[1,2]"#).starts_with("line 1, column"));
    // Deep nesting stops at serde_json's recursion limit, not the stack.
    let deep = format!(
        r#"{{"type":"decide","round":1,"choices":{}}}"#,
        "[".repeat(3000)
    );
    assert!(err(&deep).contains("recursion limit") || err(&deep).contains("message of"));
    // Names and codes within bounds.
    let join = |code: &str, name: &str| {
        err(&format!(
            r#"{{"type":"join","code":"{code}","seat":"head:Support","name":"{name}"}}"#
        ))
    };
    assert!(join("K7QX2M", "  ").starts_with("name: 1 to 40 characters"));
    assert!(join("K7QX2M", &"n".repeat(41)).starts_with("name: "));
    assert!(join("K7QX2M", "a\\u0007b").starts_with("name: "));
    assert!(join("", "Ana").starts_with("code: 1 to 16 bytes"));
    assert!(join(&"C".repeat(17), "Ana").starts_with("code: "));
    // The facilitator's bounds.
    let f = |text: &str| parse_facilitator(text.as_bytes()).unwrap_err().to_string();
    assert_eq!(
        f(r#"{"type":"open","steps":0,"seconds":60}"#),
        "steps: 1 to 52 steps; got 0"
    );
    assert_eq!(
        f(r#"{"type":"open","steps":4,"seconds":4}"#),
        "seconds: 5 to 3600 seconds; got 4"
    );
    assert_eq!(
        f(r#"{"type":"extend","seconds":99999}"#),
        "seconds: 5 to 3600 seconds; got 99999"
    );
    // A phone cannot send the facilitator's commands, nor the reverse.
    assert!(err(r#"{"type":"close"}"#).contains("unknown variant `close`"));
    assert!(f(r#"{"type":"rejoin","token":"ab"}"#).contains("unknown variant `rejoin`"));
}

proptest! {
    /// Any bytes: a message or an error with a position or a bound, never
    /// a panic.
    #[test]
    fn any_bytes_parse_or_get_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for result in [parse_phone(&bytes).map(|_| ()), parse_facilitator(&bytes).map(|_| ())] {
            if let Err(e) = result {
                prop_assert!(!e.to_string().is_empty());
                if let ProtocolError::Malformed { line, column, .. } = e {
                    prop_assert!(line >= 1 && column >= 1);
                }
            }
        }
    }

    /// Damaged copies of a valid message, in the format's own characters.
    #[test]
    fn damaged_messages_parse_or_get_an_error(
        at in proptest::collection::vec((0usize..80, proptest::sample::select(b"{}[]\":,0-9tfn\\ ".to_vec())), 1..4)
    ) {
        let mut m = br#"{"type":"decide","round":3,"choices":{"contact":true,"needs":"Hold"}}"#.to_vec();
        for (i, b) in at {
            let i = i % m.len();
            m[i] = b;
        }
        let _ = parse_phone(&m);
    }
}
