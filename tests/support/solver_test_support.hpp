// Shared helpers for solver tests: the executors to run on, batches from
// DenseQp problems, and tolerances tied to the solver's eps.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"

namespace bpqp {

// Status names in GoogleTest failure messages (found by argument-dependent lookup).
inline void PrintTo(SolveStatus s, std::ostream* os) { *os << to_string(s); }
inline void PrintTo(InputIssue s, std::ostream* os) { *os << to_string(s); }
inline void PrintTo(PolishStatus s, std::ostream* os) { *os << to_string(s); }

}  // namespace bpqp

namespace bpqp::testing {

// Whether this run of a backend test binary is its CUDA run (BPQP_TEST_EXECUTOR=cuda:
// ctest's backend_suite_on_cuda, label gpu), in which every test_executor is the GPU's.
inline bool suite_on_cuda() {
  const char* executor = std::getenv("BPQP_TEST_EXECUTOR");
  return executor && std::string(executor) == "cuda";
}

// The executor a backend test solves on: the CPU with `threads` threads (0: all), or
// the CUDA executor in the suite's CUDA run — so every backend test also runs on the GPU.
inline Executor test_executor(int threads = 0) { return suite_on_cuda() ? Executor::cuda(0) : Executor::cpu(threads); }

// Every executor this build and machine can run: CPU with one and two threads,
// and CUDA when a device exists (GPU-only tests skip loudly otherwise).
inline std::vector<std::pair<std::string, Executor>> available_executors() {
  std::vector<std::pair<std::string, Executor>> list = {{"cpu1", Executor::cpu(1)}, {"cpu2", Executor::cpu(2)}};
  if (cuda_available()) list.push_back({"cuda", Executor::cuda(0)});
  return list;
}

// x1 + x2 ≥ 3 with x1, x2 ≤ 1: primal infeasible, certificate y ∝ (−1, 1, 1).
inline DenseQp small_infeasible_qp() {
  DenseQp qp;
  qp.n = 2;
  qp.m = 3;
  qp.P = {1, 0, 0, 1};
  qp.q = {0, 0};
  qp.A = {1, 1, 1, 0, 0, 1};
  const double inf = std::numeric_limits<double>::infinity();
  qp.l = {3, -inf, -inf};
  qp.u = {inf, 1, 1};
  return qp;
}

template <class T>
double solver_eps() {
  return effective_eps_abs<T>(Settings{});
}

// Max |a_i − b_i| / (1 + max|b|).
template <class T>
double relative_error(const T* a, const std::vector<double>& b) {
  double scale = 1.0, err = 0.0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < b.size(); ++i) err = std::max(err, std::abs(double(a[i]) - b[i]));
  return err / scale;
}

}  // namespace bpqp::testing
