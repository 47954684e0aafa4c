//! `lockstep-bench near-text`: cost and quality of the near-text stage on
//! generated tweets, beside baselines measured in the same run.
//!
//! **Input** (generated once per size and seed into the work directory,
//! untimed; SplitMix64 seeded with `--seed`): `N` posts
//! `account_id,text,timestamp_share,content_id`, from 20,000 pseudo-words drawn
//! with a skewed (Zipf-like) frequency:
//! - 35 % **template variants**: one of `N/500` campaign templates (12–28 words),
//!   with 1–2 words replaced by random words, sometimes a hashtag, a link
//!   (`https://t.co/…`, unique per post) or a mention added;
//! - 20 % **retweets**: `RT @account: ` + the text of one of the last 10,000 posts;
//! - 45 % **background**: 6–28 random words, sometimes a hashtag or a link.
//!
//! **What is timed**
//! 1. End to end, as child processes timed by `crate::timing::timed` (wall time, peak RSS;
//!    median of `--runs`): `lockstep detect FILE --object text --kind near-text`
//!    and, as the baseline, the same command with `--kind text` (exact
//!    normalised text), both with `-w 60 --no-domains -q`.
//! 2. In process: `lockstep_neartext::apply` alone on the dataset of those posts
//!    (normalising every distinct text, clustering, rewriting the dataset).
//! 3. The naive baseline: exact Jaccard of **all pairs** of the first 5,000
//!    distinct normalised texts (shingle sets precomputed, in parallel), its
//!    time extrapolated quadratically to all distinct texts. On the same 5,000
//!    texts, the share of all-pairs similar pairs that LSH puts in one cluster.
//!
//! **Quality** against the generator's truth: the distinct texts of each
//! template's variants, and how many are in that template's largest cluster;
//! background texts that end up in a cluster of two texts or more.

use anyhow::{Context, Result};
use lockstep_core::Dataset;
use lockstep_neartext::{apply, cluster_texts, minhash, Params, KIND};
use rayon::prelude::*;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Index in `0..n`, small indices much more likely.
    fn skewed(&mut self, n: usize) -> usize {
        ((n as f64) * self.unit().powf(3.0)) as usize % n
    }
}

const SYLLABLES: [&str; 32] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fo", "gu", "ha", "je", "ki", "ma", "no", "pe", "qu",
    "ri", "su", "ta", "ul", "ve", "wo", "xa", "yo", "ze", "an", "er", "in", "os",
];

fn vocabulary(rng: &mut Rng) -> Vec<String> {
    let mut v: Vec<String> = ["the", "a", "to", "of", "and", "is", "in", "we", "you", "they", "this", "not"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    while v.len() < 20_000 {
        let n = 1 + rng.below(3);
        v.push((0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect());
    }
    v
}

/// Writes the posts file; its `label` column is the template index of a
/// variant, -1 for background, and the retweeted post's label for a retweet.
fn generate(path: &Path, n: usize, seed: u64) -> Result<()> {
    let mut rng = Rng(seed);
    let vocab = vocabulary(&mut rng);
    let templates: Vec<Vec<usize>> =
        (0..(n / 500).max(4)).map(|_| (0..12 + rng.below(17)).map(|_| rng.skewed(vocab.len())).collect()).collect();
    let tmp = path.with_extension("partial");
    let mut w = BufWriter::new(fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?);
    writeln!(w, "account_id,text,timestamp_share,content_id,label")?;
    let mut recent: Vec<(String, i64)> = Vec::with_capacity(10_000);
    let accounts = (n / 20).max(10);
    for i in 0..n {
        let p = rng.unit();
        let (text, label) = if p < 0.35 {
            let t = rng.skewed(templates.len());
            let mut words: Vec<&str> = templates[t].iter().map(|&x| vocab[x].as_str()).collect();
            for _ in 0..1 + rng.below(2) {
                let at = rng.below(words.len());
                words[at] = &vocab[rng.below(vocab.len())];
            }
            let mut s = words.join(" ");
            extras(&mut rng, &mut s, i);
            (s, t as i64)
        } else if p < 0.55 && !recent.is_empty() {
            let (orig, label) = &recent[rng.below(recent.len())];
            (format!("RT @u{}: {orig}", rng.below(accounts)), *label)
        } else {
            let len = 6 + rng.below(23);
            let mut s = (0..len).map(|_| vocab[rng.skewed(vocab.len())].as_str()).collect::<Vec<_>>().join(" ");
            extras(&mut rng, &mut s, i);
            (s, -1)
        };
        if recent.len() < 10_000 {
            recent.push((text.clone(), label));
        } else {
            let at = rng.below(10_000);
            recent[at] = (text.clone(), label);
        }
        let time = 1_600_000_000 + (i as i64 * 86_400) / n as i64;
        writeln!(w, "u{},\"{}\",{time},p{i},{label}", rng.below(accounts), text.replace('"', "\"\""))?;
    }
    w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    fs::rename(&tmp, path)?;
    Ok(())
}

fn extras(rng: &mut Rng, s: &mut String, i: usize) {
    if rng.unit() < 0.3 {
        let _ = write!(s, " #tag{}", rng.below(50));
    }
    if rng.unit() < 0.3 {
        let _ = write!(s, " https://t.co/{i:x}");
    }
    if rng.unit() < 0.2 {
        s.insert_str(0, &format!("@u{} ", rng.below(1000)));
    }
}

/// One post of the file: (account, text, time, post, label).
type Post = (String, String, i64, String, i64);

/// Reads the posts file back.
fn read_posts(path: &Path) -> Result<Vec<Post>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r?;
        out.push((r[0].to_string(), r[1].to_string(), r[2].parse()?, r[3].to_string(), r[4].parse()?));
    }
    Ok(out)
}

/// Runs the benchmark for each size and returns the Markdown report.
pub fn run(lockstep: &Path, work: &Path, sizes: &[u64], seed: u64, runs: usize) -> Result<String> {
    fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let params = Params::default();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Parameters: {} characters per shingle, at least {} shingles, threshold {}, {} bands × {} rows \
         (candidate probability at J = 0.7: {:.4}; at 0.5: {:.3}; at 0.3: {:.5}), max bucket {}, seed {}.\n",
        params.shingle_chars,
        params.min_shingles,
        params.threshold,
        params.bands,
        params.rows,
        params.candidate_probability(0.7),
        params.candidate_probability(0.5),
        params.candidate_probability(0.3),
        params.max_bucket,
        params.seed
    );
    for &size in sizes {
        let n = size as usize;
        let path = work.join(format!("neartext-{size}-seed{seed}.csv"));
        if !path.is_file() {
            eprintln!("generating {size} posts ...");
            generate(&path, n, seed)?;
        }
        let mb = fs::metadata(&path)?.len() as f64 / 1e6;
        let _ = writeln!(md, "### {size} posts ({mb:.1} MB, {})\n", path.display());
        // 1. End to end.
        let _ = writeln!(md, "| command | median wall s | posts/s | peak RSS MiB |\n| --- | ---: | ---: | ---: |");
        let mut walls = Vec::new();
        for kind in ["text", KIND] {
            let out = work.join(format!("out-{size}-{kind}"));
            let mut w = Vec::new();
            let mut rss = 0;
            for i in 0..runs {
                let argv: Vec<&OsStr> = vec![
                    "detect".as_ref(),
                    path.as_os_str(),
                    "--object".as_ref(),
                    "text".as_ref(),
                    "--kind".as_ref(),
                    kind.as_ref(),
                    "-w".as_ref(),
                    "60".as_ref(),
                    "--no-domains".as_ref(),
                    "-q".as_ref(),
                    "-o".as_ref(),
                    out.as_os_str(),
                ];
                let log = work.join(format!("log-{size}-{kind}-{i}.txt"));
                let r = crate::timing::timed(lockstep, &argv, &log, None)?;
                eprintln!("  detect --kind {kind}: {:.2} s, {} MiB", r.wall, r.max_rss_kib / 1024);
                w.push(r.wall);
                rss = rss.max(r.max_rss_kib);
            }
            w.sort_by(f64::total_cmp);
            let wall = w[w.len() / 2];
            walls.push(wall);
            let _ = writeln!(
                md,
                "| `lockstep detect --object text --kind {kind}` | {wall:.2} | {:.0} | {} |",
                size as f64 / wall,
                rss / 1024
            );
        }
        let _ = writeln!(md, "\nnear-text / exact text wall time: {:.2}×\n", walls[1] / walls[0]);
        // 2. The stage in process.
        let posts = read_posts(&path)?;
        let mut ds = Dataset::default();
        for (a, t, time, p, _) in &posts {
            ds.push(a, t, KIND, p, *time);
        }
        let mut stage = Vec::new();
        let mut summary = None;
        for _ in 0..runs {
            let mut d = ds.clone();
            let t = Instant::now();
            let out = apply(&mut d, &params)?;
            stage.push(t.elapsed().as_secs_f64());
            summary = Some(out.summary);
        }
        drop(ds);
        stage.sort_by(f64::total_cmp);
        let stage_wall = stage[stage.len() / 2];
        let s = summary.expect("runs ≥ 1");
        let c = &s.clusters;
        let _ = writeln!(
            md,
            "Stage alone (`lockstep_neartext::apply`, in process, median of {runs}): {stage_wall:.2} s, \
             {:.0} texts/s. {} near-text shares, {} distinct raw texts, {} distinct normalised texts, {} short, \
             {} shares removed; {} candidate pairs verified, {} similar; {} capped buckets ({} pairs not \
             verified); {} objects, {} clusters of 2+ holding {} texts, largest {}.\n",
            size as f64 / stage_wall,
            s.shares,
            s.raw_texts,
            c.texts,
            c.short_texts,
            s.removed_shares,
            c.candidate_pairs,
            c.similar_pairs,
            c.capped_buckets,
            c.capped_pairs,
            c.clusters,
            c.merged_clusters,
            c.merged_texts,
            c.largest_cluster
        );
        // Quality and the naive baseline on distinct normalised texts.
        let mut seen = hashbrown::HashMap::new();
        let mut texts: Vec<String> = Vec::new();
        let mut labels: Vec<i64> = Vec::new();
        for (_, t, _, _, label) in &posts {
            if let Some(t) = lockstep_normalize::text(t) {
                seen.entry(t.clone()).or_insert_with(|| {
                    texts.push(t);
                    labels.push(*label);
                });
            }
        }
        drop(seen);
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let clusters = cluster_texts(&refs, &params);
        let _ = writeln!(md, "{}", quality(&clusters.root, &labels));
        let sub = &refs[..refs.len().min(5_000)];
        let sets: Vec<Vec<u32>> = sub
            .iter()
            .map(|t| {
                let (mut o, mut s) = (Vec::new(), Vec::new());
                minhash::shingles(t, params.shingle_chars, &mut o, &mut s);
                o
            })
            .collect();
        let t = Instant::now();
        let similar: Vec<(usize, usize)> = (0..sets.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let sets = &sets;
                (i + 1..sets.len()).filter_map(move |j| {
                    let ok = sets[i].len() >= params.min_shingles
                        && sets[j].len() >= params.min_shingles
                        && minhash::jaccard(&sets[i], &sets[j]) >= params.threshold;
                    ok.then_some((i, j))
                })
            })
            .collect();
        let naive = t.elapsed().as_secs_f64();
        let sub_clusters = cluster_texts(sub, &params);
        let found = similar.iter().filter(|&&(i, j)| sub_clusters.root[i] == sub_clusters.root[j]).count();
        let scale = (refs.len() as f64 / sub.len() as f64).powi(2);
        let _ = writeln!(
            md,
            "Naive baseline: all {} pairs of the first {} distinct texts in {naive:.2} s (both cores); \
             extrapolated to all {} distinct texts: {:.0} s, {:.0}× the stage. On those {} texts all-pairs finds {} \
             similar pairs; LSH clusters join {} of them ({:.2} %).\n",
            sub.len() * (sub.len() - 1) / 2,
            sub.len(),
            refs.len(),
            naive * scale,
            naive * scale / stage_wall,
            sub.len(),
            similar.len(),
            found,
            100.0 * found as f64 / similar.len().max(1) as f64
        );
    }
    Ok(md)
}

/// Template variants kept together, background texts merged.
fn quality(root: &[u32], labels: &[i64]) -> String {
    use std::collections::HashMap;
    let mut by_template: HashMap<i64, HashMap<u32, u64>> = HashMap::new();
    let mut size: HashMap<u32, u64> = HashMap::new();
    for (&r, &l) in root.iter().zip(labels) {
        if r != lockstep_neartext::SHORT {
            *size.entry(r).or_default() += 1;
            if l >= 0 {
                *by_template.entry(l).or_default().entry(r).or_default() += 1;
            }
        }
    }
    let variants: u64 = by_template.values().flat_map(|m| m.values()).sum();
    let in_main: u64 = by_template.values().map(|m| m.values().copied().max().unwrap_or(0)).sum();
    let (mut bg, mut bg_merged) = (0u64, 0u64);
    for (&r, &l) in root.iter().zip(labels) {
        if l == -1 && r != lockstep_neartext::SHORT {
            bg += 1;
            bg_merged += u64::from(size[&r] > 1);
        }
    }
    format!(
        "Quality: {} templates, {variants} distinct variant texts, {in_main} ({:.2} %) in their template's largest \
         cluster; {bg_merged} of {bg} distinct background texts ({:.3} %) in a cluster of 2+.\n",
        by_template.len(),
        100.0 * in_main as f64 / variants.max(1) as f64,
        100.0 * bg_merged as f64 / bg.max(1) as f64
    )
}

/// The work directory's default for this mode.
pub fn work_dir(work: &Path) -> PathBuf {
    work.join("near-text")
}
