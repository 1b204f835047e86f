//! Tokens → [`Filter`]: `or` binds loosest, then `and`, then `not`, then a comparison.

use super::lexer::Token;
use super::{CmpOp, Filter, Value, bad};
use crate::DomainError;

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
}

/// Deepest nesting accepted (a bound on the recursion an input can cause).
const MAX_DEPTH: usize = 32;

pub(super) fn parse(tokens: &[Token]) -> Result<Filter, DomainError> {
    let mut p = Parser { tokens, at: 0 };
    let filter = p.or(0)?;
    match p.peek() {
        None => Ok(filter),
        Some(t) => Err(bad(format!("$filter: unexpected {}", describe(t)))),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Open => "'('".into(),
        Token::Close => "')'".into(),
        Token::Comma => "','".into(),
        Token::Literal(v) => format!("literal {v:?}"),
        Token::Word(w) => format!("'{w}'"),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.at);
        self.at += 1;
        t
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self, depth: usize) -> Result<Filter, DomainError> {
        if depth > MAX_DEPTH {
            return Err(bad("$filter: nested too deeply".into()));
        }
        let mut left = self.and(depth)?;
        while self.keyword("or") {
            left = Filter::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Filter, DomainError> {
        let mut left = self.not(depth)?;
        while self.keyword("and") {
            left = Filter::And(Box::new(left), Box::new(self.not(depth)?));
        }
        Ok(left)
    }

    fn not(&mut self, depth: usize) -> Result<Filter, DomainError> {
        if self.keyword("not") {
            if depth > MAX_DEPTH {
                return Err(bad("$filter: nested too deeply".into()));
            }
            return Ok(Filter::Not(Box::new(self.not(depth + 1)?)));
        }
        if matches!(self.peek(), Some(Token::Open)) {
            self.at += 1;
            let inner = self.or(depth + 1)?;
            return match self.next() {
                Some(Token::Close) => Ok(inner),
                _ => Err(bad("$filter: missing ')'".into())),
            };
        }
        self.comparison()
    }

    /// An operand: a property path or a literal.
    fn operand(&mut self) -> Result<Operand, DomainError> {
        let operand = match self.next() {
            Some(Token::Literal(v)) => Operand::Literal(v.clone()),
            Some(Token::Word(w)) => {
                let w = w.clone();
                if matches!(self.peek(), Some(Token::Open)) {
                    return Err(bad(format!("$filter: the function '{w}' is not supported")));
                }
                match w.as_str() {
                    "true" | "false" => {
                        return Err(bad("$filter: booleans are not supported".into()));
                    }
                    "@iot.id" => Operand::Property("id".into()),
                    _ => Operand::Property(w),
                }
            }
            Some(t) => return Err(bad(format!("$filter: unexpected {}", describe(t)))),
            None => return Err(bad("$filter: incomplete expression".into())),
        };
        Ok(operand)
    }

    fn comparison(&mut self) -> Result<Filter, DomainError> {
        let left = self.operand()?;
        let op = match self.next() {
            Some(Token::Word(w)) => match CmpOp::from_word(w) {
                Some(op) => op,
                None => {
                    return Err(bad(format!(
                        "$filter: the operator '{w}' is not supported (eq ne gt ge lt le and or not)"
                    )));
                }
            },
            _ => return Err(bad("$filter: expected a comparison operator".into())),
        };
        let right = self.operand()?;
        match (left, right) {
            (Operand::Property(property), Operand::Literal(value)) => Ok(Filter::Compare {
                property,
                op,
                value,
            }),
            (Operand::Literal(value), Operand::Property(property)) => Ok(Filter::Compare {
                property,
                op: op.flipped(),
                value,
            }),
            _ => Err(bad(
                "$filter: a comparison needs one property and one literal".into(),
            )),
        }
    }
}

enum Operand {
    Property(String),
    Literal(Value),
}
