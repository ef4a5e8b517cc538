// kernels/strided_reductions.hpp's dot product: accurate for every length, step, start and end
// (so every branch: the short form, the lanes, their remainders), and to the bit the sum of
// the sixteen-lane form alone, which the short form only skips the setup of.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/strided_reductions.hpp"

namespace bpqp::kernels {
namespace {

// The sixteen-lane form as strided_dot had it before its short form (an independent copy):
// lanes of reduction_lanes terms, then fours, then single terms, folded pairwise.
template <class T>
T sixteen_lane_dot(const T* a, const T* b, int begin, int end, int step) {
  T lane[16] = {};
  int k = begin;
  for (; k + 15 * step < end; k += 16 * step)
    for (int l = 0; l < 16; ++l) lane[l] += a[k + l * step] * b[k + l * step];
  for (; k + 3 * step < end; k += 4 * step)
    for (int l = 0; l < 4; ++l) lane[l] += a[k + l * step] * b[k + l * step];
  T tail = T(0);
  for (; k < end; k += step) tail += a[k] * b[k];
  for (int width = 8; width >= 1; width /= 2)
    for (int l = 0; l < width; ++l) lane[l] += lane[l + width];
  return lane[0] + tail;
}

template <class T>
void check_dots() {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const int size = 3 * 48 + 3;
  std::vector<T> a(size), b(size);
  for (int i = 0; i < size; ++i) {
    a[i] = T(u(rng));
    b[i] = T(u(rng));
  }
  const double eps = std::numeric_limits<T>::epsilon();
  for (int step : {1, 2, 3})
    for (int begin : {0, 1, 2})
      for (int terms = 0; terms <= 48; ++terms)
        for (int short_of = 0; short_of < (terms > 0 ? step : 1); ++short_of) {  // end past the last term
          const int end = begin + terms * step - short_of;
          long double exact = 0, magnitude = 0;
          for (int k = begin; k < end; k += step) {
            exact += static_cast<long double>(a[k]) * b[k];
            magnitude += std::fabs(static_cast<long double>(a[k]) * b[k]);
          }
          const T dot = strided_dot(a.data(), b.data(), begin, end, step);
          EXPECT_LE(std::fabs(static_cast<long double>(dot) - exact), 2 * (terms + 1) * eps * magnitude)
              << terms << " terms, step " << step << ", from " << begin;
          EXPECT_EQ(dot, sixteen_lane_dot(a.data(), b.data(), begin, end, step))
              << terms << " terms, step " << step << ", from " << begin << " to " << end;
        }
}

TEST(StridedDot, AccurateForEveryLengthStepAndStart_Double) { check_dots<double>(); }
TEST(StridedDot, AccurateForEveryLengthStepAndStart_Float) { check_dots<float>(); }

}  // namespace
}  // namespace bpqp::kernels
