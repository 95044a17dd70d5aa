//! The client's side of a measurement: a stream's time to first token and
//! each chunk's delay from the moment the fake provider sent it, and the
//! resident memory of a server process.

use std::time::{Duration, Instant};

use futures::StreamExt;

use super::upstream::now_nanos;

/// One stream as the client saw it.
pub struct Seen {
    /// From sending the request to the first stamped chunk.
    pub first: Duration,
    /// For every later chunk, from the fake provider sending it to its arrival here.
    pub delays: Vec<Duration>,
    /// From sending the request to the end of the body.
    pub whole: Duration,
    /// The body held `end`: the stream finished as it should.
    pub completed: bool,
}

/// Reads a stream to its end, timing the chunks stamped `@<nanos>;`.
pub async fn stream(request: reqwest::RequestBuilder, end: &str) -> Seen {
    let started = Instant::now();
    let mut body = request.send().await.expect("the server answers").bytes_stream();
    let (mut first, mut delays, mut completed) = (None, Vec::new(), false);
    // Text not yet scanned: a stamp or `end` can be split across reads.
    let mut pending = String::new();
    while let Some(bytes) = body.next().await {
        let arrived = now_nanos();
        let Ok(bytes) = bytes else { break };
        pending.push_str(&String::from_utf8_lossy(&bytes));
        completed |= pending.contains(end);
        let mut rest = pending.as_str();
        while let Some((stamp, after)) = next_stamp(rest) {
            match first {
                None => first = Some(started.elapsed()),
                Some(_) => delays.push(Duration::from_nanos(arrived.saturating_sub(stamp) as u64)),
            }
            rest = after;
        }
        // Keep what may still be cut: an unfinished stamp, or the start of `end`.
        let keep = rest.floor_char_boundary(rest.rfind('@').unwrap_or(rest.len().saturating_sub(end.len())));
        pending = rest[keep..].to_owned();
    }
    Seen { first: first.unwrap_or(started.elapsed()), delays, whole: started.elapsed(), completed }
}

/// The first whole `@<digits>;` in `text`, and the text after it.
fn next_stamp(text: &str) -> Option<(u128, &str)> {
    let mut from = 0;
    while let Some(at) = text[from..].find('@').map(|i| i + from) {
        let digits = text[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        let end = at + 1 + digits;
        if digits > 0 && text[end..].starts_with(';') {
            return Some((text[at + 1..end].parse().ok()?, &text[end + 1..]));
        }
        if end >= text.len() {
            return None;
        }
        from = at + 1;
    }
    None
}

/// The `p`th percentile (0–100) of `values`.
pub fn percentile(values: &[Duration], p: usize) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.get((sorted.len().saturating_sub(1)) * p / 100).copied().unwrap_or_default()
}
