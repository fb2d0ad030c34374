//! Reference kernels in plain Rust: the CPU backend, and the twin of every GPU kernel.
