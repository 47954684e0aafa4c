//! Delimited text parsed on several threads.
//!
//! The calling thread reads the input in chunks of about [`CHUNK`] bytes, each
//! cut just after the last whole record in it ([`last_record_end`]: a quote-aware
//! scan, far cheaper than splitting), and counts the lines in each so every
//! chunk knows the line it starts on. Worker threads split and check the chunks'
//! records into sinks of their own ([`Sink::for_parts`]); the calling thread
//! hands each chunk's part to the input's sink strictly in input order
//! ([`Sink::absorb`]). So the dataset, the counts, the skipped records and their
//! order, and the first bad record under `--strict` are those of one thread
//! reading the whole input; the tests check this on random inputs cut into
//! chunks of every size.
//!
//! With one parsing thread, parsing and the interning of the batches before
//! (`lockstep_core::Loader::push_all`) took turns on the cores; with a parsing
//! thread per core and the interning pipelined, reading the 10M-post
//! benchmark input went from 3.1-4.5 s to 2.4-3.0 s.

use super::split::{last_record_end, Splitter};
use crate::sink::{Part, Sink};
use crate::Result;
use lockstep_core::{Diagnostics, ShareBatch};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::Mutex;

/// Bytes per chunk (about 14,000 rows of a typical export: one batch).
pub(crate) const CHUNK: usize = 1 << 20;

/// Parsing threads at most (more wait on the interning anyway).
pub(crate) const MAX_THREADS: usize = 8;

/// How to cut an input into chunks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    /// `b','` or `b'\t'`.
    pub delimiter: u8,
    /// Bytes per chunk (a chunk grows to hold a longer record).
    pub chunk: usize,
    /// Parsing threads.
    pub threads: usize,
}

/// One chunk for a worker: whole records, the line of the first, and an
/// emptied batch to put their shares in.
struct Chunk {
    seq: u64,
    bytes: Vec<u8>,
    line: u64,
    batch: ShareBatch,
}

/// A worker's result for one chunk: what it found, how it ended (an error
/// here is the chunk's first bad record under `--strict`), and the bytes of
/// the chunk it split before this one, for reuse.
struct Done {
    seq: u64,
    part: Part,
    result: std::thread::Result<Result<()>>,
    spare: Vec<u8>,
}

/// Reads the rest of an input, `rest` (already read, starting at `line`) and
/// then `inner`, with `parse` splitting the records of each chunk into a sink.
pub(crate) fn read<P>(
    inner: &mut dyn Read,
    rest: Vec<u8>,
    line: u64,
    cut: Cut,
    sink: &mut Sink<'_>,
    parse: P,
) -> Result<()>
where
    P: Fn(&mut Splitter<io::Empty>, &mut Sink<'_>) -> Result<()> + Sync,
{
    let opts = sink.options().clone();
    let info = sink.info().clone();
    let (chunk_tx, chunk_rx) = mpsc::channel::<Chunk>();
    let chunk_rx = Mutex::new(chunk_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    std::thread::scope(|scope| {
        // Owned by this closure, so a panic here also closes the workers' queue
        // (the scope waits for them).
        let chunk_tx = chunk_tx;
        for _ in 0..cut.threads {
            let (chunk_rx, done_tx, opts, info, parse) = (&chunk_rx, done_tx.clone(), &opts, info.clone(), &parse);
            scope.spawn(move || {
                let mut diags = Diagnostics::default();
                let mut part_sink = Sink::for_parts(&mut diags, opts, info);
                let mut splitter = Splitter::for_chunks(cut.delimiter);
                loop {
                    // A poisoned lock means another worker panicked; the scope reports it.
                    let next = chunk_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(chunk)) = next else { return };
                    part_sink.start_part(chunk.batch);
                    let spare = splitter.split_chunk(chunk.bytes, chunk.line);
                    // A panic goes to the calling thread with the chunk's turn:
                    // it would otherwise wait for this chunk for ever.
                    let result = std::panic::catch_unwind(AssertUnwindSafe(|| parse(&mut splitter, &mut part_sink)));
                    let done = Done { seq: chunk.seq, part: part_sink.take_part(), result, spare };
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut order = InOrder {
            sink,
            pending: BTreeMap::new(),
            next: 0,
            sent: 0,
            stopped: false,
            spare: Vec::new(),
            batches: Vec::new(),
        };
        let result = cut_and_send(inner, rest, line, cut, &chunk_tx, &done_rx, &mut order);
        // No more chunks: the workers finish theirs and stop.
        drop(chunk_tx);
        // A bad record before the point where reading stopped comes first, as
        // it would on one thread.
        let merged = order.drain(&done_rx, 0);
        merged.and(result)
    })
}

/// The calling thread's loop: reads, cuts and sends chunks, and hands finished
/// ones to the sink while it goes.
fn cut_and_send(
    inner: &mut dyn Read,
    mut buf: Vec<u8>,
    mut line: u64,
    cut: Cut,
    chunk_tx: &mpsc::Sender<Chunk>,
    done_rx: &mpsc::Receiver<Done>,
    order: &mut InOrder<'_, '_>,
) -> Result<()> {
    // Chunks sent and not yet handed to the sink, at most.
    let in_flight = 2 * cut.threads as u64 + 2;
    let mut want = cut.chunk.max(1);
    let mut eof = false;
    loop {
        if !eof && buf.len() < want {
            let need = (want - buf.len()) as u64;
            let got = inner.take(need).read_to_end(&mut buf);
            match got {
                Ok(n) => eof = (n as u64) < need,
                Err(e) => {
                    // As on one thread: the line after the last whole record read.
                    let whole = last_record_end(&buf, cut.delimiter).unwrap_or(0);
                    let at = line + memchr::memchr_iter(b'\n', &buf[..whole]).count() as u64;
                    return Err(order.sink.info().read_error(at, e));
                }
            }
        }
        let end = if eof {
            buf.len()
        } else {
            match last_record_end(&buf, cut.delimiter) {
                Some(end) => end,
                None => {
                    // One record longer than a chunk: read on until it ends.
                    want = want.max(buf.len()) * 2;
                    continue;
                }
            }
        };
        if end == 0 {
            return Ok(());
        }
        want = cut.chunk.max(1);
        let mut next = order.spare.pop().unwrap_or_default();
        next.clear();
        next.reserve(want);
        next.extend_from_slice(&buf[end..]);
        buf.truncate(end);
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        let batch = order.batches.pop().unwrap_or_default();
        let chunk = Chunk { seq: order.sent, bytes: std::mem::replace(&mut buf, next), line, batch };
        order.sent += 1;
        line += lines;
        if chunk_tx.send(chunk).is_err() {
            // Every worker is gone (a panic, which the scope reports).
            return Ok(());
        }
        order.drain(done_rx, in_flight)?;
        if eof && buf.is_empty() {
            return Ok(());
        }
    }
}

/// Finished chunks waiting for their turn, and the sink they go to.
struct InOrder<'s, 'a> {
    sink: &'s mut Sink<'a>,
    pending: BTreeMap<u64, Done>,
    /// The chunk the sink takes next.
    next: u64,
    /// Chunks sent so far.
    sent: u64,
    /// Set once a chunk ended in error: nothing after it reaches the sink.
    stopped: bool,
    /// Chunk buffers to reuse.
    spare: Vec<Vec<u8>>,
    /// Emptied batches to reuse.
    batches: Vec<ShareBatch>,
}

impl InOrder<'_, '_> {
    /// Waits for finished chunks until at most `left` are still out, handing
    /// each to the sink in order; stops at the first chunk that ended in error.
    fn drain(&mut self, done_rx: &mpsc::Receiver<Done>, left: u64) -> Result<()> {
        while !self.stopped {
            for done in done_rx.try_iter() {
                self.pending.insert(done.seq, done);
            }
            while let Some(done) = self.pending.remove(&self.next) {
                self.next += 1;
                self.spare.push(done.spare);
                self.batches.push(self.sink.absorb(done.part));
                match done.result {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        self.stopped = true;
                        return Err(e);
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            if self.sent - self.next <= left {
                break;
            }
            match done_rx.recv() {
                Ok(done) => {
                    self.pending.insert(done.seq, done);
                }
                // Every worker is gone (a panic, which the scope reports).
                Err(_) => break,
            }
        }
        Ok(())
    }
}
