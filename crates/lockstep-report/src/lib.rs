//! lockstep-report (being written)
