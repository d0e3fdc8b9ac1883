//! The conclusion sentences of every lab experiment, computed from a lab
//! file plus the panel's settings.
