//! lockstep-ingest (being written)
