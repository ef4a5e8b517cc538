// The macros that let kernels/ compile under both g++ (CPU backend, tests) and nvcc (CUDA
// backend): host+device and always-inline. See DESIGN.md §2.
#pragma once

#if defined(__CUDACC__)
#define BPQP_HD __host__ __device__
#define BPQP_INLINE __forceinline__
#elif defined(__GNUC__)
// Always inlined on the host too, at every optimization level: a kernels/ function that is
// not a template of its thread group must compile into its caller, so that the CPU's
// instruction-set variants (src/cpu/problem_kernels_variant.cpp) never emit a copy of it
// for the linker to merge across variants. Every such function is BPQP_INLINE.
#define BPQP_HD
#define BPQP_INLINE inline __attribute__((always_inline))
#else
#define BPQP_HD
#define BPQP_INLINE inline
#endif
