//! The file an import reads. It is read from its start more than once (to check every row, then to
//! write them), never held whole, so an import's memory does not grow with the file.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// A reader of the file, which the import's parsing thread may own (`with_batches`).
pub(super) type Reader<'a> = Box<dyn BufRead + Send + 'a>;

/// A file on disk (the command line) or a body already received (the API, whose size is capped).
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    File(&'a Path),
    Text(&'a str),
}

const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

impl<'a> Input<'a> {
    /// A reader from the start of the file, past a byte-order mark if it has one.
    pub(super) fn open(&self) -> io::Result<Reader<'a>> {
        let mut reader: Reader<'a> = match *self {
            Self::File(path) => Box::new(BufReader::with_capacity(1 << 16, File::open(path)?)),
            Self::Text(text) => Box::new(text.as_bytes()),
        };
        if reader.fill_buf()?.starts_with(BYTE_ORDER_MARK) {
            reader.consume(BYTE_ORDER_MARK.len());
        }
        Ok(reader)
    }

    /// The first line that is not blank, which says what the file holds.
    pub(super) fn first_line(&self) -> io::Result<Option<String>> {
        for line in self.open()?.lines() {
            let line = line?;
            if !line.trim().is_empty() {
                return Ok(Some(line));
            }
        }
        Ok(None)
    }
}
