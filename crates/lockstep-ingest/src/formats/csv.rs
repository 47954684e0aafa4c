//! CSV and TSV (RFC 4180 quoting in both: quoted fields may hold delimiters,
//! quotes and newlines). The first row is the header. Line numbers are those of
//! the physical line where a record starts; the header is line 1.

use super::{find_column, Reader};
use crate::sink::{reason, Field, Record, Sink};
use crate::source::Source;
use crate::{Error, Result};
use ::csv::{ByteRecord, ErrorKind, ReaderBuilder};

/// Delimited text with a header row.
pub(crate) struct DelimitedReader {
    /// `b','` or `b'\t'`.
    pub delimiter: u8,
}

impl Reader for DelimitedReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let Source { info, reader, .. } = src;
        let mut rdr = ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 16)
            .from_reader(super::lines::LineIndex::new(reader));
        let header = match rdr.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(csv_error(&info, 1, e)),
        };
        if header.is_empty() {
            return Err(Error::Empty { file: info.name, what: "no header line" });
        }
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                let h = h.strip_prefix(b"\xef\xbb\xbf").unwrap_or(h);
                String::from_utf8_lossy(h).trim().to_string()
            })
            .collect();
        let cols = sink.columns().clone();
        let required = |name: &str, role: &'static str| {
            find_column(&names, name).ok_or_else(|| Error::MissingColumn {
                file: info.name.clone(),
                role,
                column: name.to_string(),
                available: names.clone(),
            })
        };
        let account = required(&cols.account, "account")?;
        let object = required(&cols.object, "object")?;
        let time = required(&cols.time, "time")?;
        let kind = cols.kind.as_deref().map(|k| required(k, "kind")).transpose()?;
        let post = cols.post.as_deref().and_then(|p| find_column(&names, p));

        let mut row = ByteRecord::new();
        let mut line = 1;
        loop {
            match rdr.read_byte_record(&mut row) {
                Ok(true) => {
                    line = row.position().map_or(line + 1, |p| rdr.get_mut().line_at(p.byte()));
                    let get = |i: usize| row.get(i).map_or(Field::Missing, Field::Bytes);
                    let rec = Record {
                        account: get(account),
                        object: get(object),
                        time: get(time),
                        post: post.map_or(Field::Missing, get),
                        kind: kind.map_or(Field::Missing, get),
                    };
                    sink.accept(line, &rec)?;
                }
                Ok(false) => break,
                Err(e) => match e.kind() {
                    ErrorKind::UnequalLengths { pos, expected_len, len } => {
                        line = pos.as_ref().map_or(line + 1, |p| rdr.get_mut().line_at(p.byte()));
                        let mut detail = format!("{len} fields, the header has {expected_len}");
                        // The reader now stands just after the record.
                        let end = rdr.position().byte();
                        let last = rdr.get_ref().last_line_at(end);
                        if last > line {
                            detail.push_str(&format!(
                                "; the record runs over lines {line}-{last}: a quote opened on line {line} \
                                 is not closed, so the lines after it were read as part of this record"
                            ));
                        }
                        sink.reject(line, reason::WRONG_FIELD_COUNT, detail)?;
                    }
                    _ => return Err(csv_error(&info, line, e)),
                },
            }
        }
        if sink.records() == 0 {
            return Err(Error::Empty { file: info.name, what: "a header but no records" });
        }
        Ok(())
    }
}

fn csv_error(info: &crate::source::SourceInfo, line: u64, e: ::csv::Error) -> Error {
    if e.is_io_error() {
        match e.into_kind() {
            ErrorKind::Io(io) => info.read_error(line, io),
            _ => unreachable!("is_io_error"),
        }
    } else {
        Error::Csv { file: info.name.clone(), line, source: e }
    }
}
