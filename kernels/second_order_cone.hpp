// The geometry of the second-order cone Q = {(t, w) : ‖w‖₂ ≤ t} that the forward and the
// backward share: projection, membership, the rotated cone's change of coordinates, and the
// constraint φ(u) = ‖w‖ − t ≤ 0 that a block on the cone's boundary turns into (its gradient
// and curvature, BPQP's reduced KKT with cones: ../shared/SOCP.md). All serial on one block:
// a group hands whole blocks to its threads.
#pragma once

#include "kernels/scalar_math.hpp"

namespace bpqp::kernels {

// ‖v[1:d]‖₂ of a block stored with stride `stride`, scaled so that squares of huge or tiny
// entries neither overflow nor underflow (NaN when an entry is NaN).
template <class T>
BPQP_HD BPQP_INLINE T cone_tail_norm(const T* v, int d, int stride = 1) {
  T largest = T(0);
  for (int r = 1; r < d; ++r) largest = max_of(largest, abs_of(v[r * stride]));
  if (!(largest > T(0))) return largest;  // 0, or NaN
  if (!is_finite(largest)) return largest;
  T sum = T(0);
  const T inv = T(1) / largest;
  for (int r = 1; r < d; ++r) {
    const T s = v[r * stride] * inv;
    sum += s * s;
  }
  return largest * square_root(sum);
}

// The rotated cone {2ts ≥ ‖w‖², t, s ≥ 0} is Q in the coordinates ((t+s)/√2, (t−s)/√2, w):
// the map is a symmetric orthogonal involution, so the same call maps back, and duals map
// the same way (y = R ŷ).
template <class T>
BPQP_HD BPQP_INLINE void rotate_cone_pair(T& a, T& b) {
  const T half_sqrt2 = T(0.70710678118654752440);
  const T s = a + b, d = a - b;
  a = half_sqrt2 * s;
  b = half_sqrt2 * d;
}

// Projects v (d entries, stride `stride`) onto Q in place (Moreau, SOCP.md): inside → v,
// inside −Q → 0, otherwise ((‖w‖ + t)/2)(1, w/‖w‖). d = 1 is R₊.
template <class T>
BPQP_HD BPQP_INLINE void project_onto_cone(T* v, int d, int stride = 1) {
  const T t = v[0];
  if (d == 1) {
    v[0] = max_of(t, T(0));
    return;
  }
  const T norm = cone_tail_norm(v, d, stride);
  if (norm <= t) return;
  if (norm <= -t) {
    for (int r = 0; r < d; ++r) v[r * stride] = T(0);
    return;
  }
  const T half = T(0.5) * (norm + t);
  const T scale = half / norm;
  v[0] = half;
  for (int r = 1; r < d; ++r) v[r * stride] *= scale;
}

// Distance-like violation of v ∈ Q: max(0, ‖w‖ − t) (0 for members; for d = 1, max(0, −t)).
template <class T>
BPQP_HD BPQP_INLINE T cone_violation(const T* v, int d, int stride = 1) {
  const T gap = (d == 1 ? T(0) : cone_tail_norm(v, d, stride)) - v[0];
  return gap > T(0) ? gap : (gap == gap ? T(0) : gap);
}

// The two spectral values of v = (t, w): t − ‖w‖ ≤ t + ‖w‖ (v ∈ Q iff the smaller is ≥ 0).
template <class T>
struct ConeSpectrum {
  T low, high;
};
template <class T>
BPQP_HD BPQP_INLINE ConeSpectrum<T> cone_spectrum(const T* v, int d, int stride = 1) {
  const T norm = d == 1 ? T(0) : cone_tail_norm(v, d, stride);
  return ConeSpectrum<T>{v[0] - norm, v[0] + norm};
}

// Where a block sits at a (near-)complementary pair: slack s = A_k x − l_k ∈ Q and
// multiplier y_k ∈ −Q. In the Jordan frame they share at complementarity, s's smaller
// spectral value pairs with −y's larger one, s's larger with −y's smaller; a pair is active
// where the multiplier's value outweighs the slack's (OSQP's rule for a bound, per pair):
//   neither → interior (y ≈ 0), the first only → boundary (‖w‖ = t > 0, one smooth
//   constraint φ ≤ 0 with multiplier λ), both → apex (s = 0: every row an equality).
enum class ConePosition : int { interior = 0, boundary = 1, apex = 2 };

template <class T>
BPQP_HD BPQP_INLINE ConePosition classify_cone_block(const T* s, const T* y, int d, int stride = 1) {
  const ConeSpectrum<T> slack = cone_spectrum(s, d, stride);
  // −y's spectral values: −y₀ ∓ ‖ȳ‖ (the tail norm does not see the sign).
  const T y_norm = d == 1 ? T(0) : cone_tail_norm(y, d, stride);
  const T mult_high = -y[0] + y_norm, mult_low = -y[0] - y_norm;
  if (!(mult_high > slack.low)) return ConePosition::interior;
  if (d == 1 || !(mult_low > slack.high)) return d == 1 ? ConePosition::apex : ConePosition::boundary;
  return ConePosition::apex;
}

// The boundary constraint φ(s) = ‖w‖ − t at s = (t, w), w ≠ 0: ∇φ = (−1, w/‖w‖) and
// ∇²φ = 0 ⊕ (I − ŵŵᵀ)/‖w‖. A block on the boundary with multiplier λ ≥ 0 has y_k = λ∇φ.
// gradient: d entries. Returns ‖w‖.
template <class T>
BPQP_HD BPQP_INLINE T cone_boundary_gradient(const T* s, int d, T* gradient, int stride = 1) {
  const T norm = cone_tail_norm(s, d, stride);
  gradient[0] = T(-1);
  const T inv = norm > T(0) ? T(1) / norm : T(0);
  for (int r = 1; r < d; ++r) gradient[r] = s[r * stride] * inv;
  return norm;
}

// v ← ∇²φ(s)·v = (0, (v̄ − ŵ(ŵᵀv̄))/‖w‖) for the unit direction what = ∇φ's tail (gradient
// from cone_boundary_gradient) and norm = ‖w‖.
template <class T>
BPQP_HD BPQP_INLINE void apply_cone_curvature(const T* gradient, T norm, int d, T* v) {
  T along = T(0);
  for (int r = 1; r < d; ++r) along += gradient[r] * v[r];
  const T inv = T(1) / norm;
  v[0] = T(0);
  for (int r = 1; r < d; ++r) v[r] = (v[r] - gradient[r] * along) * inv;
}

// ---------------------------------------------------------------------------------------------
// The interior point's algebra of Q (Nesterov–Todd scaling; Vandenberghe's coneqp notes, ECOS).

// The Jordan product's arrow inverse: v with λ ∘ v = c, for λ ∈ int Q (λ ∘ v = (λᵀv, λ₀v̄ + v₀λ̄)).
template <class T>
BPQP_HD BPQP_INLINE void jordan_divide(const T* lambda, const T* c, int d, T* v) {
  T tail_dot = T(0), tail_sq = T(0);
  for (int r = 1; r < d; ++r) {
    tail_dot += lambda[r] * c[r];
    tail_sq += lambda[r] * lambda[r];
  }
  const T det = (lambda[0] - square_root(tail_sq)) * (lambda[0] + square_root(tail_sq));
  v[0] = (lambda[0] * c[0] - tail_dot) / det;
  for (int r = 1; r < d; ++r) v[r] = (c[r] - v[0] * lambda[r]) / lambda[0];
}

// √(v₀² − ‖v̄‖²) for v ∈ int Q, as (v₀ − ‖v̄‖)(v₀ + ‖v̄‖) (no cancellation of the squares).
template <class T>
BPQP_HD BPQP_INLINE T cone_determinant_root(const T* v, int d) {
  const T norm = d > 1 ? cone_tail_norm(v, d) : T(0);
  return square_root((v[0] - norm) * (v[0] + norm));
}

// The Nesterov–Todd scaling of a pair s, z ∈ int Q: the point w̄ (d entries, w̄ᵀJw̄ = 1) and η
// of W = η·[a, bᵀ; b, I + bbᵀ/(1 + a)] (a = w̄₀, b = w̄'s tail), the symmetric matrix with
// W z = W⁻¹ s (= λ, the scaled point) and W² = η²(2w̄w̄ᵀ − J), J = diag(1, −I).
template <class T>
BPQP_HD BPQP_INLINE T nesterov_todd_point(const T* s, const T* z, int d, T* w_bar) {
  const T s_root = cone_determinant_root(s, d), z_root = cone_determinant_root(z, d);
  T dot = T(0);
  for (int r = 0; r < d; ++r) dot += (s[r] / s_root) * (z[r] / z_root);
  const T gamma = square_root(T(0.5) * (T(1) + dot));
  const T inv = T(1) / (T(2) * gamma);
  w_bar[0] = (s[0] / s_root + z[0] / z_root) * inv;
  for (int r = 1; r < d; ++r) w_bar[r] = (s[r] / s_root - z[r] / z_root) * inv;
  return square_root(s_root / z_root);
}

// v ← W v (inverse = false) or W⁻¹ v (inverse = true) for the scaling (w̄, η) above.
template <class T>
BPQP_HD BPQP_INLINE void apply_nesterov_todd(const T* w_bar, T eta, int d, bool inverse, T* v) {
  const T a = w_bar[0];
  T b_dot = T(0);
  for (int r = 1; r < d; ++r) b_dot += w_bar[r] * v[r];
  const T sign = inverse ? T(-1) : T(1);  // W⁻¹ = η⁻¹[a, −bᵀ; −b, I + bbᵀ/(1 + a)]
  const T scale = inverse ? T(1) / eta : eta;
  const T v0 = v[0];
  v[0] = scale * (a * v0 + sign * b_dot);
  const T along = b_dot / (T(1) + a);
  for (int r = 1; r < d; ++r) v[r] = scale * (v[r] + w_bar[r] * (sign * v0 + along));
}

// The largest α (≤ limit) with v + α·dv ∈ Q, for v ∈ int Q: the first root of
// det(v + α dv) = aα² + 2bα + c, found without cancellation (c > 0 inside).
template <class T>
BPQP_HD BPQP_INLINE T step_to_cone_boundary(const T* v, const T* dv, int d, T limit) {
  if (d == 1) return dv[0] < T(0) ? min_of(limit, -v[0] / dv[0]) : limit;
  T a = dv[0] * dv[0], b = v[0] * dv[0], c = v[0] * v[0];
  for (int r = 1; r < d; ++r) {
    a -= dv[r] * dv[r];
    b -= v[r] * dv[r];
    c -= v[r] * v[r];
  }
  c = max_of(c, T(0));
  const T disc = b * b - a * c;
  if (a < T(0) || (b < T(0) && disc >= T(0))) {
    const T root = c / (-b + square_root(max_of(disc, T(0))));
    return min_of(limit, root);
  }
  // No root ahead: det stays positive, unless the direction leaves through the cone's point
  // (v₀ + α dv₀ < 0 cannot happen while det > 0 on a path from the interior).
  return limit;
}

}  // namespace bpqp::kernels
