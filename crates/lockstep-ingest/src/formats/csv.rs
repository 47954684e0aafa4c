//! CSV and TSV (RFC 4180 quoting in both: quoted fields may hold delimiters,
//! quotes and newlines). The first row is the header. Line numbers are those of
//! the physical line where a record starts; the header is line 1.

use super::split::Splitter;
use super::{find_column, Reader};
use crate::sink::{reason, Field, Record, Sink};
use crate::source::Source;
use crate::{Error, Result};

/// Delimited text with a header row.
pub(crate) struct DelimitedReader {
    /// `b','` or `b'\t'`.
    pub delimiter: u8,
}

impl Reader for DelimitedReader {
    fn read(&mut self, src: Source, sink: &mut Sink<'_>) -> Result<()> {
        let Source { info, reader, .. } = src;
        let mut rdr = Splitter::new(reader, self.delimiter);
        let header = match rdr.next_record() {
            Ok(Some(h)) => h,
            Ok(None) => return Err(Error::Empty { file: info.name, what: "no header line" }),
            Err(e) => return Err(info.read_error(rdr.line(), e)),
        };
        let names: Vec<String> = header
            .fields()
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

        loop {
            let rec = match rdr.next_record() {
                Ok(Some(rec)) => rec,
                Ok(None) => break,
                Err(e) => return Err(info.read_error(rdr.line(), e)),
            };
            let line = rec.line;
            if rec.len() != names.len() {
                let mut detail = format!("{} fields, the header has {}", rec.len(), names.len());
                if rec.last_line > line {
                    detail.push_str(&format!(
                        "; the record runs over lines {line}-{}: a quote opened on line {line} \
                         is not closed, so the lines after it were read as part of this record",
                        rec.last_line
                    ));
                }
                sink.reject(line, reason::WRONG_FIELD_COUNT, detail)?;
                continue;
            }
            let get = |i: usize| rec.field(i).unwrap_or(Field::Missing);
            let record = Record {
                account: get(account),
                object: get(object),
                time: get(time),
                post: post.map_or(Field::Missing, get),
                kind: kind.map_or(Field::Missing, get),
            };
            sink.accept(line, &record)?;
        }
        if sink.records() == 0 {
            return Err(Error::Empty { file: info.name, what: "a header but no records" });
        }
        Ok(())
    }
}
