//! Keeping secrets (the API key, a proxy's password) out of every string a caller gets:
//! error messages and request ids, whatever a server or proxy echoes into them.
//!
//! A secret is replaced wherever it stands when it is long enough to be unmistakable;
//! a short one only where it stands alone, so that ordinary words containing its letters
//! ("key" with a key of "k") are never rewritten. A piece of a secret (a server that cut
//! its message, or a body cut at a read limit) is removed too when it is a whole word
//! of at least [`MIN_PIECE`] characters.

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
    secrets: Vec<String>,
}

/// Characters that continue a word: a secret next to one of them is not alone.
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Secrets {
    pub(crate) fn new(secrets: impl IntoIterator<Item = String>) -> Secrets {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|secret| !secret.is_empty()).collect();
        // Longest first, so a secret inside another is not replaced before it.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Secrets { secrets }
    }

    /// `text` without any secret or piece of one.
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            if let Some(replaced) = replace_whole(&text, secret) {
                text = Cow::Owned(replaced);
            }
            if let Some(replaced) = replace_pieces(&text, secret) {
                text = Cow::Owned(replaced);
            }
        }
        text
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

/// Replaces each whole word of at least [`MIN_PIECE`] characters that is part of
/// `secret`. `None` when nothing was replaced.
fn replace_pieces(text: &str, secret: &str) -> Option<String> {
    if secret.len() < MIN_PIECE {
        return None;
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        let word = rest.find(|c: char| !word_char(c)).unwrap_or(rest.len());
        if word == 0 {
            index += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        if word >= MIN_PIECE && secret.contains(&rest[..word]) {
            out.push_str(&text[copied..index]);
            out.push_str(MARK);
            copied = index + word;
        }
        index += word;
    }
    (copied > 0).then(|| out + &text[copied..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(secret: &str, text: &str) -> String {
        Secrets::new([secret.to_owned()]).redact(text).into_owned()
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
    }

    #[test]
    fn errors_lose_the_secret_from_message_and_request_id() {
        let secrets = Secrets::new(["sekrit-0123456789-key".to_owned(), String::new()]);
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
