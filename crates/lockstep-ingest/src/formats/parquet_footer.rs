//! A bounds check of a Parquet footer before the `parquet` crate decodes it.
//!
//! parquet 55 sizes vectors from the counts a footer declares (`Vec::with_capacity`
//! in its metadata reader). A crafted footer of a few dozen bytes that declares a
//! list of billions of elements makes it ask for ~100 GB: the allocation fails and
//! the process aborts, which no `catch_unwind` can turn into an error (found by the
//! `read_parquet` fuzz target; fuzz/RUNS.md). Every element of a Thrift
//! compact-protocol list takes at least one byte, and every binary field its
//! declared length, so a footer is safe to decode when each declared count and
//! length fits in the bytes that remain after it. This module walks the footer
//! generically (field headers and types only, no Parquet schema) and checks that,
//! and a nesting limit, before the crate sees it. It allocates nothing.

/// Deepest nesting of structs, lists and maps accepted. Real footers nest a few
/// levels (file → row group → column chunk → metadata → statistics).
const MAX_DEPTH: usize = 64;

/// Checks the Thrift compact-protocol struct that makes up a Parquet footer's
/// metadata. `Err` says what is wrong and at which byte of the metadata.
pub(crate) fn check_metadata(meta: &[u8]) -> Result<(), String> {
    let mut w = Walker { buf: meta, pos: 0 };
    w.skip_struct(0)?;
    Ok(())
}

/// The footer of a whole Parquet file: `PAR1`, …, metadata, its length (u32, little
/// endian), `PAR1`. Returns the metadata's byte range, or why the tail is not one.
pub(crate) fn metadata_range(file_len: u64, tail: &[u8]) -> Result<(u64, u64), String> {
    if tail.len() < 8 || &tail[tail.len() - 4..] != b"PAR1" {
        return Err("the file does not end with the Parquet magic bytes `PAR1`".into());
    }
    let n = tail.len();
    let meta_len = u32::from_le_bytes([tail[n - 8], tail[n - 7], tail[n - 6], tail[n - 5]]) as u64;
    // `PAR1` at the start, the metadata, 8 bytes of length and magic at the end.
    if meta_len + 12 > file_len {
        return Err(format!("the footer declares {meta_len} bytes of metadata in a file of {file_len} bytes"));
    }
    Ok((file_len - 8 - meta_len, meta_len))
}

struct Walker<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.pos).ok_or_else(|| format!("metadata ends early at byte {}", self.pos))?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift.min(63);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("an over-long integer ends at byte {}", self.pos))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), String> {
        if n > self.remaining() as u64 {
            return Err(format!(
                "{what} of {n} bytes at byte {} runs past the metadata's {} bytes",
                self.pos,
                self.buf.len()
            ));
        }
        self.pos += n as usize;
        Ok(())
    }

    /// A count of elements that must each take at least one of the bytes left.
    fn count(&mut self, what: &str) -> Result<u64, String> {
        let at = self.pos;
        let n = self.varint()?;
        if n > self.remaining() as u64 {
            return Err(format!(
                "a {what} at byte {at} declares {n} elements but only {} bytes follow",
                self.remaining()
            ));
        }
        Ok(n)
    }

    fn skip_struct(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("structures nest deeper than {MAX_DEPTH} levels at byte {}", self.pos));
        }
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            if header >> 4 == 0 {
                self.varint()?; // the field id in full (zigzag i16)
            }
            match header & 0x0f {
                1 | 2 => {} // a boolean field carries its value in the header
                t => self.skip_value(t, depth)?,
            }
        }
    }

    fn skip_value(&mut self, ty: u8, depth: usize) -> Result<(), String> {
        match ty {
            1..=3 => self.skip(1, "a byte"), // booleans take a byte in a list
            4..=6 => self.varint().map(drop),
            7 => self.skip(8, "a double"),
            8 => {
                let at = self.pos;
                let n = self.varint()?;
                self.skip(n, &format!("a binary field declared at byte {at}"))
            }
            9 | 10 => {
                if depth >= MAX_DEPTH {
                    return Err(format!("structures nest deeper than {MAX_DEPTH} levels at byte {}", self.pos));
                }
                let header = self.byte()?;
                let n = match header >> 4 {
                    15 => self.count("list")?,
                    n => u64::from(n),
                };
                let elem = header & 0x0f;
                for _ in 0..n {
                    self.skip_value(elem, depth + 1)?;
                }
                Ok(())
            }
            11 => {
                if depth >= MAX_DEPTH {
                    return Err(format!("structures nest deeper than {MAX_DEPTH} levels at byte {}", self.pos));
                }
                let n = self.count("map")?;
                if n > 0 {
                    let kinds = self.byte()?;
                    for _ in 0..n {
                        self.skip_value(kinds >> 4, depth + 1)?;
                        self.skip_value(kinds & 0x0f, depth + 1)?;
                    }
                }
                Ok(())
            }
            12 => self.skip_struct(depth + 1),
            t => Err(format!("unknown Thrift type {t} at byte {}", self.pos - 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FileMetaData { version: 1, schema: list<struct> of `n` elements declared, … }.
    fn list_declaring(n: u64, present: usize) -> Vec<u8> {
        let mut m = vec![0x15, 0x02]; // field 1, i32, zigzag(1)
        m.push(0x19); // field 2 (delta 1), list
        m.push(0xfc); // size in a varint, element type struct
        let mut v = n;
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                m.push(b);
                break;
            }
            m.push(b | 0x80);
        }
        m.extend(std::iter::repeat_n(0u8, present)); // `present` empty structs
        m.push(0); // end of FileMetaData
        m
    }

    #[test]
    fn a_declared_count_beyond_the_bytes_left_is_refused() {
        let err = check_metadata(&list_declaring(1 << 31, 3)).unwrap_err();
        assert!(err.contains("declares 2147483648 elements"), "{err}");
        assert!(check_metadata(&list_declaring(3, 3)).is_ok());
    }

    #[test]
    fn binary_lengths_truncation_and_depth_are_checked() {
        // field 1, binary of 200 bytes declared, 2 present.
        let err = check_metadata(&[0x18, 0xc8, 0x01, b'a', b'b', 0]).unwrap_err();
        assert!(err.contains("200 bytes"), "{err}");
        assert!(check_metadata(&[0x15]).unwrap_err().contains("ends early"));
        let deep: Vec<u8> = std::iter::repeat_n(0x1c, 200).chain(std::iter::repeat_n(0, 201)).collect();
        assert!(check_metadata(&deep).unwrap_err().contains("nest deeper"));
        assert!(check_metadata(&[0x1d]).unwrap_err().contains("unknown Thrift type 13"));
    }

    #[test]
    fn the_footer_length_must_fit_the_file() {
        let mut tail = vec![0u8; 4];
        tail.extend(100u32.to_le_bytes());
        tail.extend(b"PAR1");
        assert!(metadata_range(50, &tail).unwrap_err().contains("100 bytes of metadata"));
        assert_eq!(metadata_range(200, &tail).unwrap(), (92, 100));
        assert!(metadata_range(200, b"PAR1PAR2").is_err());
    }
}
