use super::EquationError;
use super::streams;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Number(f64),
    /// `<cell>:<stream>`, as written.
    Stream {
        text: String,
    },
    Op(char),
    Open,
    Close,
}

/// Splits the expression into tokens, skipping whitespace. Errors, with upstream's
/// messages: an unknown stream, a malformed number, a bare name, any other character.
pub(crate) fn tokenize(expression: &str) -> Result<Vec<Token>, EquationError> {
    let chars: Vec<char> = expression.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let digits_end = scan(&chars, i, |c| c.is_ascii_digit());
            let is_ref = chars.get(digits_end) == Some(&':')
                && chars.get(digits_end + 1).is_some_and(|c| c.is_alphabetic());
            if is_ref {
                let name_start = digits_end + 1;
                let end = scan(&chars, name_start, |c| c.is_alphanumeric() || c == '_');
                let name: String = chars[name_start..end].iter().collect();
                if !streams::is_known(&name) {
                    return Err(EquationError(format!("Unknown sensor stream \"{name}\"")));
                }
                tokens.push(Token::Stream {
                    text: chars[i..end].iter().collect(),
                });
                i = end;
            } else {
                let end = scan(&chars, i, |c| c.is_ascii_digit() || c == '.');
                let text: String = chars[i..end].iter().collect();
                // Python's float() takes at most one dot here (the text starts with a digit).
                let value = (text.matches('.').count() <= 1)
                    .then(|| text.parse::<f64>().ok())
                    .flatten()
                    .ok_or_else(|| EquationError(format!("Invalid number \"{text}\"")))?;
                tokens.push(Token::Number(value));
                i = end;
            }
        } else if c.is_alphabetic() {
            return Err(EquationError(
                "Use cell:stream tokens like 1:vwc (not bare names)".into(),
            ));
        } else {
            tokens.push(match c {
                '(' => Token::Open,
                ')' => Token::Close,
                '+' | '-' | '*' | '/' | '^' => Token::Op(c),
                other => return Err(EquationError(format!("Unexpected character \"{other}\""))),
            });
            i += 1;
        }
    }
    Ok(tokens)
}

fn scan(chars: &[char], from: usize, accept: impl Fn(char) -> bool) -> usize {
    chars[from..]
        .iter()
        .position(|&c| !accept(c))
        .map_or(chars.len(), |n| from + n)
}
