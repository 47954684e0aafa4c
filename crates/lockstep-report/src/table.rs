//! One table writer for two formats: rows go in as typed [`Value`]s and come out
//! as CSV (RFC 4180, empty field = missing) or Parquet (nullable columns,
//! Snappy-compressed row groups of 64Ki rows).

use crate::{Error, Result};
use arrow::array::{ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, UInt64Builder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Unsigned integer.
    U64(u64),
    /// Signed integer.
    I64(i64),
    /// Floating point.
    F64(f64),
    /// Boolean.
    Bool(bool),
    /// Missing.
    Null,
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

enum Sink {
    Csv(csv::Writer<BufWriter<fs_err::File>>),
    Parquet { writer: Option<ArrowWriter<fs_err::File>>, builders: Vec<Builder>, rows: usize, schema: Arc<Schema> },
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
    sink: Sink,
    itoa: itoa::Buffer,
    ryu: ryu::Buffer,
    rows: u64,
}

impl TableWriter {
    /// Creates `dir/name.{csv,parquet}` with the given columns.
    pub fn create(dir: &Path, name: &str, format: TableFormat, columns: &[(&'static str, ColType)]) -> Result<Self> {
        let path = dir.join(format!("{name}.{}", format.extension()));
        let file = fs_err::File::create(&path)?;
        let sink = match format {
            TableFormat::Csv => {
                let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
                w.write_record(columns.iter().map(|c| c.0)).map_err(|e| Error::csv(&path, e))?;
                Sink::Csv(w)
            }
            TableFormat::Parquet => {
                let schema = Arc::new(Schema::new(
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
                ));
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_size(ROW_GROUP)
                    .set_created_by(format!("lockstep {}", env!("CARGO_PKG_VERSION")))
                    .build();
                let writer =
                    ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| Error::parquet(&path, e))?;
                Sink::Parquet { writer: Some(writer), builders: new_builders(columns), rows: 0, schema }
            }
        };
        Ok(TableWriter {
            path,
            columns: columns.to_vec(),
            sink,
            itoa: itoa::Buffer::new(),
            ryu: ryu::Buffer::new(),
            rows: 0,
        })
    }

    /// Appends one row; `values` must match the columns in number and type.
    pub fn row(&mut self, values: &[Value<'_>]) -> Result<()> {
        debug_assert_eq!(values.len(), self.columns.len(), "{}", self.path.display());
        self.rows += 1;
        match &mut self.sink {
            Sink::Csv(w) => {
                for v in values {
                    let r = match *v {
                        Value::Str(s) => w.write_field(s),
                        Value::U64(x) => w.write_field(self.itoa.format(x)),
                        Value::I64(x) => w.write_field(self.itoa.format(x)),
                        Value::F64(x) => w.write_field(fmt_f64(&mut self.ryu, &mut self.itoa, x)),
                        Value::Bool(b) => w.write_field(if b { "true" } else { "false" }),
                        Value::Null => w.write_field(""),
                    };
                    r.map_err(|e| Error::csv(&self.path, e))?;
                }
                w.write_record(None::<&[u8]>).map_err(|e| Error::csv(&self.path, e))?;
            }
            Sink::Parquet { builders, rows, .. } => {
                for (b, v) in builders.iter_mut().zip(values) {
                    match (b, *v) {
                        (Builder::Str(b), Value::Str(s)) => b.append_value(s),
                        (Builder::Str(b), Value::Null) => b.append_null(),
                        (Builder::U64(b), Value::U64(x)) => b.append_value(x),
                        (Builder::U64(b), Value::Null) => b.append_null(),
                        (Builder::I64(b), Value::I64(x)) => b.append_value(x),
                        (Builder::I64(b), Value::Null) => b.append_null(),
                        (Builder::F64(b), Value::F64(x)) => b.append_value(x),
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

    fn flush_batch(&mut self) -> Result<()> {
        if let Sink::Parquet { writer, builders, rows, schema } = &mut self.sink {
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
            writer.as_mut().expect("writer open").write(&batch).map_err(|e| Error::parquet(&self.path, e))?;
            *rows = 0;
        }
        Ok(())
    }

    /// Flushes and closes the file; returns its path and row count.
    pub fn finish(mut self) -> Result<(PathBuf, u64)> {
        match &mut self.sink {
            Sink::Csv(w) => w.flush().map_err(|e| Error::io(&self.path, e))?,
            Sink::Parquet { .. } => {
                self.flush_batch()?;
                if let Sink::Parquet { writer, .. } = &mut self.sink {
                    writer.take().expect("writer open").close().map_err(|e| Error::parquet(&self.path, e))?;
                }
            }
        }
        Ok((self.path.clone(), self.rows))
    }
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
