//! Amounts in words ("сумма прописью") for invoices, in Russian and English.
//!
//! Both functions take an amount in kopecks and spell out the roubles, keeping the kopecks as
//! two digits, the way Russian accounting documents do: `12345` becomes
//! "Сто двадцать три рубля 45 копеек" / "One hundred twenty-three roubles 45 kopecks".

/// Grammatical gender of the counted noun, which decides "один"/"одна" and "два"/"две".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gender {
    Masculine,
    Feminine,
}

/// Which of the three Russian plural forms a number takes: 1 рубль, 2 рубля, 5 рублей.
fn plural_ru(n: u64, forms: [&str; 3]) -> &str {
    let last_two = n % 100;
    let last = n % 10;
    if (11..=14).contains(&last_two) {
        forms[2]
    } else if last == 1 {
        forms[0]
    } else if (2..=4).contains(&last) {
        forms[1]
    } else {
        forms[2]
    }
}

/// Spells out 1..=999 in Russian, pushing the words onto `out`. Zero pushes nothing.
fn triple_ru(n: u64, gender: Gender, out: &mut Vec<&'static str>) {
    const HUNDREDS: [&str; 10] =
        ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"];
    const TENS: [&str; 10] =
        ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"];
    const TEENS: [&str; 10] = [
        "десять",
        "одиннадцать",
        "двенадцать",
        "тринадцать",
        "четырнадцать",
        "пятнадцать",
        "шестнадцать",
        "семнадцать",
        "восемнадцать",
        "девятнадцать",
    ];
    const UNITS: [&str; 10] = ["", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"];

    let hundreds = (n / 100 % 10) as usize;
    let tens = (n / 10 % 10) as usize;
    let units = (n % 10) as usize;
    if hundreds > 0 {
        out.push(HUNDREDS[hundreds]);
    }
    if tens == 1 {
        out.push(TEENS[units]);
        return;
    }
    if tens > 1 {
        out.push(TENS[tens]);
    }
    if units > 0 {
        out.push(match (units, gender) {
            (1, Gender::Feminine) => "одна",
            (2, Gender::Feminine) => "две",
            _ => UNITS[units],
        });
    }
}

/// Spells out a whole number of roubles in Russian with the noun "рубль" in the right form,
/// lower case ("двадцать одна тысяча рублей").
fn roubles_ru(roubles: u64) -> String {
    // (size of the group, gender of its noun, noun forms). u64::MAX / 100 is below 10^18, so
    // every group, the quadrillions included, stays within 1..=999.
    const SCALES: [(u64, Gender, [&str; 3]); 5] = [
        (1_000_000_000_000_000, Gender::Masculine, ["квадриллион", "квадриллиона", "квадриллионов"]),
        (1_000_000_000_000, Gender::Masculine, ["триллион", "триллиона", "триллионов"]),
        (1_000_000_000, Gender::Masculine, ["миллиард", "миллиарда", "миллиардов"]),
        (1_000_000, Gender::Masculine, ["миллион", "миллиона", "миллионов"]),
        (1_000, Gender::Feminine, ["тысяча", "тысячи", "тысяч"]),
    ];
    let mut words: Vec<&'static str> = Vec::new();
    if roubles == 0 {
        words.push("ноль");
    } else {
        let mut rest = roubles;
        for (scale, gender, forms) in SCALES {
            let group = rest / scale;
            rest %= scale;
            if group > 0 {
                triple_ru(group, gender, &mut words);
                words.push(plural_ru(group, forms));
            }
        }
        triple_ru(rest, Gender::Masculine, &mut words);
    }
    words.push(plural_ru(roubles, ["рубль", "рубля", "рублей"]));
    words.join(" ")
}

/// Spells out 1..=999 in English ("one hundred twenty-three"), pushing onto `out`.
fn triple_en(n: u64, out: &mut Vec<String>) {
    const UNITS: [&str; 20] = [
        "",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    let hundreds = (n / 100 % 10) as usize;
    let below_hundred = (n % 100) as usize;
    let (tens, units) = (below_hundred / 10, below_hundred % 10);
    if hundreds > 0 {
        out.push(format!("{} hundred", UNITS[hundreds]));
    }
    if below_hundred == 0 {
        return;
    }
    if below_hundred < 20 {
        out.push(UNITS[below_hundred].to_string());
    } else if units == 0 {
        out.push(TENS[tens].to_string());
    } else {
        out.push(format!("{}-{}", TENS[tens], UNITS[units]));
    }
}

/// Spells out a whole number of roubles in English with "rouble(s)", lower case.
fn roubles_en(roubles: u64) -> String {
    const SCALES: [(u64, &str); 5] = [
        (1_000_000_000_000_000, "quadrillion"),
        (1_000_000_000_000, "trillion"),
        (1_000_000_000, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
    ];
    let mut words: Vec<String> = Vec::new();
    if roubles == 0 {
        words.push("zero".to_string());
    } else {
        let mut rest = roubles;
        for (scale, name) in SCALES {
            let group = rest / scale;
            rest %= scale;
            if group > 0 {
                triple_en(group, &mut words);
                words.push(name.to_string());
            }
        }
        triple_en(rest, &mut words);
    }
    words.push(if roubles == 1 { "rouble" } else { "roubles" }.to_string());
    words.join(" ")
}

/// Upper-cases the first character of `s`.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The amount in kopecks in Russian words, as printed under an invoice total:
/// `12345` → "Сто двадцать три рубля 45 копеек", `2_100_001` → "Двадцать одна тысяча рублей 01 копейка".
///
/// Negative amounts start with "Минус"; the whole `i64` range is handled.
pub fn rubles_in_words_ru(minor: i64) -> String {
    let abs = minor.unsigned_abs();
    let roubles = abs / 100;
    let kopecks = abs % 100;
    let text = format!(
        "{}{} {:02} {}",
        if minor < 0 { "минус " } else { "" },
        roubles_ru(roubles),
        kopecks,
        plural_ru(kopecks, ["копейка", "копейки", "копеек"])
    );
    capitalise(&text)
}

/// The amount in kopecks in English words: `12345` → "One hundred twenty-three roubles 45 kopecks".
///
/// Negative amounts start with "Minus"; the whole `i64` range is handled.
pub fn rubles_in_words_en(minor: i64) -> String {
    let abs = minor.unsigned_abs();
    let roubles = abs / 100;
    let kopecks = abs % 100;
    let text = format!(
        "{}{} {:02} {}",
        if minor < 0 { "minus " } else { "" },
        roubles_en(roubles),
        kopecks,
        if kopecks == 1 { "kopeck" } else { "kopecks" }
    );
    capitalise(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ru(roubles: i64) -> String {
        rubles_in_words_ru(roubles * 100)
    }

    #[test]
    fn ru_examples_from_spec() {
        assert_eq!(rubles_in_words_ru(12345), "Сто двадцать три рубля 45 копеек");
        assert_eq!(rubles_in_words_ru(120_000_000), "Один миллион двести тысяч рублей 00 копеек");
        assert_eq!(rubles_in_words_ru(2_100_001), "Двадцать одна тысяча рублей 01 копейка");
    }

    #[test]
    fn ru_teens() {
        let expected = [
            "Одиннадцать рублей",
            "Двенадцать рублей",
            "Тринадцать рублей",
            "Четырнадцать рублей",
            "Пятнадцать рублей",
            "Шестнадцать рублей",
            "Семнадцать рублей",
            "Восемнадцать рублей",
            "Девятнадцать рублей",
        ];
        for (n, words) in (11..=19).zip(expected) {
            assert_eq!(ru(n), format!("{words} 00 копеек"));
        }
        assert_eq!(ru(10), "Десять рублей 00 копеек");
        assert_eq!(ru(111), "Сто одиннадцать рублей 00 копеек");
        assert_eq!(ru(11_000), "Одиннадцать тысяч рублей 00 копеек");
        assert_eq!(ru(12_000_000), "Двенадцать миллионов рублей 00 копеек");
    }

    #[test]
    fn ru_small_numbers_and_genders() {
        assert_eq!(ru(0), "Ноль рублей 00 копеек");
        assert_eq!(ru(1), "Один рубль 00 копеек");
        assert_eq!(ru(2), "Два рубля 00 копеек");
        assert_eq!(ru(4), "Четыре рубля 00 копеек");
        assert_eq!(ru(5), "Пять рублей 00 копеек");
        assert_eq!(ru(21), "Двадцать один рубль 00 копеек");
        assert_eq!(ru(22), "Двадцать два рубля 00 копеек");
        assert_eq!(ru(40), "Сорок рублей 00 копеек");
        assert_eq!(ru(101), "Сто один рубль 00 копеек");
        assert_eq!(ru(999), "Девятьсот девяносто девять рублей 00 копеек");
    }

    #[test]
    fn ru_thousands() {
        assert_eq!(ru(1_000), "Одна тысяча рублей 00 копеек");
        assert_eq!(ru(2_000), "Две тысячи рублей 00 копеек");
        assert_eq!(ru(3_000), "Три тысячи рублей 00 копеек");
        assert_eq!(ru(5_000), "Пять тысяч рублей 00 копеек");
        assert_eq!(ru(21_000), "Двадцать одна тысяча рублей 00 копеек");
        assert_eq!(ru(22_000), "Двадцать две тысячи рублей 00 копеек");
        assert_eq!(ru(1_001), "Одна тысяча один рубль 00 копеек");
        assert_eq!(ru(1_002), "Одна тысяча два рубля 00 копеек");
        assert_eq!(ru(101_000), "Сто одна тысяча рублей 00 копеек");
        assert_eq!(ru(999_999), "Девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 00 копеек");
    }

    #[test]
    fn ru_millions_and_billions() {
        assert_eq!(ru(1_000_000), "Один миллион рублей 00 копеек");
        assert_eq!(ru(2_000_000), "Два миллиона рублей 00 копеек");
        assert_eq!(ru(5_000_000), "Пять миллионов рублей 00 копеек");
        assert_eq!(ru(1_001_000), "Один миллион одна тысяча рублей 00 копеек");
        assert_eq!(ru(1_000_000_000), "Один миллиард рублей 00 копеек");
        assert_eq!(ru(2_000_000_001), "Два миллиарда один рубль 00 копеек");
        assert_eq!(
            ru(3_452_001_021),
            "Три миллиарда четыреста пятьдесят два миллиона одна тысяча двадцать один рубль 00 копеек"
        );
        assert_eq!(ru(1_000_000_000_000), "Один триллион рублей 00 копеек");
    }

    #[test]
    fn ru_kopecks() {
        assert_eq!(rubles_in_words_ru(1), "Ноль рублей 01 копейка");
        assert_eq!(rubles_in_words_ru(2), "Ноль рублей 02 копейки");
        assert_eq!(rubles_in_words_ru(5), "Ноль рублей 05 копеек");
        assert_eq!(rubles_in_words_ru(11), "Ноль рублей 11 копеек");
        assert_eq!(rubles_in_words_ru(21), "Ноль рублей 21 копейка");
        assert_eq!(rubles_in_words_ru(99), "Ноль рублей 99 копеек");
        assert_eq!(rubles_in_words_ru(101), "Один рубль 01 копейка");
    }

    #[test]
    fn ru_negative() {
        assert_eq!(rubles_in_words_ru(-12345), "Минус сто двадцать три рубля 45 копеек");
        assert_eq!(rubles_in_words_ru(-1), "Минус ноль рублей 01 копейка");
    }

    #[test]
    fn ru_extremes_do_not_panic() {
        let max = rubles_in_words_ru(i64::MAX);
        assert!(
            max.starts_with("Девяносто два квадриллиона двести тридцать три триллиона семьсот двадцать миллиардов"),
            "{max}"
        );
        assert!(max.ends_with("рублей 07 копеек"), "{max}");
        let min = rubles_in_words_ru(i64::MIN);
        assert!(min.starts_with("Минус девяносто два квадриллиона"), "{min}");
        assert!(min.ends_with("рублей 08 копеек"), "{min}");
    }

    #[test]
    fn en_examples() {
        assert_eq!(rubles_in_words_en(12345), "One hundred twenty-three roubles 45 kopecks");
        assert_eq!(rubles_in_words_en(0), "Zero roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(1), "Zero roubles 01 kopeck");
        assert_eq!(rubles_in_words_en(2), "Zero roubles 02 kopecks");
        assert_eq!(rubles_in_words_en(100), "One rouble 00 kopecks");
        assert_eq!(rubles_in_words_en(1_100), "Eleven roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(1_900), "Nineteen roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(2_100), "Twenty-one roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(4_000), "Forty roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(10_100), "One hundred one roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(100_000), "One thousand roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(500_000), "Five thousand roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(120_000_000), "One million two hundred thousand roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(100_000_000_000), "One billion roubles 00 kopecks");
        assert_eq!(rubles_in_words_en(-250), "Minus two roubles 50 kopecks");
    }

    #[test]
    fn en_extremes_do_not_panic() {
        let max = rubles_in_words_en(i64::MAX);
        assert!(max.starts_with("Ninety-two quadrillion two hundred thirty-three trillion"), "{max}");
        assert!(rubles_in_words_en(i64::MIN).starts_with("Minus ninety-two quadrillion"));
    }
}
