// Seeded random draws and the small dense helpers the problem generators
// share (problem_generators.cpp, benchmark_problems.cpp). Private to the library.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace bpqp::detail {

// Draws built directly on mt19937_64's words: the standard fixes the engine's
// output, but not the algorithms of std::normal_distribution and friends, and
// a seeded test problem must be the same problem with every standard library.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : engine_(seed) {}

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Standard normal by Box–Muller, keeping the second value for the next call.
  double normal() {
    constexpr double kPi = 3.14159265358979323846;
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * kPi * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * kPi * u2);
  }

  bool coin(double p) { return uniform() < p; }

  // Fisher–Yates; the modulo bias (< 2^-50 here) is irrelevant for test data.
  void shuffle(std::vector<int>& v) {
    for (int i = static_cast<int>(v.size()) - 1; i > 0; --i) {
      const int j = static_cast<int>(engine_() % static_cast<std::uint64_t>(i + 1));
      std::swap(v[i], v[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

inline double dot(const double* a, const double* b, int n) {
  double s = 0.0;
  for (int j = 0; j < n; ++j) s += a[j] * b[j];
  return s;
}

// rows×cols, row-major, entries N(0, stddev²).
inline std::vector<double> gaussian_matrix(Draws& draws, int rows, int cols, double stddev) {
  std::vector<double> M(static_cast<std::size_t>(rows) * cols);
  for (double& v : M) v = stddev * draws.normal();
  return M;
}

// P = MᵀM (+ diagonal_shift·I) for M of size r×n, filled symmetrically so that
// P is exactly symmetric in floating point.
inline std::vector<double> gram(const std::vector<double>& M, int r, int n, double diagonal_shift) {
  std::vector<double> P(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) {
    for (int j = i; j < n; ++j) {
      double s = 0.0;
      for (int k = 0; k < r; ++k) s += M[static_cast<std::size_t>(k) * n + i] * M[static_cast<std::size_t>(k) * n + j];
      P[static_cast<std::size_t>(i) * n + j] = s;
      P[static_cast<std::size_t>(j) * n + i] = s;
    }
    P[static_cast<std::size_t>(i) * n + i] += diagonal_shift;
  }
  return P;
}

}  // namespace bpqp::detail
