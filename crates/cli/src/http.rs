//! The HTTP/1.1 serve-api speaks, on plain sockets: requests read on a thread per connection and handed to the
//! one loop that owns the cluster, which answers each whole, as a chunked stream (watches, followed logs), or
//! by upgrading the connection to a WebSocket (exec and attach), whose two directions then go their own ways:
//! frames read on the connection's thread, written by the loop. A connection is kept alive between requests
//! unless its client says otherwise, as Go's HTTP client expects.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use ordinal_sim::endpoints::Response;

use crate::websocket::{self, Frame};

/// The most of a body read: one byte past the apiserver's limit, so that the endpoints can refuse it.
const BODY_LIMIT: usize = 3 * 1024 * 1024 + 1;

/// A request head longer than this is refused, as Go's server refuses one past `DefaultMaxHeaderBytes`.
const HEAD_LIMIT: usize = 1 << 20;

/// A request, read whole, and the connection it came on.
pub struct Incoming {
    pub method: String,
    /// The path and query as sent.
    pub target: String,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub connection: Connection,
}

impl Incoming {
    /// A header's value (the first of that name, in any case), or "".
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    }
}

/// What the connection's thread does once the loop has answered: read the next request, close, or read the
/// WebSocket's frames for the loop.
enum Next {
    Request,
    Close,
    Frames(Sender<Frame>),
}

/// The writing side of a connection, with which the loop answers its request.
pub struct Connection {
    stream: TcpStream,
    next: Sender<Next>,
    /// The client asked to close after this request (`Connection: close`).
    closing: bool,
}

impl Connection {
    /// Answers with `response` whole; the connection then serves the client's next request.
    pub fn respond(mut self, response: &Response) {
        let mut head = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            status_line(response.status),
            response.content_type,
            response.body.len()
        );
        // As the apiserver sends them (`299 - "<text>"`), which kubectl prints as `Warning: <text>`.
        for warning in &response.warnings {
            let quoted = serde_json::to_string(warning).unwrap_or_default();
            head += &format!("Warning: 299 - {quoted}\r\n");
        }
        if self.closing {
            head += "Connection: close\r\n";
        }
        head += "\r\n";
        let sent = self
            .stream
            .write_all(head.as_bytes())
            .and_then(|()| self.stream.write_all(&response.body))
            .and_then(|()| self.stream.flush());
        let next = match sent.is_ok() && !self.closing {
            true => Next::Request,
            false => Next::Close,
        };
        let _ = self.next.send(next);
    }

    /// Answers with the head of a chunked stream of `content_type`, the connection then given to it alone.
    pub fn stream(mut self, content_type: &str) -> io::Result<Chunked> {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nCache-Control: no-cache, private\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        self.stream.write_all(head.as_bytes())?;
        self.stream.flush()?;
        Ok(Chunked { connection: self })
    }

    /// Upgrades the connection to a WebSocket speaking `protocol`, answering the client's `key`: the frames
    /// it sends arrive on the receiver, and the socket writes those the loop sends.
    pub fn upgrade(
        mut self,
        key: &str,
        protocol: &str,
    ) -> io::Result<(WebSocket, Receiver<Frame>)> {
        let head = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n",
            websocket::accept(key)
        );
        self.stream.write_all(head.as_bytes())?;
        self.stream.flush()?;
        let (frames, received) = mpsc::channel();
        let _ = self.next.send(Next::Frames(frames));
        Ok((
            WebSocket {
                stream: self.stream,
            },
            received,
        ))
    }
}

/// A response streamed in chunks; ended (the last, empty chunk, and the connection closed) when dropped.
pub struct Chunked {
    connection: Connection,
}

impl Chunked {
    pub fn chunk(&mut self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let stream = &mut self.connection.stream;
        write!(stream, "{:x}\r\n", data.len())?;
        stream.write_all(data)?;
        stream.write_all(b"\r\n")?;
        stream.flush()
    }
}

impl Drop for Chunked {
    fn drop(&mut self) {
        let stream = &mut self.connection.stream;
        let _ = stream.write_all(b"0\r\n\r\n").and_then(|()| stream.flush());
        let _ = self.connection.next.send(Next::Close);
        let _ = stream.shutdown(Shutdown::Both);
    }
}

/// The writing side of an upgraded connection.
pub struct WebSocket {
    stream: TcpStream,
}

impl WebSocket {
    pub fn send(&mut self, frame: &Frame) -> io::Result<()> {
        self.stream.write_all(&websocket::encode(frame))?;
        self.stream.flush()
    }
}

impl Drop for WebSocket {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Listens on `address`:`port` (0: any free port): its address, and the requests as they come.
pub fn serve(address: IpAddr, port: u16) -> io::Result<(SocketAddr, Receiver<Incoming>)> {
    let listener = TcpListener::bind((address, port))?;
    let bound = listener.local_addr()?;
    let (requests, incoming) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let requests = requests.clone();
            thread::spawn(move || {
                let _ = converse(stream, &requests);
            });
        }
    });
    Ok((bound, incoming))
}

/// One connection: its requests one after another, each answered by the loop before the next is read.
fn converse(stream: TcpStream, requests: &Sender<Incoming>) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let Some((method, target, headers)) = read_head(&mut reader)? else {
            return Ok(());
        };
        let body = read_body(&mut reader, &headers)?;
        let closing = headers.iter().any(|(field, value)| {
            field.eq_ignore_ascii_case("Connection") && value.eq_ignore_ascii_case("close")
        });
        let (next, answered) = mpsc::channel();
        let incoming = Incoming {
            method,
            target,
            headers,
            body,
            connection: Connection {
                stream: stream.try_clone()?,
                next,
                closing,
            },
        };
        if requests.send(incoming).is_err() {
            return Ok(());
        }
        match answered.recv() {
            Ok(Next::Request) => {}
            Ok(Next::Frames(frames)) => {
                let mut messages = websocket::Reader::default();
                while let Ok(frame) = messages.read(&mut reader) {
                    let closed = matches!(frame, Frame::Close(_));
                    if frames.send(frame).is_err() || closed {
                        break;
                    }
                }
                return Ok(());
            }
            Ok(Next::Close) | Err(_) => {
                let _ = stream.shutdown(Shutdown::Both);
                return Ok(());
            }
        }
    }
}

type Head = (String, String, Vec<(String, String)>);

/// The request line and headers; None when the client closed the connection between requests.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let mut line = String::new();
    // Go's server, like any, skips empty lines before a request line.
    while line.trim_end().is_empty() {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
    }
    let mut words = line.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let (method, target) = (method.to_string(), target.to_string());
    let mut headers = Vec::new();
    let mut size = line.len();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        size += line.len();
        if size > HEAD_LIMIT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
        let field = line.trim_end_matches(['\r', '\n']);
        if field.is_empty() {
            return Ok(Some((method, target, headers)));
        }
        if let Some((name, value)) = field.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
}

/// The body, by its `Content-Length` or in chunks, up to `BODY_LIMIT` (the rest read and dropped, so that
/// the connection stays in step).
fn read_body(reader: &mut impl BufRead, headers: &[(String, String)]) -> io::Result<Vec<u8>> {
    let value = |name: &str| {
        headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    let mut body = Vec::new();
    if value("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // Trailers, up to the empty line.
                let mut trailer = String::new();
                while reader.read_line(&mut trailer)? > 0 && !trailer.trim().is_empty() {
                    trailer.clear();
                }
                return Ok(body);
            }
            keep_up_to_limit(reader, size, &mut body)?;
            let mut end = [0; 2];
            reader.read_exact(&mut end)?;
        }
    }
    let length = value("Content-Length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    keep_up_to_limit(reader, length, &mut body)?;
    Ok(body)
}

/// Reads `count` bytes, keeping them in `body` while it is under the limit.
fn keep_up_to_limit(reader: &mut impl Read, count: usize, body: &mut Vec<u8>) -> io::Result<()> {
    let kept = count.min(BODY_LIMIT.saturating_sub(body.len()));
    let start = body.len();
    body.resize(start + kept, 0);
    reader.read_exact(&mut body[start..])?;
    io::copy(&mut reader.take((count - kept) as u64), &mut io::sink())?;
    Ok(())
}

/// The status line's code and reason phrase, as Go's `http.StatusText` words them.
fn status_line(code: u16) -> String {
    let reason = match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        410 => "Gone",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "",
    };
    format!("{code} {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_read_by_length_or_in_chunks() {
        let headers = vec![("Transfer-Encoding".to_string(), "chunked".to_string())];
        let mut chunked: &[u8] = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET /next";
        assert_eq!(read_body(&mut chunked, &headers).unwrap(), b"hello world");
        assert_eq!(chunked, b"GET /next");
        let headers = vec![("content-length".to_string(), "3".to_string())];
        let mut sized: &[u8] = b"abcdef";
        assert_eq!(read_body(&mut sized, &headers).unwrap(), b"abc");
    }

    #[test]
    fn heads_are_read_after_stray_empty_lines() {
        let mut text: &[u8] =
            b"\r\nGET /api?timeout=32s HTTP/1.1\r\nHost: x\r\nAccept: a, b\r\n\r\n";
        let (method, target, headers) = read_head(&mut text).unwrap().unwrap();
        assert_eq!(
            (method.as_str(), target.as_str()),
            ("GET", "/api?timeout=32s")
        );
        assert_eq!(headers[1], ("Accept".to_string(), "a, b".to_string()));
        let mut nothing: &[u8] = b"";
        assert!(read_head(&mut nothing).unwrap().is_none());
    }
}
