// The second-order cone's geometry and interior-point algebra (kernels/second_order_cone.hpp),
// against their defining properties: Moreau's decomposition for the projection, W z = W⁻¹ s and
// W² = η²(2w̄w̄ᵀ − J) for the Nesterov–Todd scaling, λ ∘ v = c for the division, det = 0 at the
// step to the boundary, the rotated cone's map an involution.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/second_order_cone.hpp"

namespace {

using namespace bpqp::kernels;
using Vec = std::vector<double>;

Vec random_vector(std::mt19937_64& rng, int d, double scale = 1.0) {
  std::normal_distribution<double> normal;
  Vec v(d);
  for (double& e : v) e = scale * normal(rng);
  return v;
}

// A random point of int Q: a tail, then a head above its norm.
Vec interior_point(std::mt19937_64& rng, int d) {
  Vec v = random_vector(rng, d);
  double tail = 0;
  for (int r = 1; r < d; ++r) tail += v[r] * v[r];
  v[0] = std::sqrt(tail) + 0.1 + std::abs(v[0]);
  return v;
}

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

TEST(SecondOrderCone, ProjectionIsMoreausDecomposition) {
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    const int d = 1 + trial % 6;
    const Vec v = random_vector(rng, d, 3.0);
    Vec p = v;
    project_onto_cone(p.data(), d);
    Vec minus_polar(d);  // v − Π_Q(v) = −Π_Q(−v) ∈ −Q, orthogonal to Π_Q(v)
    for (int r = 0; r < d; ++r) minus_polar[r] = p[r] - v[r];
    EXPECT_LE(cone_violation(p.data(), d), 1e-12) << "Π_Q(v) ∈ Q";
    EXPECT_LE(cone_violation(minus_polar.data(), d), 1e-12) << "Π_Q(v) − v ∈ Q";
    EXPECT_NEAR(dot(p, minus_polar), 0.0, 1e-11) << "orthogonal";
    Vec twice = p;
    project_onto_cone(twice.data(), d);
    for (int r = 0; r < d; ++r) EXPECT_DOUBLE_EQ(twice[r], p[r]) << "idempotent";
  }
}

TEST(SecondOrderCone, TheRotatedConesMapIsAnInvolutionOntoQ) {
  // (t, s, w) with 2ts ≥ ‖w‖², t, s ≥ 0 maps into Q, and back.
  double t = 2.0, s = 0.75, w = std::sqrt(2 * t * s);  // on the rotated cone's boundary
  double a = t, b = s;
  rotate_cone_pair(a, b);
  EXPECT_NEAR(a * a - b * b - w * w, 0.0, 1e-14);
  rotate_cone_pair(a, b);
  EXPECT_NEAR(a, t, 1e-15);
  EXPECT_NEAR(b, s, 1e-15);
}

TEST(SecondOrderCone, NesterovToddScalingMapsSToZAndSquaresToItsDefinition) {
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 100; ++trial) {
    const int d = 1 + trial % 7;
    const Vec s = interior_point(rng, d), z = interior_point(rng, d);
    Vec w_bar(d);
    const double eta = nesterov_todd_point(s.data(), z.data(), d, w_bar.data());
    double j_norm = w_bar[0] * w_bar[0];
    for (int r = 1; r < d; ++r) j_norm -= w_bar[r] * w_bar[r];
    EXPECT_NEAR(j_norm, 1.0, 1e-10) << "w̄ᵀJw̄ = 1";
    Vec wz = z, winv_s = s;
    apply_nesterov_todd(w_bar.data(), eta, d, false, wz.data());
    apply_nesterov_todd(w_bar.data(), eta, d, true, winv_s.data());
    for (int r = 0; r < d; ++r) EXPECT_NEAR(wz[r], winv_s[r], 1e-9 * (1 + std::abs(wz[r]))) << "W z = W⁻¹ s";
    // W² e_c = η²(2w̄w̄ᵀ − J) e_c, column by column; and W⁻¹ W = I.
    for (int c = 0; c < d; ++c) {
      Vec e(d, 0.0);
      e[c] = 1.0;
      Vec ww = e;
      apply_nesterov_todd(w_bar.data(), eta, d, false, ww.data());
      apply_nesterov_todd(w_bar.data(), eta, d, false, ww.data());
      Vec back = e;
      apply_nesterov_todd(w_bar.data(), eta, d, false, back.data());
      apply_nesterov_todd(w_bar.data(), eta, d, true, back.data());
      for (int r = 0; r < d; ++r) {
        const double j = r == 0 ? 1.0 : -1.0;
        const double expected = eta * eta * (2 * w_bar[r] * w_bar[c] - (r == c ? j : 0.0));
        EXPECT_NEAR(ww[r], expected, 1e-9 * (1 + std::abs(expected)));
        EXPECT_NEAR(back[r], e[r], 1e-10);
      }
    }
  }
}

TEST(SecondOrderCone, JordanDivisionInvertsTheArrowProduct) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 100; ++trial) {
    const int d = 1 + trial % 6;
    const Vec lambda = interior_point(rng, d), c = random_vector(rng, d);
    Vec v(d);
    jordan_divide(lambda.data(), c.data(), d, v.data());
    EXPECT_NEAR(dot(lambda, v), c[0], 1e-10 * (1 + std::abs(c[0])));  // (λ ∘ v)₀ = λᵀv
    for (int r = 1; r < d; ++r) EXPECT_NEAR(lambda[0] * v[r] + v[0] * lambda[r], c[r], 1e-10 * (1 + std::abs(c[r])));
  }
}

TEST(SecondOrderCone, TheStepToTheBoundaryLandsOnIt) {
  std::mt19937_64 rng(4);
  int crossings = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int d = 1 + trial % 6;
    const Vec v = interior_point(rng, d), dv = random_vector(rng, d, 2.0);
    const double alpha = step_to_cone_boundary(v.data(), dv.data(), d, 1e6);
    Vec at(d), beyond(d), before(d);
    for (int r = 0; r < d; ++r) {
      at[r] = v[r] + alpha * dv[r];
      before[r] = v[r] + 0.999 * alpha * dv[r];
      beyond[r] = v[r] + 1.001 * alpha * dv[r];
    }
    EXPECT_LE(cone_violation(before.data(), d), 0.0) << "inside up to the step";
    if (alpha < 1e6) {
      ++crossings;
      EXPECT_LE(cone_violation(at.data(), d), 1e-9) << "on the boundary";
      EXPECT_GT(cone_violation(beyond.data(), d), 0.0) << "outside past it";
    }
  }
  EXPECT_GT(crossings, 50);
}

TEST(SecondOrderCone, ClassifiesInteriorBoundaryAndApexPairs) {
  const double s_in[3] = {2, 0.5, 0.5}, y_zero[3] = {0, 0, 0};
  EXPECT_EQ(classify_cone_block(s_in, y_zero, 3), ConePosition::interior);
  const double s_bd[3] = {5, 3, 4}, y_bd[3] = {-2, 1.2, 1.6};  // y = λ(−1, ŝ), λ = 2
  EXPECT_EQ(classify_cone_block(s_bd, y_bd, 3), ConePosition::boundary);
  const double s_apex[3] = {0, 0, 0}, y_apex[3] = {-3, 1, 1};  // −y inside Q
  EXPECT_EQ(classify_cone_block(s_apex, y_apex, 3), ConePosition::apex);
  const double s1[1] = {0}, y1[1] = {-1};
  EXPECT_EQ(classify_cone_block(s1, y1, 1), ConePosition::apex);
}

}  // namespace
