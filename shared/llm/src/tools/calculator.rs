//! `calculator`: exact arithmetic on big rationals, so `0.1 + 0.2` is `0.3` and `1/3` stays
//! `1/3`. A small recursive-descent parser reads the expression; nothing is evaluated as code.
//! Length, nesting and number size are bounded so no expression can exhaust the stack or the CPU.

use async_trait::async_trait;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde_json::{Value, json};

use super::args::required_str;
use super::{Tool, ToolContext, ToolError};
use crate::ToolSpec;

pub(super) const NAME: &str = "calculator";

const MAX_CHARS: usize = 1000;
/// Each nesting level (a parenthesis, a sign, an exponent) is a few stack frames.
const MAX_DEPTH: usize = 100;
const MAX_EXPONENT: u32 = 1000;
/// Bits of a numerator or denominator: about 3000 decimal digits, still quick to compute and print.
const MAX_BITS: u64 = 10_000;
/// Significant digits of the decimal shown beside a fraction.
const APPROXIMATION_DIGITS: u32 = 20;

pub(super) struct Calculator;

/// What the model is shown, without the tool: the catalog lists it.
pub(super) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME.into(),
        description: "Evaluates an arithmetic expression exactly: + - * / ^ (integer powers), parentheses, \
                      decimals. Answers a decimal, or a fraction with a 20-digit approximation."
            .into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "expression": {"type": "string", "description": "e.g. (1.5 + 2) * 3^2 / 7"}
            },
            "required": ["expression"]
        }),
    }
}

#[async_trait]
impl Tool for Calculator {
    fn spec(&self) -> ToolSpec {
        spec()
    }

    async fn call(&self, arguments: &Value, _ctx: &ToolContext) -> Result<String, ToolError> {
        let expression = required_str(arguments, "expression")?;
        let value = evaluate(expression).map_err(|error| ToolError::InvalidArguments(error.to_string()))?;
        Ok(describe(&value))
    }
}

/// Why an expression has no value. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum CalcError {
    #[error("the expression is longer than {MAX_CHARS} characters")]
    TooLong,
    #[error("the expression nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("unexpected `{0}` at character {1}")]
    Unexpected(char, usize),
    #[error("the expression ends too early")]
    UnexpectedEnd,
    #[error("unclosed parenthesis at character {0}")]
    Unclosed(usize),
    #[error("division by zero")]
    DivisionByZero,
    #[error("exponents must be whole numbers between -{MAX_EXPONENT} and {MAX_EXPONENT}")]
    BadExponent,
    #[error("the result is too large (numbers are limited to {MAX_BITS} bits)")]
    TooLarge,
}

fn evaluate(expression: &str) -> Result<BigRational, CalcError> {
    if expression.chars().count() > MAX_CHARS {
        return Err(CalcError::TooLong);
    }
    let mut parser = Parser { chars: expression.chars().collect(), pos: 0, depth: 0 };
    let value = parser.expression()?;
    match parser.peek() {
        None => Ok(value),
        Some(found) => Err(CalcError::Unexpected(found, parser.pos + 1)),
    }
}

/// expression = term (("+" | "-") term)*
/// term       = unary (("*" | "/") unary)*
/// unary      = ("-" | "+") unary | power
/// power      = primary (("^" | "**") unary)?     (so -2^2 is -4, 2^-1 is 1/2, 2^3^2 is 2^9)
/// primary    = number | "(" expression ")"
struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    /// The next character that is not whitespace, left unconsumed.
    fn peek(&mut self) -> Option<char> {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
        self.chars.get(self.pos).copied()
    }

    fn expression(&mut self) -> Result<BigRational, CalcError> {
        let mut value = self.term()?;
        loop {
            value = match self.peek() {
                Some('+') => {
                    self.pos += 1;
                    bounded(value + self.term()?)?
                }
                Some('-') => {
                    self.pos += 1;
                    bounded(value - self.term()?)?
                }
                _ => return Ok(value),
            };
        }
    }

    fn term(&mut self) -> Result<BigRational, CalcError> {
        let mut value = self.unary()?;
        loop {
            value = match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    bounded(value * self.unary()?)?
                }
                Some('/') => {
                    self.pos += 1;
                    let divisor = self.unary()?;
                    if divisor.is_zero() {
                        return Err(CalcError::DivisionByZero);
                    }
                    bounded(value / divisor)?
                }
                _ => return Ok(value),
            };
        }
    }

    /// Every nesting passes through here, so this is where depth is bounded.
    fn unary(&mut self) -> Result<BigRational, CalcError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CalcError::TooDeep);
        }
        let value = match self.peek() {
            Some('-') => {
                self.pos += 1;
                self.unary().map(|value| -value)
            }
            Some('+') => {
                self.pos += 1;
                self.unary()
            }
            _ => self.power(),
        };
        self.depth -= 1;
        value
    }

    fn power(&mut self) -> Result<BigRational, CalcError> {
        let base = self.primary()?;
        match self.peek() {
            Some('^') => self.pos += 1,
            Some('*') if self.chars.get(self.pos + 1) == Some(&'*') => self.pos += 2,
            _ => return Ok(base),
        }
        let exponent = self.unary()?;
        power(&base, &exponent)
    }

    fn primary(&mut self) -> Result<BigRational, CalcError> {
        match self.peek() {
            Some('(') => {
                let open = self.pos + 1;
                self.pos += 1;
                let value = self.expression()?;
                match self.peek() {
                    Some(')') => {
                        self.pos += 1;
                        Ok(value)
                    }
                    Some(found) => Err(CalcError::Unexpected(found, self.pos + 1)),
                    None => Err(CalcError::Unclosed(open)),
                }
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some(found) => Err(CalcError::Unexpected(found, self.pos + 1)),
            None => Err(CalcError::UnexpectedEnd),
        }
    }

    /// A decimal literal (`12`, `0.5`, `.5`, `5.`), exactly.
    fn number(&mut self) -> Result<BigRational, CalcError> {
        let start = self.pos;
        let mut digits = String::new();
        let mut decimals = None;
        while let Some(&c) = self.chars.get(self.pos) {
            match c {
                '0'..='9' => {
                    digits.push(c);
                    decimals = decimals.map(|places: usize| places + 1);
                }
                '.' if decimals.is_none() => decimals = Some(0),
                _ => break,
            }
            self.pos += 1;
        }
        let mantissa: BigInt = digits.parse().map_err(|_| CalcError::Unexpected('.', start + 1))?;
        Ok(BigRational::new(mantissa, ten_to(decimals.unwrap_or(0))))
    }
}

fn power(base: &BigRational, exponent: &BigRational) -> Result<BigRational, CalcError> {
    let exponent = Some(exponent)
        .filter(|exponent| exponent.is_integer())
        .and_then(|exponent| exponent.to_integer().to_i32())
        .filter(|exponent| exponent.unsigned_abs() <= MAX_EXPONENT)
        .ok_or(CalcError::BadExponent)?;
    if base.is_zero() && exponent < 0 {
        return Err(CalcError::DivisionByZero);
    }
    // The result has at most this many bits: refuse before computing it.
    let bits = base.numer().bits().max(base.denom().bits());
    if bits.saturating_mul(u64::from(exponent.unsigned_abs())) > MAX_BITS {
        return Err(CalcError::TooLarge);
    }
    Ok(base.pow(exponent))
}

fn bounded(value: BigRational) -> Result<BigRational, CalcError> {
    if value.numer().bits() > MAX_BITS || value.denom().bits() > MAX_BITS {
        return Err(CalcError::TooLarge);
    }
    Ok(value)
}

fn ten_to(exponent: usize) -> BigInt {
    num_traits::pow(BigInt::from(10), exponent)
}

/// A terminating decimal exactly (`0.3`), else the fraction and a 20-significant-digit decimal
/// (`1/3 ≈ 0.33333333333333333333`).
fn describe(value: &BigRational) -> String {
    match exact_decimal(value) {
        Some(decimal) => decimal,
        None => format!("{value} ≈ {}", approximate(value)),
    }
}

/// The decimal expansion if it terminates: the reduced denominator has no prime factors but 2 and 5.
fn exact_decimal(value: &BigRational) -> Option<String> {
    let denom = value.denom();
    let twos = denom.trailing_zeros().unwrap_or(0);
    let mut rest = denom >> twos;
    let five = BigInt::from(5);
    let mut fives = 0;
    while (&rest % &five).is_zero() {
        rest /= &five;
        fives += 1;
    }
    if !rest.is_one() {
        return None;
    }
    let places = usize::try_from(twos.max(fives)).ok()?;
    let scaled = (value * BigRational::from_integer(ten_to(places))).to_integer();
    let digits = format!("{:0>width$}", scaled.abs(), width = places + 1);
    let (whole, fraction) = digits.split_at(digits.len() - places);
    let sign = if scaled.is_negative() { "-" } else { "" };
    Some(if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") })
}

/// `value` rounded to [`APPROXIMATION_DIGITS`] significant digits, in scientific notation when
/// very large or small. `value` is not zero (zero is a terminating decimal).
fn approximate(value: &BigRational) -> String {
    let magnitude = value.abs();
    let ten_power = |exponent: i64| {
        let power = BigRational::from_integer(ten_to(exponent.unsigned_abs() as usize));
        if exponent < 0 { power.recip() } else { power }
    };
    // The digit counts put the decimal exponent within one of the truth.
    let digit_count = |number: &BigInt| number.to_string().len() as i64;
    let mut exponent = digit_count(magnitude.numer()) - digit_count(magnitude.denom());
    if magnitude < ten_power(exponent) {
        exponent -= 1;
    }
    // Now 10^exponent <= magnitude < 10^(exponent + 1).
    let scaled = magnitude * ten_power(i64::from(APPROXIMATION_DIGITS) - 1 - exponent);
    let two = BigInt::from(2);
    let mut rounded = (scaled.numer() * &two + scaled.denom()) / (scaled.denom() * &two);
    if rounded == ten_to(APPROXIMATION_DIGITS as usize) {
        rounded /= 10;
        exponent += 1;
    }
    let digits = rounded.to_string();
    let sign = if value.is_negative() { "-" } else { "" };
    let body = match exponent {
        0..=20 => {
            let whole_len = exponent as usize + 1;
            let (whole, fraction) = digits.split_at(whole_len.min(digits.len()));
            let zeros = "0".repeat(whole_len.saturating_sub(digits.len()));
            with_fraction(&format!("{whole}{zeros}"), fraction)
        }
        -6..=-1 => with_fraction("0", &format!("{}{digits}", "0".repeat((-exponent - 1) as usize))),
        _ => {
            let (first, rest) = digits.split_at(1);
            format!("{}e{exponent}", with_fraction(first, rest))
        }
    };
    format!("{sign}{body}")
}

/// `whole.fraction` without trailing zeros in the fraction.
fn with_fraction(whole: &str, fraction: &str) -> String {
    match fraction.trim_end_matches('0') {
        "" => whole.to_owned(),
        fraction => format!("{whole}.{fraction}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calc(expression: &str) -> Result<String, CalcError> {
        evaluate(expression).map(|value| describe(&value))
    }

    fn ok(expression: &str) -> String {
        calc(expression).unwrap_or_else(|error| panic!("{expression}: {error}"))
    }

    #[test]
    fn respects_precedence_and_parentheses() {
        assert_eq!(ok("1 + 2 * 3"), "7");
        assert_eq!(ok("(1 + 2) * 3"), "9");
        assert_eq!(ok("10 - 4 - 3"), "3");
        assert_eq!(ok("24 / 4 / 2"), "3");
        assert_eq!(ok("2 * (3 + (4 - 1)) / 4"), "3");
        assert_eq!(ok("  7  "), "7");
    }

    #[test]
    fn handles_unary_signs() {
        assert_eq!(ok("-3 + 5"), "2");
        assert_eq!(ok("--3"), "3");
        assert_eq!(ok("+3 * -2"), "-6");
        assert_eq!(ok("-(2 + 3)"), "-5");
        assert_eq!(ok("10 - 20"), "-10");
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(ok("0.1 + 0.2"), "0.3");
        assert_eq!(ok("1.50 * 2"), "3");
        assert_eq!(ok(".5 + 5."), "5.5");
        assert_eq!(ok("1/8"), "0.125");
        assert_eq!(ok("-7/2"), "-3.5");
        assert_eq!(ok("1 / 1024"), "0.0009765625");
        assert_eq!(ok("0.000"), "0");
    }

    #[test]
    fn fractions_come_with_an_approximation() {
        assert_eq!(ok("1/3"), "1/3 ≈ 0.33333333333333333333");
        assert_eq!(ok("2/3"), "2/3 ≈ 0.66666666666666666667");
        assert_eq!(ok("-1/3"), "-1/3 ≈ -0.33333333333333333333");
        assert_eq!(ok("100/3"), "100/3 ≈ 33.333333333333333333");
        assert_eq!(ok("1/7000000000"), "1/7000000000 ≈ 1.4285714285714285714e-10");
        assert_eq!(ok("10^30/3"), "1000000000000000000000000000000/3 ≈ 3.3333333333333333333e29");
        assert_eq!(ok("10^19/3"), "10000000000000000000/3 ≈ 3333333333333333333.3");
        assert!(ok("1 + 1/3^50").ends_with(" ≈ 1"));
        // Rounding up to the next power of ten.
        assert!(ok("1 - 1/(3 * 10^25)").ends_with(" ≈ 1"));
        assert!(ok("10^21 - 1/3").ends_with(" ≈ 1e21"));
    }

    #[test]
    fn computes_integer_powers() {
        assert_eq!(ok("2^10"), "1024");
        assert_eq!(ok("2 ** 10"), "1024");
        assert_eq!(ok("2^-2"), "0.25");
        assert_eq!(ok("-2^2"), "-4");
        assert_eq!(ok("(-2)^3"), "-8");
        assert_eq!(ok("2^3^2"), "512");
        assert_eq!(ok("(1/3)^2"), "1/9 ≈ 0.11111111111111111111");
        assert_eq!(ok("0^0"), "1");
        assert_eq!(ok("1000^1000").len(), 3001);
    }

    #[test]
    fn refuses_bad_and_huge_powers() {
        assert_eq!(calc("2^0.5"), Err(CalcError::BadExponent));
        assert_eq!(calc("2^1001"), Err(CalcError::BadExponent));
        assert_eq!(calc("2^-1001"), Err(CalcError::BadExponent));
        assert_eq!(calc("99999^1000"), Err(CalcError::TooLarge));
        assert_eq!(calc("(2^1000)^10"), Err(CalcError::TooLarge));
        assert_eq!(calc("9^9^9"), Err(CalcError::BadExponent));
        assert_eq!(
            calc("2^1000 * 2^1000 * 2^1000 * 2^1000 * 2^1000 * 2^1000 * 2^1000 * 2^1000 * 2^1000 * 2^1000"),
            Err(CalcError::TooLarge)
        );
    }

    #[test]
    fn refuses_division_by_zero() {
        assert_eq!(calc("1/0"), Err(CalcError::DivisionByZero));
        assert_eq!(calc("1/(2 - 2)"), Err(CalcError::DivisionByZero));
        assert_eq!(calc("0^-1"), Err(CalcError::DivisionByZero));
    }

    #[test]
    fn refuses_garbage() {
        for (expression, expected) in [
            ("", CalcError::UnexpectedEnd),
            ("1 +", CalcError::UnexpectedEnd),
            ("abc", CalcError::Unexpected('a', 1)),
            ("import os", CalcError::Unexpected('i', 1)),
            ("2 * * 3", CalcError::Unexpected('*', 5)),
            ("1 2", CalcError::Unexpected('2', 3)),
            ("1)", CalcError::Unexpected(')', 2)),
            ("(1", CalcError::Unclosed(1)),
            ("(1 2)", CalcError::Unexpected('2', 4)),
            ("1..2", CalcError::Unexpected('.', 3)),
            (".", CalcError::Unexpected('.', 1)),
            ("1e3", CalcError::Unexpected('e', 2)),
        ] {
            assert_eq!(calc(expression), Err(expected), "{expression}");
        }
    }

    #[test]
    fn refuses_long_and_deep_expressions() {
        assert_eq!(calc(&"1+".repeat(600)), Err(CalcError::TooLong));
        assert_eq!(ok(&"1+".repeat(499).chars().chain(['1']).collect::<String>()), "500");
        let deep = format!("{}1{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(calc(&deep), Err(CalcError::TooDeep));
        assert_eq!(calc(&format!("{}1", "-".repeat(500))), Err(CalcError::TooDeep));
        assert_eq!(ok(&format!("{}1{}", "(".repeat(90), ")".repeat(90))), "1");
    }

    #[tokio::test]
    async fn errors_become_invalid_arguments() {
        let ctx = ToolContext::new(crate::net_guard::NetPolicy::cloud(), Vec::new());
        let answer = Calculator.call(&json!({"expression": "1/0"}), &ctx).await;
        assert_eq!(answer, Err(ToolError::InvalidArguments("division by zero".into())));
        let answer = Calculator.call(&json!({"expression": "0.1 + 0.2"}), &ctx).await;
        assert_eq!(answer, Ok("0.3".into()));
    }
}
