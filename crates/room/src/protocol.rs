//! The messages a phone and the facilitator's view send: one JSON object
//! per WebSocket text message, its `type` naming what it is. Each is hostile
//! until parsed: at most [`MAX_MESSAGE_BYTES`], UTF-8, every field known and
//! of its type, strings and numbers within bounds; anything else is a
//! [`ProtocolError`] saying where (line and column in the message) and
//! what, never a panic.
//!
//! A phone sends:
//!
//! ```json
//! {"type": "seats", "code": "K7QX2M"}
//! {"type": "join", "code": "K7QX2M", "seat": "customer:Small business", "name": "Ana"}
//! {"type": "rejoin", "token": "9f2c…"}
//! {"type": "decide", "round": 3, "choices": {"contact": true, "complain": true}}
//! ```
//!
//! and the facilitator's view (with the facilitator's token, never the
//! join code):
//!
//! ```json
//! {"type": "open", "steps": 4, "seconds": 90}
//! {"type": "pause"}  {"type": "resume"}  {"type": "extend", "seconds": 30}
//! {"type": "close"}
//! ```
//!
//! `choices` holds the [`Decision`]'s fields (`contact`, `complain`,
//! `ask_peer`, `refer`, `leave`, `offer` as `true` or `false`, `needs` as
//! `"Handle"` or `"Hold"`); which of them a seat may send is the room's
//! check ([`crate::seats::SeatKind::allows`]).

use serde::Deserialize;
use siloscope_model::sim::Decision;

/// The largest message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// The longest name a person may give, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// The longest round, in steps.
pub const MAX_ROUND_STEPS: u32 = 52;
/// The shortest and longest round timer, in seconds.
pub const ROUND_SECONDS: (u32, u32) = (5, 3600);

/// What a phone sends.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FromPhone {
    /// Take a seat in the room whose join code is `code`.
    Join {
        /// The room's join code.
        code: String,
        /// The seat asked for (`head:Support`, `customer:Small business`).
        seat: String,
        /// The person's name, as the facilitator sees it.
        name: String,
    },
    /// Which seats the room whose join code is `code` offers.
    Seats {
        /// The room's join code.
        code: String,
    },
    /// Come back to the seat held before (after a dropped connection).
    Rejoin {
        /// The token the room gave on joining.
        token: String,
    },
    /// Decide for the seat's agents in round `round`.
    Decide {
        /// The round decided for (an earlier one is refused).
        round: u32,
        /// The choices made; those left out follow the rules.
        choices: Decision,
    },
}

/// What the facilitator's view sends.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FromFacilitator {
    /// Open a round of `steps` steps with a timer of `seconds`.
    Open {
        /// Steps the round runs once closed.
        steps: u32,
        /// Seconds the room has to decide.
        seconds: u32,
    },
    /// Stop the timer.
    Pause,
    /// Start it again.
    Resume,
    /// Give the room `seconds` more.
    Extend {
        /// Seconds added.
        seconds: u32,
    },
    /// Close the round now, without late decisions, and run its steps.
    Close,
}

/// Why a message was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Over [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes; at most {MAX_MESSAGE_BYTES}")]
    TooLarge(usize),
    /// Not UTF-8, not JSON, an unknown type or field, a wrong type.
    #[error("line {line}, column {column}: {message}")]
    Malformed {
        /// Line in the message (1-based).
        line: usize,
        /// Column in the line (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Well-formed, but a value out of bounds.
    #[error("{field}: {message}")]
    OutOfBounds {
        /// The field.
        field: &'static str,
        /// What is allowed.
        message: String,
    },
}

/// A phone's message, checked.
pub fn parse_phone(bytes: &[u8]) -> Result<FromPhone, ProtocolError> {
    let msg: FromPhone = parse(bytes)?;
    if let FromPhone::Join { code, seat, name } = &msg {
        bounded("code", code, 16)?;
        bounded("seat", seat, 200)?;
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(ProtocolError::OutOfBounds {
                field: "name",
                message: format!(
                    "1 to {MAX_NAME_CHARS} characters, none of them control characters"
                ),
            });
        }
    }
    if let FromPhone::Rejoin { token } = &msg {
        bounded("token", token, 64)?;
    }
    if let FromPhone::Seats { code } = &msg {
        bounded("code", code, 16)?;
    }
    Ok(msg)
}

/// The facilitator's message, checked.
pub fn parse_facilitator(bytes: &[u8]) -> Result<FromFacilitator, ProtocolError> {
    let msg: FromFacilitator = parse(bytes)?;
    let seconds = |s: u32| {
        if (ROUND_SECONDS.0..=ROUND_SECONDS.1).contains(&s) {
            Ok(())
        } else {
            Err(ProtocolError::OutOfBounds {
                field: "seconds",
                message: format!(
                    "{} to {} seconds; got {s}",
                    ROUND_SECONDS.0, ROUND_SECONDS.1
                ),
            })
        }
    };
    match &msg {
        FromFacilitator::Open { steps, seconds: s } => {
            if !(1..=MAX_ROUND_STEPS).contains(steps) {
                return Err(ProtocolError::OutOfBounds {
                    field: "steps",
                    message: format!("1 to {MAX_ROUND_STEPS} steps; got {steps}"),
                });
            }
            seconds(*s)?;
        }
        FromFacilitator::Extend { seconds: s } => seconds(*s)?,
        FromFacilitator::Pause | FromFacilitator::Resume | FromFacilitator::Close => {}
    }
    Ok(msg)
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, ProtocolError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(ProtocolError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        ProtocolError::Malformed {
            line,
            column,
            message: "not UTF-8".into(),
        }
    })?;
    serde_json::from_str(text).map_err(|e| ProtocolError::Malformed {
        line: e.line().max(1),
        column: e.column().max(1),
        message: strip_position(&e.to_string()),
    })
}

/// serde_json's message without its own " at line L column C".
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn bounded(field: &'static str, value: &str, max: usize) -> Result<(), ProtocolError> {
    if value.is_empty() || value.len() > max || value.chars().any(char::is_control) {
        Err(ProtocolError::OutOfBounds {
            field,
            message: format!("1 to {max} bytes, no control characters"),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
