//! `resource.Quantity` amounts: `1Gi`, `500Mi`, `2`, `100m`, `1.5G`, `1e3`.

/// The amount in base units, rounded up (as `Quantity.Value()` does). `None` if it does not parse.
pub fn parse_quantity(text: &str) -> Option<u128> {
    parse_milli(text).map(|milli| milli.div_ceil(1000))
}

/// The amount in thousandths of the base unit (`Quantity.MilliValue()`), e.g. CPU `100m` is 100.
pub fn parse_milli(text: &str) -> Option<u128> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "." {
        return None;
    }
    let (whole, fraction) = number
        .trim_start_matches('+')
        .split_once('.')
        .unwrap_or((number.trim_start_matches('+'), ""));
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    // Up to nine fractional digits (nano) are meaningful.
    let digits = &fraction[..fraction.len().min(9)];
    let fraction_nanos: u128 = if digits.is_empty() {
        0
    } else {
        digits.parse::<u128>().ok()? * 10u128.pow(9 - digits.len() as u32)
    };
    let nanos = whole
        .checked_mul(1_000_000_000)?
        .checked_add(fraction_nanos)?;
    let (multiplier, divisor): (u128, u128) = match suffix {
        "" => (1, 1),
        "m" => (1, 1000),
        "k" => (1000, 1),
        "M" => (1000u128.pow(2), 1),
        "G" => (1000u128.pow(3), 1),
        "T" => (1000u128.pow(4), 1),
        "P" => (1000u128.pow(5), 1),
        "E" => (1000u128.pow(6), 1),
        "Ki" => (1 << 10, 1),
        "Mi" => (1 << 20, 1),
        "Gi" => (1 << 30, 1),
        "Ti" => (1 << 40, 1),
        "Pi" => (1 << 50, 1),
        "Ei" => (1 << 60, 1),
        exponent if exponent.starts_with(['e', 'E']) => {
            let power: u32 = exponent[1..].parse().ok()?;
            (10u128.checked_pow(power)?, 1)
        }
        _ => return None,
    };
    // nanos * multiplier / divisor is the amount in nano units; a thousandth is 1e6 nanos.
    nanos
        .checked_mul(multiplier)?
        .div_ceil(divisor)
        .checked_add(999_999)
        .map(|n| n / 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_decimal_suffixes() {
        assert_eq!(parse_quantity("1Gi"), Some(1 << 30));
        assert_eq!(parse_quantity("500Mi"), Some(500 << 20));
        assert_eq!(parse_quantity("2G"), Some(2_000_000_000));
        assert_eq!(parse_quantity("1.5Ki"), Some(1536));
        assert_eq!(parse_quantity("1e3"), Some(1000));
        assert_eq!(parse_quantity("10"), Some(10));
        assert_eq!(parse_quantity("1x"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn milli_values() {
        assert_eq!(parse_milli("100m"), Some(100));
        assert_eq!(parse_milli("2"), Some(2000));
        assert_eq!(parse_milli("0.5"), Some(500));
        // Rounded up, like Quantity.Value().
        assert_eq!(parse_quantity("1500m"), Some(2));
    }
}
