//! Folding: a label as a reader sees it (confusables skeleton, accents,
//! case, ASCII look-alikes) and its compact form.

/// Folds a label to what a reader sees (see the module documentation). Keeps hyphens.
///
/// ```
/// use lockstep_domains::fold;
/// assert_eq!(fold("Spiegel"), fold("spіegel")); // Cyrillic і
/// assert_eq!(fold("bild"), fold("b1ld"));
/// assert_eq!(fold("modern"), fold("rnodern"));
/// assert_eq!(fold("regierung"), fold("reqierung"));
/// ```
pub fn fold(label: &str) -> String {
    let lower: String = if label.is_ascii() {
        label.to_ascii_lowercase()
    } else {
        unicode_security::skeleton(label)
            .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let b: Vec<char> = lower.chars().collect();
    let mut out = String::with_capacity(lower.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match (c, next) {
            ('r', Some('n')) => {
                out.push('m');
                i += 2;
                continue;
            }
            ('v', Some('v')) => {
                out.push('w');
                i += 2;
                continue;
            }
            ('i' | '1' | '|' | '!', _) => out.push('l'),
            ('0', _) => out.push('o'),
            ('q', _) => out.push('g'),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// A folded label without hyphens and underscores.
pub fn compact(folded: &str) -> String {
    folded.chars().filter(|&c| c != '-' && c != '_').collect()
}
