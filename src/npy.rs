//! Reading and writing `.npy` batches (native only).
