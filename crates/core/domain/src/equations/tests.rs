#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::lexer::tokenize;
use super::parser::{Expr, parse};
use super::*;

fn tree(expression: &str) -> Expr {
    parse(&tokenize(expression).unwrap()).unwrap()
}

fn bin(op: char, l: Expr, r: Expr) -> Expr {
    Expr::Binary(op, Box::new(l), Box::new(r))
}

fn n(v: f64) -> Expr {
    Expr::Number(v)
}

fn error(expression: &str) -> String {
    validate(expression, None).unwrap_err().0
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(
        tree("1 + 2 * 3"),
        bin('+', n(1.0), bin('*', n(2.0), n(3.0)))
    );
    assert_eq!(
        tree("(1 + 2) * 3"),
        bin('*', bin('+', n(1.0), n(2.0)), n(3.0))
    );
}

#[test]
fn power_binds_tighter_than_multiplication_and_is_left_associative() {
    assert_eq!(
        tree("2 * 3 ^ 2"),
        bin('*', n(2.0), bin('^', n(3.0), n(2.0)))
    );
    assert_eq!(
        tree("2 ^ 3 ^ 2"),
        bin('^', bin('^', n(2.0), n(3.0)), n(2.0))
    );
}

#[test]
fn subtraction_and_division_are_left_associative() {
    assert_eq!(
        tree("8 - 4 - 2"),
        bin('-', bin('-', n(8.0), n(4.0)), n(2.0))
    );
    assert_eq!(
        tree("8 / 4 / 2"),
        bin('/', bin('/', n(8.0), n(4.0)), n(2.0))
    );
}

#[test]
fn unary_minus_applies_to_a_primary() {
    assert_eq!(
        tree("-1:vwc"),
        Expr::Negate(Box::new(Expr::Stream("1:vwc".into())))
    );
    assert_eq!(
        tree("--2 ^ 2"),
        bin(
            '^',
            Expr::Negate(Box::new(Expr::Negate(Box::new(n(2.0))))),
            n(2.0)
        )
    );
    assert_eq!(
        tree("3 * -2"),
        bin('*', n(3.0), Expr::Negate(Box::new(n(2.0))))
    );
}

#[test]
fn refs_are_distinct_sorted_as_strings_and_keep_their_case() {
    let ok = validate("  10:vwc + 9:vwc + 2:temp + 10:vwc ", None).unwrap();
    assert_eq!(ok.refs, ["10:vwc", "2:temp", "9:vwc"]);
    assert_eq!(ok.expression, "10:vwc + 9:vwc + 2:temp + 10:vwc");
    let ok = validate("1:VWC * 1:vwc", None).unwrap();
    assert_eq!(ok.refs, ["1:VWC", "1:vwc"]);
}

#[test]
fn every_allow_listed_stream_is_accepted_in_any_case() {
    for (name, _) in STREAMS {
        validate(&format!("1:{name}"), None).unwrap();
        validate(&format!("1:{}", name.to_uppercase()), None).unwrap();
    }
}

#[test]
fn upstream_messages_are_exact() {
    let cases = [
        ("", "Expression is required"),
        ("   ", "Expression is required"),
        (
            "1:not_a_stream + 2",
            "Unknown sensor stream \"not_a_stream\"",
        ),
        (
            "vwc / temp",
            "Use cell:stream tokens like 1:vwc (not bare names)",
        ),
        (
            "eval(1)",
            "Use cell:stream tokens like 1:vwc (not bare names)",
        ),
        ("__import__('os')", "Unexpected character \"_\""),
        ("1.2.3", "Invalid number \"1.2.3\""),
        ("1 % 2", "Unexpected character \"%\""),
        ("1:vwc; 2", "Unexpected character \";\""),
        ("(1 + 2", "Missing closing parenthesis"),
        ("1 +", "Unexpected end of expression"),
        ("1 2", "Invalid expression syntax"),
        ("* 2", "Invalid expression syntax"),
        ("()", "Invalid expression syntax"),
        ("1 + 2)", "Invalid expression syntax"),
        ("1:2", "Unexpected character \":\""),
    ];
    for (expression, message) in cases {
        assert_eq!(error(expression), message, "{expression:?}");
    }
}

#[test]
fn length_is_limited_after_trimming() {
    let long = format!(" {} ", "1".repeat(MAX_LENGTH));
    validate(&long, None).unwrap();
    let too_long = "1".repeat(MAX_LENGTH + 1);
    assert_eq!(error(&too_long), "Expression exceeds maximum length (500)");
}

#[test]
fn at_most_ten_distinct_references() {
    let ten: Vec<String> = (1..=10).map(|c| format!("{c}:vwc")).collect();
    validate(&ten.join(" + "), None).unwrap();
    let eleven: Vec<String> = (1..=11).map(|c| format!("{c}:vwc")).collect();
    assert_eq!(
        error(&eleven.join(" + ")),
        "Too many stream references (max 10)"
    );
}

#[test]
fn references_must_use_selected_cells() {
    let e = validate("2:vwc / 2:temp", Some(&[1])).unwrap_err();
    assert_eq!(e.0, "Reference 2:temp uses cell 2 which is not selected");
    validate("1:vwc / 01:temp", Some(&[1])).unwrap();
    // Without a selection any cell goes.
    validate("2:vwc", None).unwrap();
}
