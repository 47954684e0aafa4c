//! Fusion (placeholder until written).
