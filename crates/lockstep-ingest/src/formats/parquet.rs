//! Apache Parquet, read through Arrow record batches. Only the needed columns are
//! decoded. Id columns may be any string, binary or integer type (others are cast
//! to text when Arrow can); the time column may be an integer or float (by time
//! unit), a `Timestamp` of any unit, a `Date32`/`Date64`, or text (parsed like
//! the text formats). A null is a `missing_field`. Line numbers in diagnostics
//! are 1-based record numbers.
//!
//! A plain file is read in place; stdin and compressed input are read into memory
//! first (Parquet needs random access).

use super::{find_column, Reader};
use crate::sink::{Field, Record, Sink};
use crate::source::{RandomAccess, Source};
use crate::{Error, Result};
use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::arrow::ProjectionMask;
use ::parquet::file::reader::ChunkReader;
use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BinaryViewArray, Float64Array, Int64Array, LargeBinaryArray,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, UInt64Array,
};
use arrow::compute::{can_cast_types, cast};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Float64Type, Int64Type, TimeUnit as ArrowUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt64Type,
};

/// Parquet reader.
pub(crate) struct ParquetReader;

impl Reader for ParquetReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let file = sink.name().to_string();
        let input = src.into_random_access()?;
        // The parquet crate can panic on a malformed footer (found by the
        // `read_parquet` fuzz target): that is a whole-input error, not a crash.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match input {
            RandomAccess::File(f) => read_chunks(f, sink),
            RandomAccess::Bytes(b) => read_chunks(b, sink),
        }));
        read.unwrap_or_else(|payload| {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Error::Parquet {
                file,
                cause: ::parquet::errors::ParquetError::General(format!(
                    "malformed Parquet file (the decoder failed: {why})"
                )),
            })
        })
    }
}

/// Checks the footer's declared counts against its size before the parquet crate
/// sizes vectors from them (parquet_footer.rs says why).
fn check_footer<T: ChunkReader>(input: &T) -> std::result::Result<(), String> {
    let len = input.len();
    let io = |e: ::parquet::errors::ParquetError| format!("reading the footer failed: {e}");
    let tail = input.get_bytes(len.saturating_sub(8), len.min(8) as usize).map_err(io)?;
    let (start, meta_len) = super::parquet_footer::metadata_range(len, &tail)?;
    let meta = input.get_bytes(start, meta_len as usize).map_err(io)?;
    super::parquet_footer::check_metadata(&meta).map_err(|why| format!("footer metadata: {why}"))
}

fn read_chunks<T: ChunkReader + 'static>(input: T, sink: &mut Sink<'_>) -> Result<()> {
    let file = sink.name().to_string();
    let pq_err = |source| Error::Parquet { file: file.clone(), cause: source };
    check_footer(&input)
        .map_err(|why| pq_err(::parquet::errors::ParquetError::General(format!("malformed Parquet file ({why})"))))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(input).map_err(pq_err)?;
    let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
    let wanted = wanted_columns(&names, sink)?;
    if builder.metadata().file_metadata().num_rows() == 0 {
        return Err(Error::Empty { file, what: "the Parquet file has no rows" });
    }
    let roots: Vec<usize> = wanted.iter().filter_map(|(_, n, _)| find_column(&names, n)).collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let batches = builder.with_projection(mask).with_batch_size(16 * 1024).build().map_err(pq_err)?;
    read_batches(&wanted, batches, sink)
}

/// (role, column name, is_time) of every column to decode.
type Wanted = Vec<(&'static str, String, bool)>;

/// The columns to decode, of a table with columns `names`.
fn wanted_columns(names: &[String], sink: &Sink<'_>) -> Result<Wanted> {
    let file = sink.name();
    let cols = sink.columns();
    let required = |name: &str, role: &'static str| {
        find_column(names, name).ok_or_else(|| Error::MissingColumn {
            file: file.to_string(),
            role,
            column: name.to_string(),
            available: names.to_vec(),
        })
    };
    let mut wanted: Wanted = vec![
        ("account", required(&cols.account, "account")?, false),
        ("object", required(&cols.object, "object")?, false),
        ("time", required(&cols.time, "time")?, true),
    ]
    .into_iter()
    .map(|(role, i, t)| (role, names[i].clone(), t))
    .collect();
    if let Some(k) = &cols.kind {
        wanted.push(("kind", names[required(k, "kind")?].clone(), false));
    } else if sink.options().auto_kind_column && find_column(names, crate::AUTO_KIND_COLUMN).is_some() {
        wanted.push(("kind", crate::AUTO_KIND_COLUMN.to_string(), false));
    }
    if let Some(p) = cols.post.as_deref().filter(|p| find_column(names, p).is_some()) {
        wanted.push(("post", p.to_string(), false));
    }
    Ok(wanted)
}

/// Reads Arrow record batches with columns `names` (an in-memory table: the
/// Python package's input) as the rows of a Parquet file: the same column
/// rules, the same records. The batches' columns are read in place.
pub(crate) fn read_arrow_batches(
    names: &[String],
    batches: impl Iterator<Item = std::result::Result<RecordBatch, arrow::error::ArrowError>>,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let wanted = wanted_columns(names, sink)?;
    read_batches(&wanted, batches, sink)
}

fn read_batches(
    wanted: &Wanted,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, arrow::error::ArrowError>>,
    sink: &mut Sink<'_>,
) -> Result<()> {
    let file = sink.name().to_string();
    let mut record = 0u64;
    for batch in batches {
        let batch = batch.map_err(|source| Error::Arrow { file: file.clone(), record, cause: source })?;
        let col = |role: &str| -> Result<Option<Col>> {
            let Some((role, name, is_time)) = wanted.iter().find(|(r, _, _)| *r == role) else {
                return Ok(None);
            };
            Col::new(&batch, name, role, *is_time, &file, record).map(Some)
        };
        let [account, object, time, post, kind] =
            [col("account")?, col("object")?, col("time")?, col("post")?, col("kind")?];
        for i in 0..batch.num_rows() {
            record += 1;
            let rec = Record {
                account: at(&account, i),
                object: at(&object, i),
                time: at(&time, i),
                post: at(&post, i),
                kind: at(&kind, i),
            };
            sink.accept(record, &rec)?;
        }
    }
    Ok(())
}

/// Field `i` of an optional column.
fn at(c: &Option<Col>, i: usize) -> Field<'_> {
    c.as_ref().map_or(Field::Missing, |c| c.field(i))
}

/// One decoded column, normalised to a few concrete array types.
enum Col {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    Binary(BinaryArray),
    LargeBinary(LargeBinaryArray),
    BinaryView(BinaryViewArray),
    Int(Int64Array),
    UInt(UInt64Array),
    Float(Float64Array),
    /// Already UNIX seconds (from a typed timestamp or date).
    Seconds(Int64Array),
}

impl Col {
    fn new(batch: &RecordBatch, name: &str, role: &'static str, is_time: bool, file: &str, record: u64) -> Result<Col> {
        let arr: &ArrayRef = batch.column_by_name(name).expect("projected column is in the batch");
        let arrow_err = |source| Error::Arrow { file: file.to_string(), record, cause: source };
        let to_i64 = |a: &ArrayRef| -> Result<Int64Array> {
            Ok(cast(a, &DataType::Int64).map_err(arrow_err)?.as_primitive::<Int64Type>().clone())
        };
        Ok(match arr.data_type() {
            DataType::Utf8 => Col::Utf8(arr.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Col::LargeUtf8(arr.as_string::<i64>().clone()),
            DataType::Utf8View => Col::Utf8View(arr.as_string_view().clone()),
            DataType::Binary => Col::Binary(arr.as_binary::<i32>().clone()),
            DataType::LargeBinary => Col::LargeBinary(arr.as_binary::<i64>().clone()),
            DataType::BinaryView => Col::BinaryView(arr.as_binary_view().clone()),
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32 => Col::Int(to_i64(arr)?),
            DataType::UInt64 => Col::UInt(arr.as_primitive::<UInt64Type>().clone()),
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                Col::Float(cast(arr, &DataType::Float64).map_err(arrow_err)?.as_primitive::<Float64Type>().clone())
            }
            DataType::Timestamp(unit, _) if is_time => Col::Seconds(match unit {
                ArrowUnit::Second => arr.as_primitive::<TimestampSecondType>().reinterpret_cast::<Int64Type>(),
                ArrowUnit::Millisecond => arr.as_primitive::<TimestampMillisecondType>().unary(|v| v.div_euclid(1_000)),
                ArrowUnit::Microsecond => {
                    arr.as_primitive::<TimestampMicrosecondType>().unary(|v| v.div_euclid(1_000_000))
                }
                ArrowUnit::Nanosecond => {
                    arr.as_primitive::<TimestampNanosecondType>().unary(|v| v.div_euclid(1_000_000_000))
                }
            }),
            DataType::Date32 if is_time => {
                Col::Seconds(arr.as_primitive::<Date32Type>().unary(|d| i64::from(d) * 86_400))
            }
            DataType::Date64 if is_time => {
                Col::Seconds(arr.as_primitive::<Date64Type>().unary(|v| v.div_euclid(1_000)))
            }
            other if can_cast_types(other, &DataType::Utf8) => {
                Col::Utf8(cast(arr, &DataType::Utf8).map_err(arrow_err)?.as_string::<i32>().clone())
            }
            other => {
                return Err(Error::UnsupportedType {
                    file: file.to_string(),
                    column: name.to_string(),
                    role,
                    data_type: other.to_string(),
                })
            }
        })
    }

    #[inline]
    fn field(&self, i: usize) -> Field<'_> {
        macro_rules! pick {
            ($a:expr, $f:expr) => {
                if $a.is_null(i) {
                    Field::Missing
                } else {
                    $f($a.value(i))
                }
            };
        }
        match self {
            Col::Utf8(a) => pick!(a, Field::Str),
            Col::LargeUtf8(a) => pick!(a, Field::Str),
            Col::Utf8View(a) => pick!(a, Field::Str),
            Col::Binary(a) => pick!(a, Field::Bytes),
            Col::LargeBinary(a) => pick!(a, Field::Bytes),
            Col::BinaryView(a) => pick!(a, Field::Bytes),
            Col::Int(a) => pick!(a, |v: i64| Field::Int(v.into())),
            Col::UInt(a) => pick!(a, |v: u64| Field::Int(v.into())),
            Col::Float(a) => pick!(a, Field::Float),
            Col::Seconds(a) => pick!(a, Field::Seconds),
        }
    }
}
