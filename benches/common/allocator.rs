//! The benchmarks allocate as the `optovik` binary does (mimalloc), so
//! their figures are the shipped program's.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
