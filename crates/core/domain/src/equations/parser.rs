//! The grammar, as upstream's:
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := power (('*' | '/') power)*
//! power   := primary ('^' primary)*          (left-associative)
//! primary := number | stream | '(' expr ')' | '-' primary
//! ```
//! It builds a tree only to prove that one exists; the tree is what a future evaluator
//! would walk.

use super::EquationError;
use super::lexer::Token;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Number(f64),
    Stream(String),
    Negate(Box<Expr>),
    Binary(char, Box<Expr>, Box<Expr>),
}

const END: &str = "Unexpected end of expression";
const SYNTAX: &str = "Invalid expression syntax";
const PAREN: &str = "Missing closing parenthesis";

/// Parses the whole token list. Errors: upstream's three syntax messages.
pub(crate) fn parse(tokens: &[Token]) -> Result<Expr, EquationError> {
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser.expr()?;
    if parser.pos != tokens.len() {
        return Err(EquationError(SYNTAX.into()));
    }
    Ok(expr)
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
}

impl Parser<'_> {
    fn peek_op(&self, ops: &[char]) -> Option<char> {
        match self.tokens.get(self.pos) {
            Some(Token::Op(op)) if ops.contains(op) => Some(*op),
            _ => None,
        }
    }

    fn binary(
        &mut self,
        ops: &[char],
        operand: fn(&mut Self) -> Result<Expr, EquationError>,
    ) -> Result<Expr, EquationError> {
        let mut left = operand(self)?;
        while let Some(op) = self.peek_op(ops) {
            self.pos += 1;
            let right = operand(self)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn expr(&mut self) -> Result<Expr, EquationError> {
        self.binary(&['+', '-'], Self::term)
    }

    fn term(&mut self) -> Result<Expr, EquationError> {
        self.binary(&['*', '/'], Self::power)
    }

    fn power(&mut self) -> Result<Expr, EquationError> {
        self.binary(&['^'], Self::primary)
    }

    fn primary(&mut self) -> Result<Expr, EquationError> {
        let token = self
            .tokens
            .get(self.pos)
            .ok_or_else(|| EquationError(END.into()))?;
        self.pos += 1;
        match token {
            Token::Number(n) => Ok(Expr::Number(*n)),
            Token::Stream { text } => Ok(Expr::Stream(text.clone())),
            Token::Op('-') => Ok(Expr::Negate(Box::new(self.primary()?))),
            Token::Open => {
                let inner = self.expr()?;
                match self.tokens.get(self.pos) {
                    Some(Token::Close) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(EquationError(PAREN.into())),
                }
            }
            Token::Op(_) | Token::Close => Err(EquationError(SYNTAX.into())),
        }
    }
}
