//! Loading images and tensors into an N×C×H×W batch, with limits.
