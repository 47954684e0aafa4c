//! Read throughput on a generated CSV (and its gzip), for a quick check:
//! `cargo run --release -p lockstep-ingest --example read_throughput -- 1000000`.
//!
//! Rows look like the CooRTweet layout: 32-hex-digit ids, 50k accounts, 200k
//! objects, one post id per row.

use lockstep_core::{Dataset, Diagnostics};
use lockstep_ingest::{read_input, ReadOptions};
use std::io::Write;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args().nth(1).map_or(Ok(1_000_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("shares.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    writeln!(out, "object_id,account_id,content_id,timestamp_share")?;
    let hex = |x: u64| format!("{:016x}{:016x}", x.wrapping_mul(0x9E37_79B9_7F4A_7C15), x);
    for i in 0..rows {
        let (o, a) = (i * 7919 % 200_000, i * 104_729 % 50_000);
        writeln!(out, "{},{},{},{}", hex(o), hex(a + 1_000_000), hex(i + 10_000_000), 1_600_000_000 + i)?;
    }
    out.flush()?;
    drop(out);
    let size = std::fs::metadata(&path)?.len();

    let gz = dir.path().join("shares.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz)?, flate2::Compression::fast());
    std::io::copy(&mut std::fs::File::open(&path)?, &mut enc)?;
    enc.finish()?;

    // Baseline: the csv crate alone, no validation, no interning.
    let t = Instant::now();
    let mut rdr = csv::Reader::from_path(&path)?;
    let mut rec = csv::ByteRecord::new();
    let mut n = 0u64;
    while rdr.read_byte_record(&mut rec)? {
        n += rec.len() as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "baseline csv::ByteRecord loop: {rows} rows in {secs:.2} s = {:.2} M rows/s ({n} fields)",
        rows as f64 / secs / 1e6
    );

    // Baseline: the csv crate plus `Dataset::push` (the interner), no validation.
    let t = Instant::now();
    let mut rdr = csv::Reader::from_path(&path)?;
    let mut ds = Dataset::default();
    while rdr.read_byte_record(&mut rec)? {
        let f = |i| std::str::from_utf8(&rec[i]).unwrap_or_default();
        ds.push(f(1), f(0), "object", f(2), 1);
    }
    let secs = t.elapsed().as_secs_f64();
    println!("baseline csv + Dataset::push: {rows} rows in {secs:.2} s = {:.2} M rows/s", rows as f64 / secs / 1e6);
    drop(ds);

    for p in [&path, &gz] {
        let (mut ds, mut diags) = (Dataset::default(), Diagnostics::default());
        let t = Instant::now();
        let s = read_input(p, &ReadOptions::default(), &mut ds, &mut diags)?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{}: {} rows ({:.0} MB uncompressed) in {secs:.2} s = {:.2} M rows/s, {:.0} MB/s; {} accounts, {} objects",
            p.file_name().unwrap_or_default().to_string_lossy(),
            s.shares,
            size as f64 / 1e6,
            s.shares as f64 / secs / 1e6,
            size as f64 / secs / 1e6,
            ds.accounts.len(),
            ds.objects.len()
        );
    }
    Ok(())
}
