//! lockstep-detect (being written)
