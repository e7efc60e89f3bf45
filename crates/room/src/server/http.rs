//! The one HTTP request a connection makes before it becomes a WebSocket:
//! its head read within a size and a time limit, and the plain answers
//! for requests that are not an upgrade.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The largest request head accepted.
pub const MAX_HEAD_BYTES: usize = 8192;
/// The time a client has to send its request head.
pub const HEAD_TIME: Duration = Duration::from_secs(5);

/// A request head: its method and path, and the bytes read (which the
/// WebSocket handshake reads again).
#[derive(Debug)]
pub struct Head {
    /// `GET`.
    pub method: String,
    /// `/ws/phone`, with its query.
    pub path: String,
    /// Everything read so far.
    pub bytes: Vec<u8>,
}

/// Why a head was not read.
#[derive(Debug)]
pub enum HeadError {
    /// Over [`MAX_HEAD_BYTES`].
    TooLarge,
    /// Not `METHOD PATH HTTP/1.x`.
    Malformed,
    /// Too slow, closed, or a socket error: nothing to answer.
    Gone,
}

/// Read a request head from `stream`, at most [`MAX_HEAD_BYTES`] within
/// [`HEAD_TIME`] in all (not per read: a client sending a byte at a time
/// cannot hold the connection).
pub fn read_head(stream: &mut TcpStream) -> Result<Head, HeadError> {
    let start = Instant::now();
    let mut bytes = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let left = HEAD_TIME.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(HeadError::Gone);
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| HeadError::Gone)?;
        let n = stream.read(&mut chunk).map_err(|_| HeadError::Gone)?;
        if n == 0 {
            return Err(HeadError::Gone);
        }
        bytes.extend_from_slice(&chunk[..n]);
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n");
        if end.map_or(bytes.len(), |e| e + 4) > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
        if let Some(end) = end {
            let line_end = bytes.windows(2).position(|w| w == b"\r\n").unwrap_or(end);
            let line = std::str::from_utf8(&bytes[..line_end]).map_err(|_| HeadError::Malformed)?;
            let mut parts = line.split(' ');
            let (Some(method), Some(path), Some(version), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(HeadError::Malformed);
            };
            if !version.starts_with("HTTP/1.") || !path.starts_with('/') {
                return Err(HeadError::Malformed);
            }
            return Ok(Head {
                method: method.to_owned(),
                path: path.to_owned(),
                bytes,
            });
        }
    }
}

/// Answer a request that is not an upgrade, then close. What the client
/// is still sending is read and dropped for a moment first (at most 64
/// KiB, half a second): closing with unread bytes would reset the
/// connection and lose the answer.
pub fn answer(stream: &mut TcpStream, status: &str, body: &str) {
    answer_as(stream, status, "text/plain", body);
}

/// [`answer`] with a content type (`text/html`).
pub fn answer_as(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\ncontent-security-policy: default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let until = Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// The value of `key` in a path's query (`/ws/facilitator?token=…`).
pub fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    let (_, q) = path.split_once('?')?;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then_some(v)
    })
}

/// A stream that first gives back the bytes of the head already read.
pub struct Replay {
    head: io::Cursor<Vec<u8>>,
    /// The connection.
    pub stream: TcpStream,
}

impl Replay {
    /// `stream`, with `head` to read first.
    pub fn new(head: Vec<u8>, stream: TcpStream) -> Replay {
        Replay {
            head: io::Cursor::new(head),
            stream,
        }
    }
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        self.stream.read(buf)
    }
}

impl Write for Replay {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_value_is_found_by_its_key() {
        assert_eq!(query("/ws/facilitator?token=abc&x=1", "token"), Some("abc"));
        assert_eq!(query("/ws/facilitator?x=1", "token"), None);
        assert_eq!(query("/ws/facilitator", "token"), None);
    }
}
