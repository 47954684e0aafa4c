//! Outlets' names as target labels: the watchlist's `name` column and the
//! shipped list of full, official and former names ([`OUTLET_NAMES_CSV`]), in
//! the forms an operation would register (`nrchandelsblad.com` for NRC,
//! `sueddeutschezeitung` for the Süddeutsche Zeitung).

use super::fold::fold;
use hashbrown::HashMap;
use std::sync::OnceLock;

/// Full, official and former names of outlets whose label is an abbreviation or
/// another name (`nrc.nl`: NRC Handelsblad), keyed by registrable domain; the
/// file's header names its source (Wikidata and Wikipedia facts) and scope.
pub const OUTLET_NAMES_CSV: &str = include_str!("../../data/outlet-names.csv");

/// Minimum length of an outlet's name used as an alias (compact: letters and digits).
pub const ALIAS_MIN: usize = 8;

/// Articles that a name may start with and an imitation may drop
/// (`The Jerusalem Post` → `jerusalempost`, `Die Tageszeitung` → `tageszeitung`).
const ARTICLES: &[&str] = &["the", "der", "die", "das", "le", "la", "les", "el", "il", "lo", "de", "het", "al"];

/// The shipped names: registrable domain → names as written, in file order.
pub(crate) fn shipped_names() -> &'static HashMap<Box<str>, Vec<Box<str>>> {
    static NAMES: OnceLock<HashMap<Box<str>, Vec<Box<str>>>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(OUTLET_NAMES_CSV.as_bytes());
        let mut map: HashMap<Box<str>, Vec<Box<str>>> = HashMap::new();
        for rec in r.records() {
            let rec = rec.expect("the shipped outlet names are valid CSV");
            map.entry(rec[0].trim().into()).or_default().push(rec[1].trim().into());
        }
        map
    })
}

/// The compact aliases of one name (letters and digits of the folded name): the
/// whole name, the part before and the part inside parentheses (`nd (Neues
/// Deutschland)`), each also without a leading article and with German umlauts
/// written out (`ü` → `ue`). Names given as domains and aliases shorter than
/// [`ALIAS_MIN`] are left out.
///
/// Aliases are folded like labels ([`super::fold`]: `i` reads as `l`).
///
/// ```
/// use lockstep_domains::fold;
/// use lockstep_domains::lookalike::names::aliases_of;
/// let f = |s: &str| fold(s);
/// assert_eq!(aliases_of("Süddeutsche Zeitung"), [f("suddeutschezeitung"), f("sueddeutschezeitung")]);
/// assert_eq!(aliases_of("nd (Neues Deutschland)"), [f("neuesdeutschland")]);
/// assert_eq!(aliases_of("The Jerusalem Post"), [f("thejerusalempost"), f("jerusalempost")]);
/// assert!(aliases_of("example.com").is_empty());
/// ```
pub fn aliases_of(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if name.contains('.') {
        return out; // a domain given as name
    }
    // `nd (Neues Deutschland)`: two names, not one.
    let parts = match name.split_once('(') {
        Some((before, rest)) => vec![before.to_string(), rest.split(')').next().unwrap_or("").to_string()],
        None => vec![name.to_string()],
    };
    let mut forms: Vec<String> = Vec::new();
    for p in parts {
        let words: Vec<&str> = p.split_whitespace().collect();
        forms.push(words.join(" "));
        let first = words.first().map(|w| w.to_lowercase());
        if words.len() >= 2 && first.as_deref().is_some_and(|f| ARTICLES.contains(&f)) {
            forms.push(words[1..].join(" "));
        }
        // `L'Humanité` → `Humanité`.
        if let Some(rest) = p.strip_prefix("L'").or_else(|| p.strip_prefix("l'")) {
            forms.push(rest.to_string());
        }
    }
    for f in forms {
        let written_out: String = f
            .chars()
            .flat_map(|c| match c {
                'ä' | 'Ä' => "ae".chars().collect::<Vec<char>>(),
                'ö' | 'Ö' => "oe".chars().collect(),
                'ü' | 'Ü' => "ue".chars().collect(),
                'ß' => "ss".chars().collect(),
                c => vec![c],
            })
            .collect();
        for g in [f.as_str(), written_out.as_str()] {
            let folded = fold(g);
            let c: String = folded.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            // Every letter must survive as ASCII (a name in another script is not an ASCII alias).
            if c.len() >= ALIAS_MIN && c.chars().count() == folded.chars().filter(|c| c.is_alphanumeric()).count() {
                out.push(c);
            }
        }
    }
    let mut seen = hashbrown::HashSet::new();
    out.retain(|a| seen.insert(a.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_names_parse_and_give_aliases() {
        let names = shipped_names();
        assert!(names.len() > 100, "{}", names.len());
        for (domain, list) in names {
            assert!(crate::parse_domain(domain).is_ok_and(|d| d.host == d.registrable), "{domain}");
            for n in list {
                assert!(!aliases_of(n).is_empty(), "{domain}: {n} gives no alias of {ALIAS_MIN}+ letters");
            }
        }
        assert_eq!(aliases_of("Télévision Française 1"), [fold("televisionfrancaise1")]);
        assert_eq!(aliases_of("L'Humanité"), [fold("lhumanite"), fold("humanite")]);
    }
}
