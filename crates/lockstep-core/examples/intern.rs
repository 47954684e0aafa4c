//! Interning strategies on a real column layout: one probe per string into a
//! hash table (`Interner::intern_in`), batches of 16,384 rows (as readers send them) with prefetching
//! (`Interner::intern_batch`, what readers use for accounts and objects) and
//! `Interner::intern_bulk` (what `Interner::intern_column` does with the post ids
//! when they are not all distinct), per column.
//!
//! ```sh
//! cargo run --release -p lockstep-core --example intern -- bench-work/posts-1000000-seed42.csv
//! ```
//! Reads a plain CSV whose first four columns are account, object, kind, post
//! (the layout `lockstep generate` writes; no quoting), then times each column
//! three times each way and prints the medians and their ratio.

use lockstep_core::{Interner, ShareBatch};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: intern FILE.csv");
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let mut batch = ShareBatch::default();
    for line in text.lines().skip(1) {
        let mut f = line.split(',');
        let (a, o, k, p) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        batch.push(a, o, k, p, 0);
    }
    drop(text);
    let n = batch.len();
    println!("{n} rows from {path}; rayon threads: {}", rayon::current_num_threads());
    let mut kinds = Interner::default();
    let kind: Vec<u32> = (0..n).map(|i| kinds.intern(batch.kind(i))).collect();
    let cols =
        [("accounts", &batch.accounts, false), ("objects", &batch.objects, true), ("posts", &batch.posts, false)];
    println!("| column | distinct | probe per row s (table pre-sized) | batches s | bulk s | probe / batches | probe / bulk |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, col, with_kind) in cols {
        let ns = |i: usize| if with_kind { kind[i] } else { 0 };
        let mut probe = Vec::new();
        let mut bulk = Vec::new();
        let mut batches = Vec::new();
        let mut distinct = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let mut it = Interner::default();
            // As readers do: sized from the input up front.
            it.reserve(n, col.bytes());
            let ids: Vec<u32> = (0..n).map(|i| it.intern_in(ns(i), col.get(i))).collect();
            probe.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let mut ic = Interner::default();
            let mut ids_c = Vec::new();
            for first in (0..n).step_by(1 << 14) {
                let len = (n - first).min(1 << 14);
                ic.intern_batch(len, |i| ns(first + i), |i| col.get(first + i), &mut ids_c);
            }
            batches.push(t.elapsed().as_secs_f64());
            assert_eq!(ids, ids_c, "batches give the same ids");
            let t = Instant::now();
            let mut ib = Interner::default();
            let ids_b = ib.intern_bulk(n, ns, |i| col.get(i));
            bulk.push(t.elapsed().as_secs_f64());
            assert_eq!(ids, ids_b, "both ways give the same ids");
            distinct = it.len();
        }
        let med = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[1]
        };
        let (p, c, b) = (med(&mut probe), med(&mut batches), med(&mut bulk));
        println!("| {name} | {distinct} | {p:.3} | {c:.3} | {b:.3} | {:.2} | {:.2} |", p / c, p / b);
    }
}
