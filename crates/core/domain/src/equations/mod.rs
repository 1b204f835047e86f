//! `POST /api/equations/validate` (docs/compatibility.md#reading-data): checks a dashboard equation
//! such as `1:vwc / 1:temp` without evaluating it. A real tokenizer and recursive-descent parser:
//! nothing is ever evaluated, so `eval(1)` and friends are just syntax errors.
//!
//! The checks run in upstream's order and fail with upstream's exact messages (the
//! dashboard shows them): blank, length, tokens (unknown stream, bad number, bare name,
//! stray character), grammar, number of references, selected cells.

mod lexer;
mod parser;
mod streams;

#[cfg(test)]
mod tests;

pub use streams::STREAMS;

/// Longest expression accepted, in characters, after trimming.
pub const MAX_LENGTH: usize = 500;
/// Most distinct stream references in one expression.
pub const MAX_REFS: usize = 10;

/// A valid expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEquation {
    /// The trimmed expression.
    pub expression: String,
    /// Distinct references as written (`1:vwc`), sorted as strings.
    pub refs: Vec<String>,
}

/// Why an expression is refused; `Display` is the message clients show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EquationError(pub String);

/// Validates `expression`; with `selected_cells`, every reference must use one of them.
pub fn validate(
    expression: &str,
    selected_cells: Option<&[i64]>,
) -> Result<ValidEquation, EquationError> {
    let expression = expression.trim();
    if expression.is_empty() {
        return Err(EquationError("Expression is required".into()));
    }
    if expression.chars().count() > MAX_LENGTH {
        return Err(EquationError(format!(
            "Expression exceeds maximum length ({MAX_LENGTH})"
        )));
    }
    let tokens = lexer::tokenize(expression)?;
    parser::parse(&tokens)?;

    let mut refs: Vec<String> = tokens
        .iter()
        .filter_map(|t| match t {
            lexer::Token::Stream { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    refs.sort();
    refs.dedup();
    if refs.len() > MAX_REFS {
        return Err(EquationError(format!(
            "Too many stream references (max {MAX_REFS})"
        )));
    }
    if let Some(cells) = selected_cells {
        for reference in &refs {
            let digits = reference.split(':').next().unwrap_or_default();
            let cell = digits.trim_start_matches('0');
            let cell = if cell.is_empty() { "0" } else { cell };
            let selected = cell.parse::<i64>().is_ok_and(|n| cells.contains(&n));
            if !selected {
                return Err(EquationError(format!(
                    "Reference {reference} uses cell {cell} which is not selected"
                )));
            }
        }
    }
    Ok(ValidEquation {
        expression: expression.to_owned(),
        refs,
    })
}
