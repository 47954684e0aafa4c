//! lockstep-synth (being written)
