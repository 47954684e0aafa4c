//! One table writer for two formats and memory: rows go in as typed [`Value`]s
//! and come out as CSV (RFC 4180, empty field = missing), as Parquet (nullable
//! columns, Snappy-compressed row groups of 64Ki rows) or as the Arrow record
//! batches those row groups are written from, kept in memory ([`TableSink::Memory`]:
//! the Python package hands them over without a file). Parquet and memory share
//! one batch builder, so a table in memory is exactly what its Parquet file holds.
//!
//! Large tables go through [`TableWriter::rows`], which formats blocks of CSV rows
//! on all cores and writes them in order, so the bytes are the same as row by row.

use crate::stream::StreamFile;
use crate::{Error, Result};
use arrow::array::{ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, UInt64Builder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Output format of the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// Comma-separated values with a header.
    #[default]
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

impl std::str::FromStr for TableFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "csv" => Ok(TableFormat::Csv),
            "parquet" => Ok(TableFormat::Parquet),
            other => Err(format!("unknown table format {other:?} (expected csv or parquet)")),
        }
    }
}

/// Where a run's tables go.
#[derive(Debug, Clone, Copy)]
pub enum TableSink<'a> {
    /// Files `<name>.{csv,parquet}` in a folder.
    Files(&'a Path, TableFormat),
    /// Arrow record batches kept in memory: the batches a Parquet file's row
    /// groups are written from (same schema, rows and values).
    Memory(&'a ArrowTables),
}

/// Tables built in memory ([`TableSink::Memory`]), in the order they were finished.
#[derive(Debug, Clone, Default)]
pub struct ArrowTables(Arc<Mutex<Vec<ArrowTable>>>);

impl ArrowTables {
    /// Takes the tables finished so far.
    pub fn take(&self) -> Vec<ArrowTable> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// One table in memory.
#[derive(Debug, Clone)]
pub struct ArrowTable {
    /// The table's name (`edges`, `accounts`…: its file name without the extension).
    pub name: String,
    /// Its columns (every one nullable), also when it has no rows.
    pub schema: SchemaRef,
    /// Its rows, in order, in batches of at most 64Ki rows.
    pub batches: Vec<RecordBatch>,
}

/// Column type. Every column is nullable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// UTF-8 text.
    Str,
    /// Unsigned integer.
    U64,
    /// Signed integer.
    I64,
    /// Floating point.
    F64,
    /// Boolean (CSV: `true`/`false`).
    Bool,
}

/// One cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Text.
    Str(&'a str),
    /// Text the caller knows needs no CSV quoting (no `,`, `"`, `\r` or `\n`):
    /// written as it is, without the per-byte check of [`Value::Str`]. Account
    /// names on tables of millions of rows.
    Plain(&'a str),
    /// Unsigned integer.
    U64(u64),
    /// Signed integer.
    I64(i64),
    /// Floating point.
    F64(f64),
    /// Floating point rounded to this many significant digits (`round_sig`,
    /// 1 to 15) when written: the same as `F64(round_sig(x, digits))`, but CSV
    /// prints it straight from the rounded digits instead of through the
    /// general shortest-representation search (millions of rows).
    Rounded(f64, u8),
    /// Boolean.
    Bool(bool),
    /// Missing.
    Null,
}

impl<'a> Value<'a> {
    /// The text of a [`Value::Str`] or [`Value::Plain`].
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Value::Str(s) | Value::Plain(s) => Some(s),
            _ => None,
        }
    }
}

impl<T: Into<Value<'static>>> From<Option<T>> for Value<'static> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
impl From<f64> for Value<'static> {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}
impl From<u32> for Value<'static> {
    fn from(v: u32) -> Self {
        Value::U64(v as u64)
    }
}
impl From<u64> for Value<'static> {
    fn from(v: u64) -> Self {
        Value::U64(v)
    }
}

// One sink per table, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
enum Destination {
    Csv {
        out: BufWriter<StreamFile>,
        line: Vec<u8>,
    },
    /// Rows built into record batches of [`ROW_GROUP`] rows, then written or kept.
    Batches {
        to: BatchSink,
        builders: Vec<Builder>,
        rows: usize,
        schema: SchemaRef,
    },
}

/// Where finished record batches go.
#[allow(clippy::large_enum_variant)]
enum BatchSink {
    Parquet(Option<ArrowWriter<StreamFile>>),
    Memory { batches: Vec<RecordBatch>, into: ArrowTables },
}

enum Builder {
    Str(StringBuilder),
    U64(UInt64Builder),
    I64(Int64Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
}

const ROW_GROUP: usize = 65_536;

/// Writes one table.
pub struct TableWriter {
    path: PathBuf,
    columns: Vec<(&'static str, ColType)>,
    sink: Destination,
    rows: u64,
}

/// Rows per block formatted by one task in [`TableWriter::rows`].
const BLOCK: usize = 16_384;

impl TableWriter {
    /// Creates `dir/name.{csv,parquet}` with the given columns.
    pub fn create(dir: &Path, name: &str, format: TableFormat, columns: &[(&'static str, ColType)]) -> Result<Self> {
        Self::open(TableSink::Files(dir, format), name, columns)
    }

    /// Opens the table `name` with the given columns in `to`: a file, or a
    /// table in memory added to its [`ArrowTables`] by [`TableWriter::finish`].
    pub fn open(to: TableSink<'_>, name: &str, columns: &[(&'static str, ColType)]) -> Result<Self> {
        let (dir, format) = match to {
            TableSink::Files(dir, format) => (dir, format),
            TableSink::Memory(tables) => {
                let sink = Destination::Batches {
                    to: BatchSink::Memory { batches: Vec::new(), into: tables.clone() },
                    builders: new_builders(columns),
                    rows: 0,
                    schema: arrow_schema(columns),
                };
                return Ok(TableWriter { path: PathBuf::from(name), columns: columns.to_vec(), sink, rows: 0 });
            }
        };
        let path = dir.join(format!("{name}.{}", format.extension()));
        let file = StreamFile::new(fs_err::File::create(&path)?);
        let sink = match format {
            TableFormat::Csv => {
                let mut out = BufWriter::with_capacity(1 << 20, file);
                let mut line = Vec::new();
                for (i, (name, _)) in columns.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    csv_field(&mut line, name.as_bytes());
                }
                line.push(b'\n');
                out.write_all(&line).map_err(|e| Error::io(&path, e))?;
                Destination::Csv { out, line }
            }
            TableFormat::Parquet => {
                let schema = arrow_schema(columns);
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_size(ROW_GROUP)
                    .set_created_by(format!("lockstep {}", env!("CARGO_PKG_VERSION")))
                    .build();
                let writer =
                    ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| Error::parquet(&path, e))?;
                let to = BatchSink::Parquet(Some(writer));
                Destination::Batches { to, builders: new_builders(columns), rows: 0, schema }
            }
        };
        Ok(TableWriter { path, columns: columns.to_vec(), sink, rows: 0 })
    }

    /// Appends one row; `values` must match the columns in number and type.
    pub fn row(&mut self, values: &[Value<'_>]) -> Result<()> {
        debug_assert_eq!(values.len(), self.columns.len(), "{}", self.path.display());
        self.rows += 1;
        match &mut self.sink {
            Destination::Csv { out, line } => {
                line.clear();
                csv_row(line, values);
                out.write_all(line).map_err(|e| Error::io(&self.path, e))?;
            }
            Destination::Batches { builders, rows, .. } => {
                for (b, v) in builders.iter_mut().zip(values) {
                    match (b, *v) {
                        (Builder::Str(b), Value::Str(s) | Value::Plain(s)) => b.append_value(s),
                        (Builder::Str(b), Value::Null) => b.append_null(),
                        (Builder::U64(b), Value::U64(x)) => b.append_value(x),
                        (Builder::U64(b), Value::Null) => b.append_null(),
                        (Builder::I64(b), Value::I64(x)) => b.append_value(x),
                        (Builder::I64(b), Value::Null) => b.append_null(),
                        (Builder::F64(b), Value::F64(x)) => b.append_value(x),
                        (Builder::F64(b), Value::Rounded(x, d)) => b.append_value(round_sig(x, d as i32)),
                        (Builder::F64(b), Value::Null) => b.append_null(),
                        (Builder::Bool(b), Value::Bool(x)) => b.append_value(x),
                        (Builder::Bool(b), Value::Null) => b.append_null(),
                        (_, v) => panic!("{}: value {v:?} does not match its column type", self.path.display()),
                    }
                }
                *rows += 1;
                if *rows >= ROW_GROUP {
                    self.flush_batch()?;
                }
            }
        }
        Ok(())
    }

    /// Appends `n` rows; `fill(i, row)` pushes the values of row `i` (in order)
    /// into the empty `row`. CSV blocks are formatted in parallel and written in
    /// order: the file is the same as from `n` calls of [`TableWriter::row`].
    pub fn rows<'v, F>(&mut self, n: usize, fill: F) -> Result<()>
    where
        F: Fn(usize, &mut Vec<Value<'v>>) + Sync,
    {
        self.rows_with(n, |_| (), |_, i, row| fill(i, row))
    }

    /// [`TableWriter::rows`] with a cursor per block of consecutive rows:
    /// `start(i)` makes the cursor for a block whose first row is `i`, and
    /// `fill(cursor, i, row)` is then called for `i`, `i + 1`, … in order. For
    /// rows that are walked in step with another sequence (an edge's kinds), the
    /// cursor saves a search per row.
    pub fn rows_with<'v, S, I, F>(&mut self, n: usize, start: I, fill: F) -> Result<()>
    where
        I: Fn(usize) -> S + Sync,
        F: Fn(&mut S, usize, &mut Vec<Value<'v>>) + Sync,
    {
        let width = self.columns.len();
        match &mut self.sink {
            Destination::Csv { out, .. } => {
                // Waves of a few blocks per thread bound the memory held; the
                // previous wave is written while the next one is formatted, and
                // block buffers are reused (fresh ones cost page faults).
                let per_wave = 4 * rayon::current_num_threads().max(1);
                let wave = BLOCK * per_wave;
                let format = |bufs: &mut [Vec<u8>], first: usize| {
                    bufs.par_iter_mut().enumerate().for_each(|(k, buf)| {
                        buf.clear();
                        let b = first + k * BLOCK;
                        if b >= n {
                            return;
                        }
                        let mut cursor = start(b);
                        let mut row = Vec::with_capacity(width);
                        for i in b..(b + BLOCK).min(n) {
                            row.clear();
                            fill(&mut cursor, i, &mut row);
                            debug_assert_eq!(row.len(), width);
                            csv_row(buf, &row);
                        }
                    })
                };
                let path = &self.path;
                let write = |out: &mut BufWriter<StreamFile>, bufs: &[Vec<u8>]| -> Result<()> {
                    bufs.iter().try_for_each(|b| out.write_all(b).map_err(|e| Error::io(path, e)))
                };
                let mut ready: Vec<Vec<u8>> = vec![Vec::with_capacity(BLOCK * 64); per_wave];
                let mut spare: Vec<Vec<u8>> = vec![Vec::with_capacity(BLOCK * 64); per_wave];
                let mut next = 0;
                if n > 0 {
                    format(&mut ready, 0);
                    next = wave;
                }
                while next < n {
                    let (written, ()) = rayon::join(|| write(out, &ready), || format(&mut spare, next));
                    written?;
                    std::mem::swap(&mut ready, &mut spare);
                    next += wave;
                }
                if n > 0 {
                    write(out, &ready)?;
                }
                self.rows += n as u64;
            }
            Destination::Batches { .. } => {
                let mut row = Vec::with_capacity(width);
                let mut cursor = None;
                for i in 0..n {
                    row.clear();
                    let c = cursor.get_or_insert_with(|| start(i));
                    fill(c, i, &mut row);
                    self.row(&row)?;
                }
            }
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        if let Destination::Batches { to, builders, rows, schema } = &mut self.sink {
            let arrays: Vec<ArrayRef> = builders
                .iter_mut()
                .map(|b| -> ArrayRef {
                    match b {
                        Builder::Str(b) => Arc::new(b.finish()),
                        Builder::U64(b) => Arc::new(b.finish()),
                        Builder::I64(b) => Arc::new(b.finish()),
                        Builder::F64(b) => Arc::new(b.finish()),
                        Builder::Bool(b) => Arc::new(b.finish()),
                    }
                })
                .collect();
            let batch =
                RecordBatch::try_new(schema.clone(), arrays).map_err(|e| Error::parquet(&self.path, e.into()))?;
            match to {
                BatchSink::Parquet(writer) => {
                    writer.as_mut().expect("writer open").write(&batch).map_err(|e| Error::parquet(&self.path, e))?
                }
                // An empty last batch adds nothing (the Parquet writer skips it too).
                BatchSink::Memory { batches, .. } if batch.num_rows() > 0 => batches.push(batch),
                BatchSink::Memory { .. } => {}
            }
            *rows = 0;
        }
        Ok(())
    }

    /// Flushes and closes the file (in memory: adds the table to its
    /// [`ArrowTables`]); returns its path (in memory: its name) and row count.
    pub fn finish(mut self) -> Result<(PathBuf, u64)> {
        match &mut self.sink {
            Destination::Csv { out, .. } => out.flush().map_err(|e| Error::io(&self.path, e))?,
            Destination::Batches { .. } => {
                self.flush_batch()?;
                if let Destination::Batches { to, schema, .. } = &mut self.sink {
                    match to {
                        BatchSink::Parquet(writer) => {
                            writer.take().expect("writer open").close().map_err(|e| Error::parquet(&self.path, e))?;
                        }
                        BatchSink::Memory { batches, into } => {
                            let table = ArrowTable {
                                name: self.path.to_string_lossy().into_owned(),
                                schema: schema.clone(),
                                batches: std::mem::take(batches),
                            };
                            into.0.lock().unwrap_or_else(|e| e.into_inner()).push(table);
                        }
                    }
                }
            }
        }
        Ok((self.path.clone(), self.rows))
    }
}

/// The Arrow schema of a table: every column nullable.
fn arrow_schema(columns: &[(&'static str, ColType)]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|&(n, t)| {
                let dt = match t {
                    ColType::Str => DataType::Utf8,
                    ColType::U64 => DataType::UInt64,
                    ColType::I64 => DataType::Int64,
                    ColType::F64 => DataType::Float64,
                    ColType::Bool => DataType::Boolean,
                };
                Field::new(n, dt, true)
            })
            .collect::<Vec<_>>(),
    ))
}

fn new_builders(columns: &[(&'static str, ColType)]) -> Vec<Builder> {
    columns
        .iter()
        .map(|&(_, t)| match t {
            ColType::Str => Builder::Str(StringBuilder::new()),
            ColType::U64 => Builder::U64(UInt64Builder::new()),
            ColType::I64 => Builder::I64(Int64Builder::new()),
            ColType::F64 => Builder::F64(Float64Builder::new()),
            ColType::Bool => Builder::Bool(BooleanBuilder::new()),
        })
        .collect()
}

/// Appends one CSV record (fields, then `\n`).
pub(crate) fn csv_row(out: &mut Vec<u8>, values: &[Value<'_>]) {
    let mut itoa = itoa::Buffer::new();
    let mut ryu = ryu::Buffer::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match *v {
            Value::Str(s) => csv_field(out, s.as_bytes()),
            Value::Plain(s) => {
                debug_assert!(!needs_quotes(s.as_bytes()), "{s:?} needs quotes");
                out.extend_from_slice(s.as_bytes())
            }
            Value::U64(x) => out.extend_from_slice(itoa.format(x).as_bytes()),
            Value::I64(x) => out.extend_from_slice(itoa.format(x).as_bytes()),
            Value::F64(x) => out.extend_from_slice(fmt_f64(&mut ryu, &mut itoa, x).as_bytes()),
            Value::Rounded(x, d) => write_rounded(out, &mut ryu, &mut itoa, x, d as i32),
            Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Null => {}
        }
    }
    if values.len() == 1 && matches!(values[0], Value::Null | Value::Str("") | Value::Plain("")) {
        // A record of one empty field would read back as an empty line.
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// Bytes that make a CSV field need quotes: `,`, `"`, `\r`, `\n`.
static NEEDS_QUOTES: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t
};

/// Whether a CSV field holding `s` must be quoted.
pub(crate) fn needs_quotes(s: &[u8]) -> bool {
    s.iter().any(|&b| NEEDS_QUOTES[b as usize])
}

/// Appends one text field, quoted (RFC 4180) only when it holds `,`, `"`, `\r` or `\n`.
fn csv_field(out: &mut Vec<u8>, s: &[u8]) {
    if !needs_quotes(s) {
        out.extend_from_slice(s);
        return;
    }
    out.push(b'"');
    for &b in s {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// `x` rounded to `digits` significant decimal digits (1 ≤ `digits` ≤ 15), as
/// the nearest double, so its shortest representation has at most `digits`
/// digits. Zero and non-finite values are returned as they are.
pub fn round_sig(x: f64, digits: i32) -> f64 {
    match sig_parts(x, digits) {
        Some((m, s)) if s >= 0 => m / POW10[s as usize],
        Some((m, s)) => m * POW10[-s as usize],
        None if x == 0.0 || !x.is_finite() => x,
        // Magnitudes beyond (below 1e-17 or above 1e27): exact decimal
        // formatting and correctly rounded parsing.
        None => format!("{:.*e}", (digits - 1) as usize, x).parse().unwrap_or(x),
    }
}

/// Powers of ten that doubles hold exactly.
const POW10: [f64; 23] = {
    let mut p = [1.0; 23];
    let mut i = 1;
    while i < 23 {
        p[i] = p[i - 1] * 10.0;
        i += 1;
    }
    p
};

/// `x` rounded to `digits` significant digits as `m · 10^-s`, `m` an integer
/// of at most `digits` digits (or exactly `10^digits` after a carry), when
/// `|s| ≤ 22`; `None` for zero, non-finite values and magnitudes beyond.
///
/// With `|s| ≤ 22` the scale is an exact double, so one correctly rounded
/// multiplication or division gives the double nearest to `m · 10^-s`.
fn sig_parts(x: f64, digits: i32) -> Option<(f64, i32)> {
    if x == 0.0 || !x.is_finite() {
        return None;
    }
    let s = digits - 1 - x.abs().log10().floor() as i32;
    if (0..=22).contains(&s) {
        Some(((x * POW10[s as usize]).round(), s))
    } else if (-22..0).contains(&s) {
        Some(((x / POW10[-s as usize]).round(), s))
    } else {
        None
    }
}

/// Appends `fmt_f64(round_sig(x, digits))` from the rounded digits themselves.
///
/// The double nearest to `m · 10^-s` prints (shortest round trip) as the
/// digits of `m` without trailing zeros: any other decimal of at most 15
/// significant digits lies more than an ulp away. So the digits are known and
/// only the layout of [`ryu`]'s `format64` is repeated here (and checked
/// against it by a property test); rare cases go through the general path.
fn write_rounded(out: &mut Vec<u8>, ryu: &mut ryu::Buffer, itoa: &mut itoa::Buffer, x: f64, digits: i32) {
    let general = |out: &mut Vec<u8>, ryu: &mut ryu::Buffer, itoa: &mut itoa::Buffer| {
        out.extend_from_slice(fmt_f64(ryu, itoa, round_sig(x, digits)).as_bytes())
    };
    let Some((m, mut s)) = sig_parts(x, digits) else {
        return general(out, ryu, itoa);
    };
    let mut m = m.abs() as u64;
    while m.is_multiple_of(10) {
        m /= 10;
        s -= 1;
    }
    let text = itoa.format(m);
    let len = text.len() as i32;
    if s <= 0 {
        // Integral: `fmt_f64` prints it as an integer below 1e15.
        if len - s > 15 {
            return general(out, ryu, itoa);
        }
        if x < 0.0 {
            out.push(b'-');
        }
        out.extend_from_slice(text.as_bytes());
        out.extend(std::iter::repeat_n(b'0', -s as usize));
        return;
    }
    if x < 0.0 {
        out.push(b'-');
    }
    let d = text.as_bytes();
    // 10^(kk-1) <= |value| < 10^kk, as in ryu's `format64`.
    let kk = len - s;
    if 0 < kk && kk <= 16 {
        out.extend_from_slice(&d[..kk as usize]);
        out.push(b'.');
        out.extend_from_slice(&d[kk as usize..]);
    } else if -5 < kk && kk <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', -kk as usize));
        out.extend_from_slice(d);
    } else {
        out.push(d[0]);
        if d.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&d[1..]);
        }
        out.push(b'e');
        out.extend_from_slice(itoa.format(kk - 1).as_bytes());
    }
}

/// Shortest round-trip representation; integral values without a trailing `.0`.
fn fmt_f64<'a>(ryu: &'a mut ryu::Buffer, itoa: &'a mut itoa::Buffer, x: f64) -> &'a str {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        itoa.format(x as i64)
    } else if x.is_nan() {
        "NaN"
    } else {
        ryu.format(x)
    }
}

/// A written table: file name and rows.
pub type Written = (String, u64);

/// Finishes `w` and names what it wrote.
pub(crate) fn done(w: TableWriter) -> Result<Written> {
    let (path, rows) = w.finish()?;
    Ok((path.file_name().expect("file").to_string_lossy().into_owned(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_people_expect() {
        let (mut r, mut i) = (ryu::Buffer::new(), itoa::Buffer::new());
        assert_eq!(fmt_f64(&mut r, &mut i, 7.0), "7");
        assert_eq!(fmt_f64(&mut r, &mut i, 0.5), "0.5");
        assert_eq!(fmt_f64(&mut r, &mut i, 49.0 / 3.0), "16.333333333333332");
        assert_eq!(fmt_f64(&mut r, &mut i, -2.0), "-2");
    }

    #[test]
    fn rounding_to_significant_digits() {
        let (mut r, mut i) = (ryu::Buffer::new(), itoa::Buffer::new());
        let mut show = |x: f64| fmt_f64(&mut r, &mut i, round_sig(x, 6)).to_string();
        assert_eq!(show(0.004449937382058114), "0.00444994");
        assert_eq!(show(306.9883244631869), "306.988");
        assert_eq!(show(81.80780521198477), "81.8078");
        assert_eq!(show(0.22621958932995906), "0.22622");
        assert_eq!(show(-1234567.0), "-1234570");
        assert_eq!(show(2.5e-40), "2.5e-40");
        assert_eq!(show(1.234567891e-30), "1.23457e-30");
        assert_eq!(show(9.9999996), "10");
        assert_eq!(show(0.0), "0");
        assert!(round_sig(f64::NAN, 6).is_nan());
        assert_eq!(round_sig(f64::INFINITY, 6), f64::INFINITY);
    }

    proptest::proptest! {
        /// Rounded values print with at most 6 significant digits and stay within
        /// half a unit of the 6th digit.
        #[test]
        fn rounded_values_are_short_and_close(x in proptest::num::f64::NORMAL) {
            let y = round_sig(x, 6);
            let text = ryu::Buffer::new().format(y).to_string();
            let mantissa = text.split('e').next().unwrap();
            let digits = mantissa.trim_start_matches('-').replace('.', "");
            let digits = digits.trim_start_matches('0').trim_end_matches('0');
            proptest::prop_assert!(digits.len() <= 6, "{x} -> {text}");
            proptest::prop_assert!(((y - x) / x).abs() <= 5.0001e-6, "{x} -> {y}");
        }
    }

    proptest::proptest! {
        /// Rounded values are written byte for byte as the general path writes
        /// them, for every magnitude and number of digits.
        #[test]
        fn rounded_values_print_as_the_general_path(
            x in proptest::prop_oneof![
                proptest::num::f64::ANY,
                (-1e6f64..1e6),
                proptest::strategy::Strategy::prop_map((-30i32..30, 1u64..10_000_000), |(e, m)| m as f64 * 10f64.powi(e)),
            ],
            digits in 1i32..=15,
        ) {
            use proptest::prelude::*;
            let (mut r, mut i) = (ryu::Buffer::new(), itoa::Buffer::new());
            let expected = fmt_f64(&mut r, &mut i, round_sig(x, digits)).to_string();
            let mut out = Vec::new();
            write_rounded(&mut out, &mut r, &mut i, x, digits);
            prop_assert_eq!(String::from_utf8(out).unwrap(), expected, "{} to {} digits", x, digits);
        }
    }

    #[test]
    fn csv_quotes_and_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = TableWriter::create(
            dir.path(),
            "t",
            TableFormat::Csv,
            &[("a", ColType::Str), ("b", ColType::U64), ("c", ColType::F64)],
        )
        .unwrap();
        w.row(&[Value::Str("x,y"), Value::U64(3), Value::Null]).unwrap();
        w.row(&[Value::Str("say \"hi\""), Value::Null, Value::F64(1.5)]).unwrap();
        let (path, rows) = w.finish().unwrap();
        assert_eq!(rows, 2);
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(text, "a,b,c\n\"x,y\",3,\n\"say \"\"hi\"\"\",,1.5\n");
    }

    proptest::proptest! {
        /// The CSV encoder writes exactly what the `csv` crate writes, also for
        /// text with commas, quotes and line breaks, and `rows` (parallel blocks)
        /// writes the same bytes as `row`.
        #[test]
        fn csv_bytes_match_the_csv_crate(
            rows in proptest::collection::vec(
                (".{0,12}", proptest::option::of(0u64..1000), proptest::option::of(-1e6f64..1e6)),
                0..300,
            ),
            single in ".{0,3}",
        ) {
            let dir = tempfile::tempdir().unwrap();
            let cols = [("a", ColType::Str), ("b", ColType::U64), ("c", ColType::F64)];
            fn value_row((s, b, c): &(String, Option<u64>, Option<f64>)) -> [Value<'_>; 3] {
                [Value::Str(s), (*b).into(), (*c).into()]
            }
            let mut one = TableWriter::create(dir.path(), "one", TableFormat::Csv, &cols).unwrap();
            for r in &rows {
                one.row(&value_row(r)).unwrap();
            }
            let (one_path, _) = one.finish().unwrap();
            let mut par = TableWriter::create(dir.path(), "par", TableFormat::Csv, &cols).unwrap();
            par.rows(rows.len(), |i, row| row.extend(value_row(&rows[i]))).unwrap();
            let (par_path, n) = par.finish().unwrap();
            proptest::prop_assert_eq!(n, rows.len() as u64);

            let mut expected = csv::Writer::from_writer(Vec::new());
            expected.write_record(["a", "b", "c"]).unwrap();
            let (mut ib, mut rb) = (itoa::Buffer::new(), ryu::Buffer::new());
            for (s, b, c) in &rows {
                let b = b.map(|x| ib.format(x).to_string()).unwrap_or_default();
                let c = c.map(|x| fmt_f64(&mut rb, &mut itoa::Buffer::new(), x).to_string()).unwrap_or_default();
                expected.write_record([s.as_str(), &b, &c]).unwrap();
            }
            let expected = expected.into_inner().unwrap();
            proptest::prop_assert_eq!(&std::fs::read(one_path).unwrap(), &expected);
            proptest::prop_assert_eq!(&std::fs::read(par_path).unwrap(), &expected);

            let mut w = TableWriter::create(dir.path(), "single", TableFormat::Csv, &[("x", ColType::Str)]).unwrap();
            w.row(&[Value::Str(&single)]).unwrap();
            let (path, _) = w.finish().unwrap();
            let mut expected = csv::Writer::from_writer(Vec::new());
            expected.write_record(["x"]).unwrap();
            expected.write_record([single.as_str()]).unwrap();
            proptest::prop_assert_eq!(std::fs::read(path).unwrap(), expected.into_inner().unwrap());
        }
    }

    #[test]
    fn parquet_round_trips() {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let dir = tempfile::tempdir().unwrap();
        let mut w = TableWriter::create(
            dir.path(),
            "t",
            TableFormat::Parquet,
            &[("a", ColType::Str), ("b", ColType::I64), ("c", ColType::Bool)],
        )
        .unwrap();
        for i in 0..70_000i64 {
            w.row(&[Value::Str("s"), if i % 2 == 0 { Value::I64(i) } else { Value::Null }, Value::Bool(i % 3 == 0)])
                .unwrap();
        }
        let (path, _) = w.finish().unwrap();
        let file = std::fs::File::open(path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let mut total = 0;
        let mut nulls = 0;
        for batch in reader {
            let batch = batch.unwrap();
            total += batch.num_rows();
            nulls += batch.column(1).null_count();
        }
        assert_eq!(total, 70_000);
        assert_eq!(nulls, 35_000);
    }
}
