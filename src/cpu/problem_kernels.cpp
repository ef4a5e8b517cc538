// Picks the CPU kernels' instruction-set variant (include/bpqp/cpu_isa.hpp) and hands out
// its table (src/cpu/problem_kernels.hpp).
#include "cpu/problem_kernels.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace bpqp {
namespace {

// Set by set_cpu_isa (or resolved from the environment at the first call); -1 = not yet.
std::atomic<int> chosen_isa{-1};

bool cpu_runs(CpuIsa isa) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  switch (isa) {
    case CpuIsa::generic: return true;
    case CpuIsa::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CpuIsa::avx512:
      return cpu_runs(CpuIsa::avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  }
  return false;
#else
  return isa == CpuIsa::generic;
#endif
}

bool built_with(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::generic: return true;
#if defined(BPQP_CPU_HAS_AVX2)
    case CpuIsa::avx2: return true;
#endif
#if defined(BPQP_CPU_HAS_AVX512)
    case CpuIsa::avx512: return true;
#endif
    default: return false;
  }
}

const char* const isa_names = "generic, avx2, avx512";

}  // namespace

const char* to_string(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::generic: return "generic";
    case CpuIsa::avx2: return "avx2";
    case CpuIsa::avx512: return "avx512";
  }
  return "unknown";
}

CpuIsa cpu_isa_from_string(const std::string& name) {
  for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2, CpuIsa::avx512})
    if (name == to_string(isa)) return isa;
  throw std::invalid_argument("bpqp: unknown CPU instruction-set variant '" + name + "' (expected one of " +
                              isa_names + ")");
}

bool cpu_isa_supported(CpuIsa isa) { return built_with(isa) && cpu_runs(isa); }

CpuIsa best_cpu_isa() {
  for (CpuIsa isa : {CpuIsa::avx512, CpuIsa::avx2})
    if (cpu_isa_supported(isa)) return isa;
  return CpuIsa::generic;
}

void set_cpu_isa(CpuIsa isa) {
  if (!cpu_isa_supported(isa))
    throw std::invalid_argument(std::string("bpqp: the CPU kernels' ") + to_string(isa) + " variant is " +
                                (built_with(isa) ? "not supported by this CPU" : "not part of this build") +
                                " (best here: " + to_string(best_cpu_isa()) + ")");
  chosen_isa.store(static_cast<int>(isa));
}

CpuIsa cpu_isa() {
  const int chosen = chosen_isa.load();
  if (chosen >= 0) return static_cast<CpuIsa>(chosen);
  const char* requested = std::getenv("BPQP_CPU_ISA");
  if (!requested || !*requested) {
    chosen_isa.store(static_cast<int>(best_cpu_isa()));
  } else {
    try {
      set_cpu_isa(cpu_isa_from_string(requested));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + ", from the environment variable BPQP_CPU_ISA");
    }
  }
  return static_cast<CpuIsa>(chosen_isa.load());
}

namespace cpu {

template <class T>
const ProblemKernels<T>& problem_kernels() {
  switch (cpu_isa()) {
#if defined(BPQP_CPU_HAS_AVX512)
    case CpuIsa::avx512: return variant_avx512::problem_kernels<T>();
#endif
#if defined(BPQP_CPU_HAS_AVX2)
    case CpuIsa::avx2: return variant_avx2::problem_kernels<T>();
#endif
    default: return variant_generic::problem_kernels<T>();
  }
}

template const ProblemKernels<float>& problem_kernels<float>();
template const ProblemKernels<double>& problem_kernels<double>();

}  // namespace cpu
}  // namespace bpqp
