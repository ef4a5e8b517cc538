// Which vector instructions the CPU backend's per-problem kernels use. The library carries
// the kernels compiled three times — for any x86-64 (generic), for AVX2 with FMA, and for
// AVX-512 — and picks the widest this CPU runs at the first solve, so a default build is
// fast everywhere without -march=native. The environment variable BPQP_CPU_ISA
// (generic, avx2 or avx512) or set_cpu_isa() chooses another, e.g. to compare them.
// Off x86-64 (or with a compiler that lacks the flags) only generic is built.
#pragma once

#include <string>

namespace bpqp {

enum class CpuIsa { generic, avx2, avx512 };

const char* to_string(CpuIsa isa);
// The CpuIsa named `name` ("generic", "avx2", "avx512"); std::invalid_argument otherwise.
CpuIsa cpu_isa_from_string(const std::string& name);

// True when this build carries the variant and this CPU can run it.
bool cpu_isa_supported(CpuIsa isa);
// The widest supported variant.
CpuIsa best_cpu_isa();
// The variant solves use now: set_cpu_isa's choice, else BPQP_CPU_ISA, else best_cpu_isa().
// An unknown or unsupported BPQP_CPU_ISA throws std::invalid_argument here (and so at the
// first solve) rather than silently running another variant than the one asked for.
CpuIsa cpu_isa();
// Chooses the variant for every later CPU solve and backward pass, process-wide;
// std::invalid_argument if it is not supported here.
void set_cpu_isa(CpuIsa isa);

}  // namespace bpqp
