//! `lockstep-bench ira-groups`: how the groups and Leiden communities found
//! on the IRA sample align with Clemson's account categories.
//!
//! For each object kind in `--ira-kinds` (default `hashtag,text,near-text`) it
//! runs `lockstep detect IRA_FILE --objects KIND -w W --no-domains -q -o
//! WORK/ira-KIND` (the IRA reader, default detection parameters otherwise) and
//! reads `accounts.csv`. Each account of the input (a distinct `author` of the
//! tweets file) gets its category from `authors.csv` (`author`, compared
//! case-insensitively; `missing` when absent).
//!
//! Two partitions per run: **groups** (column `component`: connected components
//! of the thresholded network) and **communities** (column `community`). An
//! account is **covered** when it has a label; accounts without one (not in the
//! thresholded network) are left out of purity and NMI and reported as
//! coverage. Over the N covered accounts, with n_gc accounts of group g and
//! category c:
//! - purity = Σ_g max_c n_gc / N (1 when every group is of one category);
//! - NMI = 2·I(G; C) / (H(G) + H(C)) (arithmetic normalisation, natural logs;
//!   1 when groups and categories are the same partition, 0 when independent);
//! - the majority baseline: the share of the most frequent category among the
//!   covered accounts (the purity of putting them all in one group).

use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// One partition's figures.
struct Scores {
    groups: usize,
    covered: usize,
    purity: f64,
    nmi: f64,
    majority: f64,
}

fn scores(labels: &[(u32, &str)]) -> Scores {
    let n = labels.len();
    let mut joint: HashMap<(u32, &str), usize> = HashMap::new();
    let mut by_group: HashMap<u32, usize> = HashMap::new();
    let mut by_cat: HashMap<&str, usize> = HashMap::new();
    for &(g, c) in labels {
        *joint.entry((g, c)).or_default() += 1;
        *by_group.entry(g).or_default() += 1;
        *by_cat.entry(c).or_default() += 1;
    }
    let mut best: HashMap<u32, usize> = HashMap::new();
    for (&(g, _), &k) in &joint {
        let b = best.entry(g).or_default();
        *b = (*b).max(k);
    }
    let nf = n as f64;
    let h = |counts: &mut dyn Iterator<Item = usize>| -> f64 {
        counts.map(|k| k as f64 / nf).filter(|p| *p > 0.0).map(|p| -p * p.ln()).sum()
    };
    let hg = h(&mut by_group.values().copied());
    let hc = h(&mut by_cat.values().copied());
    let mi: f64 = joint
        .iter()
        .map(|(&(g, c), &k)| {
            let p = k as f64 / nf;
            p * (p / ((by_group[&g] as f64 / nf) * (by_cat[c] as f64 / nf))).ln()
        })
        .sum();
    Scores {
        groups: by_group.len(),
        covered: n,
        purity: if n == 0 { 0.0 } else { best.values().sum::<usize>() as f64 / nf },
        nmi: if hg + hc > 0.0 { 2.0 * mi / (hg + hc) } else { 0.0 },
        majority: if n == 0 { 0.0 } else { by_cat.values().copied().max().unwrap_or(0) as f64 / nf },
    }
}

/// Distinct authors of the tweets file (gzip CSV with an `author` column).
fn input_accounts(path: &Path) -> Result<Vec<String>> {
    let file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut rdr = csv::Reader::from_reader(flate2::read::MultiGzDecoder::new(file));
    let col = rdr.headers()?.iter().position(|h| h == "author").context("no `author` column")?;
    let mut seen = std::collections::BTreeSet::new();
    for r in rdr.byte_records() {
        let r = r.with_context(|| format!("reading {}", path.display()))?;
        seen.insert(String::from_utf8_lossy(&r[col]).into_owned());
    }
    Ok(seen.into_iter().collect())
}

/// `author` (lowercased) → `account_category`.
fn categories(path: &Path) -> Result<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let h = rdr.headers()?.clone();
    let a = h.iter().position(|x| x == "author").context("authors.csv: no `author` column")?;
    let c = h.iter().position(|x| x == "account_category").context("authors.csv: no `account_category`")?;
    let mut out = HashMap::new();
    for (i, r) in rdr.records().enumerate() {
        let r = r.with_context(|| format!("{}: record {}", path.display(), i + 1))?;
        out.insert(r[a].to_lowercase(), r[c].to_string());
    }
    Ok(out)
}

/// Runs the evaluation and returns the Markdown report.
pub fn run(lockstep: &Path, shared: &Path, work: &Path, kinds: &[String], window: u64) -> Result<String> {
    let dir = shared.join("data/ira-2016q4");
    let input = dir.join("ira_tweets_2016-09_to_2016-11.csv.gz");
    let accounts = input_accounts(&input)?;
    let cats = categories(&dir.join("authors.csv"))?;
    let category = |a: &str| cats.get(&a.to_lowercase()).map_or("missing", String::as_str);
    let mut dist: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &accounts {
        *dist.entry(category(a)).or_default() += 1;
    }
    let mut md = format!(
        "Input: {} ({} accounts; categories: {}).\n\n\
         | objects | partition | groups | accounts covered | purity | NMI | majority baseline |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
        input.display(),
        accounts.len(),
        dist.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(", ")
    );
    let mut details = String::new();
    for kind in kinds {
        let out = work.join(format!("ira-{kind}"));
        let window = window.to_string();
        let argv: Vec<&OsStr> = vec![
            "detect".as_ref(),
            input.as_os_str(),
            "--objects".as_ref(),
            kind.as_ref(),
            "-w".as_ref(),
            window.as_ref(),
            "--no-domains".as_ref(),
            "-q".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        let log = work.join(format!("ira-{kind}.log"));
        let r = crate::timing::timed(lockstep, &argv, &log, None)?;
        eprintln!("detect --objects {kind}: {:.1} s", r.wall);
        let mut rdr = csv::Reader::from_path(out.join("accounts.csv"))?;
        let h = rdr.headers()?.clone();
        let col = |name: &str| h.iter().position(|x| x == name).with_context(|| format!("no `{name}` column"));
        let (ca, cg, cm) = (col("account_id")?, col("component")?, col("community")?);
        let mut comp: HashMap<String, u32> = HashMap::new();
        let mut comm: HashMap<String, u32> = HashMap::new();
        for r in rdr.records() {
            let r = r?;
            if let Ok(g) = r[cg].parse() {
                comp.insert(r[ca].to_string(), g);
            }
            if let Ok(m) = r[cm].parse() {
                comm.insert(r[ca].to_string(), m);
            }
        }
        if comp.keys().any(|a| accounts.binary_search(a).is_err()) {
            bail!("accounts.csv of {kind} names accounts that are not in the input");
        }
        for (name, part) in [("groups", &comp), ("communities", &comm)] {
            let labels: Vec<(u32, &str)> =
                accounts.iter().filter_map(|a| part.get(a).map(|&g| (g, category(a)))).collect();
            let s = scores(&labels);
            let _ = writeln!(
                md,
                "| {kind} | {name} | {} | {} ({:.1} %) | {:.3} | {:.3} | {:.3} |",
                s.groups,
                s.covered,
                100.0 * s.covered as f64 / accounts.len() as f64,
                s.purity,
                s.nmi,
                s.majority
            );
        }
        // The five largest groups' categories.
        let mut members: BTreeMap<u32, BTreeMap<&str, usize>> = BTreeMap::new();
        for a in &accounts {
            if let Some(&g) = comp.get(a) {
                *members.entry(g).or_default().entry(category(a)).or_default() += 1;
            }
        }
        let _ = write!(details, "- `{kind}`, largest groups:");
        for (g, cs) in members.iter().take(5) {
            let mut cs: Vec<_> = cs.iter().collect();
            cs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let n: usize = cs.iter().map(|c| *c.1).sum();
            let _ = write!(
                details,
                " {g}: {n} ({});",
                cs.iter().map(|(c, k)| format!("{c} {k}")).collect::<Vec<_>>().join(", ")
            );
        }
        details.push('\n');
    }
    Ok(format!("{md}\n{details}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purity_and_nmi_by_hand() {
        // Groups equal to categories: purity 1, NMI 1.
        let same = [(1, "a"), (1, "a"), (2, "b"), (2, "b")];
        let s = scores(&same);
        assert_eq!((s.groups, s.covered, s.purity, s.majority), (2, 4, 1.0, 0.5));
        assert!((s.nmi - 1.0).abs() < 1e-12);
        // Independent: each group holds one of each category: purity 1/2, NMI 0.
        let indep = [(1, "a"), (1, "b"), (2, "a"), (2, "b")];
        let s = scores(&indep);
        assert_eq!(s.purity, 0.5);
        assert!(s.nmi.abs() < 1e-12);
        // One group of 3 (a, a, b) and one of 1 (b): purity 3/4.
        // H(G) = H(C) = ln 2 for C, H(G) = -(3/4 ln 3/4 + 1/4 ln 1/4); I = H(C) - H(C|G).
        let s = scores(&[(1, "a"), (1, "a"), (1, "b"), (2, "b")]);
        assert_eq!(s.purity, 0.75);
        let hg = -(0.75f64 * 0.75f64.ln() + 0.25 * 0.25f64.ln());
        let hc = 2f64.ln();
        let h_c_given_g = 0.75 * -((2.0f64 / 3.0) * (2.0f64 / 3.0).ln() + (1.0 / 3.0) * (1.0f64 / 3.0).ln());
        let nmi = 2.0 * (hc - h_c_given_g) / (hg + hc);
        assert!((s.nmi - nmi).abs() < 1e-12, "{} {nmi}", s.nmi);
    }
}
