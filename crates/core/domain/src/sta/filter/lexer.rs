//! `$filter` text → tokens.

use chrono::DateTime;

use super::{Value, bad};
use crate::DomainError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Open,
    Close,
    Comma,
    /// A literal.
    Literal(Value),
    /// A keyword or a property path.
    Word(String),
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '+' | '-' | '/' | '@' | '$')
}

/// A bare word as a literal when it is one (number, time, `null`, `true`/`false`).
fn literal(word: &str) -> Option<Value> {
    if word == "null" {
        return Some(Value::Null);
    }
    if let Ok(n) = word.parse::<f64>()
        && n.is_finite()
        && word.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Some(Value::Number(n));
    }
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return DateTime::parse_from_rfc3339(word)
            .ok()
            .map(|t| Value::Time(t.naive_utc()));
    }
    None
}

pub(super) fn tokens(text: &str) -> Result<Vec<Token>, DomainError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            ',' => out.push(Token::Comma),
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        // `''` is an escaped quote.
                        Some((_, '\'')) if chars.peek().is_some_and(|(_, c)| *c == '\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some((_, '\'')) => break,
                        Some((_, c)) => s.push(c),
                        None => return Err(bad("$filter: unterminated string".into())),
                    }
                }
                out.push(Token::Literal(Value::Text(s)));
            }
            c if word_char(c) => {
                let mut end = start + c.len_utf8();
                while let Some((i, c)) = chars.peek().copied() {
                    if !word_char(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let word = &text[start..end];
                let looks_literal = word.starts_with(|c: char| c.is_ascii_digit() || c == '-');
                match literal(word) {
                    Some(value) => out.push(Token::Literal(value)),
                    None if looks_literal => {
                        return Err(bad(format!("$filter: '{word}' is not a number or a time")));
                    }
                    None => out.push(Token::Word(word.to_owned())),
                }
            }
            other => return Err(bad(format!("$filter: unexpected '{other}'"))),
        }
    }
    Ok(out)
}
