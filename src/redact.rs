//! Keeping secrets (the API key, a proxy's password) out of every string a caller gets:
//! error messages and request ids, whatever a server or proxy echoes into them.
//!
//! A secret is replaced wherever it stands when it is long enough to be unmistakable;
//! a short one only where it stands alone, so that ordinary words containing its letters
//! ("key" with a key of "k") are never rewritten. Pieces of the API key (a server that
//! cut its message, or glued part of the key to other text) are removed too: any run of
//! text whose every [`MIN_PIECE`] characters also stand in the key. Only the key, a
//! random string, gets that rule: a proxy password may be made of ordinary words.

use std::borrow::Cow;

use crate::error::Error;

/// What a secret is replaced with.
pub(crate) const MARK: &str = "<redacted>";
/// A secret this long is replaced wherever it appears, even inside a longer word.
const UNMISTAKABLE: usize = 16;
/// The shortest piece of a secret that is removed on its own.
const MIN_PIECE: usize = 8;

/// The secrets of one client. Holds them, so it has no `Debug`.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// Replaced whole, longest first (so one inside another goes with it).
    whole: Vec<String>,
    /// The key's distinct windows of [`MIN_PIECE`] bytes: text made of them is a piece.
    /// Sorted, as numbers: a lookup is a short binary search, cheap enough to run on every
    /// field of every log event.
    key_windows: Vec<u64>,
}

/// A window of [`MIN_PIECE`] (8) bytes as one number.
fn window_number(window: &[u8]) -> u64 {
    u64::from_le_bytes(window.try_into().expect("windows are MIN_PIECE = 8 bytes"))
}

/// Characters that continue a word: a secret next to one of them is not alone.
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Secrets {
    /// The API key, whose pieces are secret too, and other secrets, secret only whole.
    pub(crate) fn new(key: &str, others: impl IntoIterator<Item = String>) -> Secrets {
        let mut whole = vec![key.to_owned()];
        whole.extend(others);
        whole.retain(|secret| !secret.is_empty());
        whole.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        whole.dedup();
        let mut key_windows: Vec<u64> = key.as_bytes().windows(MIN_PIECE).map(window_number).collect();
        key_windows.sort_unstable();
        key_windows.dedup();
        Secrets { whole, key_windows }
    }

    /// `text` without any secret or piece of the key.
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.whole {
            if let Some(replaced) = replace_whole(&text, secret) {
                text = Cow::Owned(replaced);
            }
        }
        if let Some(replaced) = self.replace_pieces(&text) {
            text = Cow::Owned(replaced);
        }
        text
    }

    /// Replaces each run of text covered by windows of the key. `None` when there is none.
    fn replace_pieces(&self, text: &str) -> Option<String> {
        if self.key_windows.is_empty() || text.len() < MIN_PIECE {
            return None;
        }
        // Which bytes some window of the key covers.
        let bytes = text.as_bytes();
        let mut covered = vec![false; bytes.len()];
        for (start, window) in bytes.windows(MIN_PIECE).enumerate() {
            if self.key_windows.binary_search(&window_number(window)).is_ok() {
                covered[start..start + MIN_PIECE].iter_mut().for_each(|byte| *byte = true);
            }
        }
        let mut out = String::new();
        let mut copied = 0;
        let mut index = 0;
        while index < bytes.len() {
            if !covered[index] {
                index += 1;
                continue;
            }
            let mut end = index;
            while end < bytes.len() && covered[end] {
                end += 1;
            }
            // Widen to whole characters (a key of ASCII matches ASCII; a password might not).
            let start = (0..=index).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0);
            let end = (end..=bytes.len()).find(|&at| text.is_char_boundary(at)).unwrap_or(bytes.len());
            if start >= copied {
                out.push_str(&text[copied..start]);
                out.push_str(MARK);
                copied = end;
            }
            index = end;
        }
        (copied > 0).then(|| out + &text[copied..])
    }

    /// The error with its message and request id redacted.
    pub(crate) fn error(&self, error: Error) -> Error {
        let message = self.redact(error.message());
        let request_id = error.request_id().map(|id| self.redact(id));
        let changed = matches!(message, Cow::Owned(_)) || matches!(request_id, Some(Cow::Owned(_)));
        if !changed {
            return error;
        }
        let redacted = Error::new(error.kind(), message.into_owned());
        match error.http_status() {
            Some(status) => redacted.with_response(status, request_id.map(Cow::into_owned)),
            None => redacted,
        }
    }
}

/// Replaces each occurrence of `secret`: anywhere when it is unmistakable, else only
/// where no word character touches it. `None` when nothing was replaced.
fn replace_whole(text: &str, secret: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(secret) {
        let (start, end) = (from + found, from + found + secret.len());
        let alone = !text[..start].chars().next_back().is_some_and(word_char)
            && !text[end..].chars().next().is_some_and(word_char);
        if secret.len() >= UNMISTAKABLE || alone {
            out.push_str(&text[copied..start]);
            out.push_str(MARK);
            copied = end;
            from = end;
        } else {
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    (copied > 0).then(|| out + &text[copied..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(key: &str, text: &str) -> String {
        Secrets::new(key, []).redact(text).into_owned()
    }

    #[test]
    fn a_long_secret_goes_wherever_it_stands() {
        let key = "tgp_v1_0123456789abcdefXYZ";
        assert_eq!(redact(key, &format!("bad key {key}.")), "bad key <redacted>.");
        assert_eq!(redact(key, &format!("x{key}y and {key}")), "x<redacted>y and <redacted>");
    }

    #[test]
    fn a_short_secret_goes_only_where_it_stands_alone() {
        assert_eq!(redact("k", "Invalid API key: k"), "Invalid API key: <redacted>");
        assert_eq!(redact("key", "Invalid API key"), "Invalid API <redacted>");
        assert_eq!(
            redact("test-key", "Incorrect API key provided: test-key"),
            "Incorrect API key provided: <redacted>"
        );
        assert_eq!(redact("e", "Invalid API key"), "Invalid API key", "letters of words are not the secret");
        assert_eq!(redact("a.b.c", "key a.b.c!"), "key <redacted>!", "a secret with separators still goes");
    }

    #[test]
    fn pieces_of_a_secret_go_too() {
        let key = "tgp_v1_0123456789abcdefXYZ";
        let cut = &key[..12];
        assert_eq!(
            redact(key, &format!("Incorrect API key provided: {cut}")),
            "Incorrect API key provided: <redacted>"
        );
        assert_eq!(redact(key, "key ends in ...89abcdefXYZ"), "key ends in ...<redacted>");
        assert_eq!(redact(key, "key ends in ...XYZ"), "key ends in ...XYZ", "three letters say nothing");
        assert_eq!(redact(key, "Invalid authentication credentials"), "Invalid authentication credentials");
        assert_eq!(redact(key, &format!("req-{}", &key[..20])), "req-<redacted>", "glued to other letters");
        assert_eq!(redact(key, &format!("x{}y", &key[5..])), "x<redacted>y", "a tail glued to letters");
        assert_eq!(redact(key, &format!("é{}é", &key[..9])), "é<redacted>é", "next to multi-byte text");
    }

    #[test]
    fn a_password_goes_only_whole() {
        let secrets = Secrets::new("tgp_v1_0123456789abcdefXYZ", ["credentials-2024".to_owned()]);
        assert_eq!(secrets.redact("Invalid authentication credentials"), "Invalid authentication credentials");
        assert_eq!(secrets.redact("proxy said credentials-2024"), "proxy said <redacted>");
    }

    #[test]
    fn errors_lose_the_secret_from_message_and_request_id() {
        let secrets = Secrets::new("sekrit-0123456789-key", [String::new()]);
        let error = Error::http(
            crate::ErrorKind::Authentication,
            401,
            "no: sekrit-0123456789-key",
            Some("req-sekrit-0123456789-key".into()),
        );
        let error = secrets.error(error);
        assert_eq!((error.message(), error.request_id()), ("no: <redacted>", Some("req-<redacted>")));
        assert_eq!(error.http_status(), Some(401));
    }
}
