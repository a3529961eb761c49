//! The WebSocket framing (RFC 6455) an exec or attach stream travels in: the handshake's accept key, frames
//! read from the client (always masked, possibly fragmented) and written to it (never masked). The
//! `v5.channel.k8s.io` protocol inside (a channel byte before each binary message) is serve-api's.

use std::io::{self, Read};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// A WebSocket message, or a control frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    Binary(Vec<u8>),
    Text(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// The closing handshake, with its status code if it has one.
    Close(Option<u16>),
}

/// `1000`: the normal closure a stream that ended is closed with.
pub const NORMAL_CLOSURE: u16 = 1000;

/// The largest message read whole; a client sends stdin in small pieces.
const MESSAGE_LIMIT: u64 = 16 << 20;

/// `Sec-WebSocket-Accept` for the client's `Sec-WebSocket-Key`.
pub fn accept(key: &str) -> String {
    const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    let digest = sha1_smol::Sha1::from(format!("{}{GUID}", key.trim())).digest();
    STANDARD.encode(digest.bytes())
}

/// A frame as the server sends it: final, unmasked.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let (opcode, payload): (u8, Vec<u8>) = match frame {
        Frame::Text(data) => (0x1, data.clone()),
        Frame::Binary(data) => (0x2, data.clone()),
        Frame::Close(code) => (
            0x8,
            code.map(|c| c.to_be_bytes().to_vec()).unwrap_or_default(),
        ),
        Frame::Ping(data) => (0x9, data.clone()),
        Frame::Pong(data) => (0xA, data.clone()),
    };
    let mut out = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= usize::from(u16::MAX) => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(&payload);
    out
}

/// Reads what a client sends: messages, their fragments joined, and the control frames that may come between
/// two fragments.
#[derive(Default)]
pub struct Reader {
    /// A message whose last fragment has not come yet: its opcode and what has come.
    partial: Option<(u8, Vec<u8>)>,
}

impl Reader {
    /// The next message or control frame.
    pub fn read(&mut self, reader: &mut impl Read) -> io::Result<Frame> {
        loop {
            let (fin, opcode, payload) = read_frame(reader)?;
            match opcode {
                0x8 => {
                    let code =
                        (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                    return Ok(Frame::Close(code));
                }
                0x9 => return Ok(Frame::Ping(payload)),
                0xA => return Ok(Frame::Pong(payload)),
                0x0 => match self.partial.as_mut() {
                    Some((_, data)) => data.extend_from_slice(&payload),
                    None => return Err(invalid("a continuation with nothing to continue")),
                },
                0x1 | 0x2 => self.partial = Some((opcode, payload)),
                _ => return Err(invalid("an unknown opcode")),
            }
            if fin {
                if let Some((opcode, data)) = self.partial.take() {
                    return Ok(match opcode {
                        0x1 => Frame::Text(data),
                        _ => Frame::Binary(data),
                    });
                }
            }
        }
    }
}

fn read_frame(reader: &mut impl Read) -> io::Result<(bool, u8, Vec<u8>)> {
    let mut head = [0; 2];
    reader.read_exact(&mut head)?;
    let fin = head[0] & 0x80 != 0;
    let opcode = head[0] & 0x0F;
    let masked = head[1] & 0x80 != 0;
    let length = match head[1] & 0x7F {
        126 => {
            let mut bytes = [0; 2];
            reader.read_exact(&mut bytes)?;
            u64::from(u16::from_be_bytes(bytes))
        }
        127 => {
            let mut bytes = [0; 8];
            reader.read_exact(&mut bytes)?;
            u64::from_be_bytes(bytes)
        }
        n => u64::from(n),
    };
    if length > MESSAGE_LIMIT {
        return Err(invalid("a frame too large"));
    }
    let mut mask = [0; 4];
    if masked {
        reader.read_exact(&mut mask)?;
    }
    let mut payload = vec![0; length as usize];
    reader.read_exact(&mut payload)?;
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte ^= mask[i % 4];
    }
    Ok((fin, opcode, payload))
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("WebSocket: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_is_rfc_6455s() {
        // The example of RFC 6455, section 1.3.
        assert_eq!(
            accept("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    /// A frame as a client sends it: masked.
    fn masked(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [1, 2, 3, 4];
        let mut out = vec![u8::from(fin) << 7 | opcode, 0x80 | payload.len() as u8];
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        out
    }

    #[test]
    fn fragments_join_and_control_frames_come_between() {
        let mut bytes = masked(false, 0x2, &[0, b'l', b's']);
        bytes.extend(masked(true, 0x9, b"hi"));
        bytes.extend(masked(true, 0x0, b"\n"));
        bytes.extend(masked(true, 0x8, &1000u16.to_be_bytes()));
        let (mut frames, mut bytes) = (Reader::default(), bytes.as_slice());
        assert_eq!(
            frames.read(&mut bytes).unwrap(),
            Frame::Ping(b"hi".to_vec())
        );
        assert_eq!(
            frames.read(&mut bytes).unwrap(),
            Frame::Binary(b"\0ls\n".to_vec())
        );
        assert_eq!(frames.read(&mut bytes).unwrap(), Frame::Close(Some(1000)));
    }

    #[test]
    fn long_payloads_carry_their_length_in_two_or_eight_bytes() {
        let long = encode(&Frame::Binary(vec![7; 300]));
        assert_eq!(&long[..4], &[0x82, 126, 1, 44]);
        let huge = encode(&Frame::Binary(vec![7; 70_000]));
        assert_eq!(&huge[..2], &[0x82, 127]);
        assert_eq!(huge.len(), 70_000 + 10);
    }
}
