//! What the `room_message` fuzz target does with one input, shared by
//! `fuzz/` (cargo fuzz) and the corpus regression test
//! (`crates/room/tests/tests.rs`): parse it as a phone's message and as
//! the facilitator's; a message is within its bounds, an error names a
//! position or a bound.

use siloscope_room::protocol::{
    FromFacilitator, FromPhone, MAX_MESSAGE_BYTES, MAX_ROUND_STEPS, ProtocolError, ROUND_SECONDS,
    parse_facilitator, parse_phone,
};

/// Parse `data` both ways and check what comes back.
pub fn message(data: &[u8]) {
    match parse_phone(data) {
        Ok(FromPhone::Join { code, seat, name }) => {
            assert!(!code.is_empty() && code.len() <= 16);
            assert!(!seat.is_empty() && seat.len() <= 200);
            assert!(!name.trim().is_empty());
        }
        Ok(FromPhone::Rejoin { token }) => assert!(!token.is_empty() && token.len() <= 64),
        Ok(FromPhone::Seats { code }) => assert!(!code.is_empty() && code.len() <= 16),
        Ok(FromPhone::Decide { .. }) => assert!(data.len() <= MAX_MESSAGE_BYTES),
        Err(e) => check(&e, data),
    }
    match parse_facilitator(data) {
        Ok(FromFacilitator::Open { steps, seconds }) => {
            assert!((1..=MAX_ROUND_STEPS).contains(&steps));
            assert!((ROUND_SECONDS.0..=ROUND_SECONDS.1).contains(&seconds));
        }
        Ok(FromFacilitator::Extend { seconds }) => {
            assert!((ROUND_SECONDS.0..=ROUND_SECONDS.1).contains(&seconds));
        }
        Ok(_) => {}
        Err(e) => check(&e, data),
    }
}

fn check(e: &ProtocolError, data: &[u8]) {
    match e {
        ProtocolError::TooLarge(n) => assert!(*n > MAX_MESSAGE_BYTES && *n == data.len()),
        ProtocolError::Malformed {
            line,
            column,
            message,
        } => {
            assert!(*line >= 1 && *column >= 1 && !message.is_empty());
            let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(*line <= lines, "line {line} of {lines}");
        }
        ProtocolError::OutOfBounds { message, .. } => assert!(!message.is_empty()),
    }
}
