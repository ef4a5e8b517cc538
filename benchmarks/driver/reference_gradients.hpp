// The exact answers the benchmark compares every method with: a tight solve
// (eps 1e-9, polished) and dense implicit differentiation of the full KKT system
// (tests/support/full_kkt_gradient, OptNet's formula), per problem.
#pragma once

#include <vector>

#include <bpqp/dense_qp.hpp>

namespace bpqp::bench {

struct ReferenceSolutions {
  int n = 0;
  std::vector<double> x;     // count × n, tight solution
  int m = 0;
  std::vector<double> dq;    // count × n, ∂L/∂q for L = Σ dl_dx·x
  // count × m, ∂L/∂l + ∂L/∂u: the derivative for shifting both bounds of a row together.
  // It does not depend on how a formulation splits rows into G x ≤ h and E x = b (or on
  // bpqp's convention for equality rows), so every peer can be compared on it; and it is
  // what carries the information for an LP, whose ∂L/∂q vanishes at a vertex.
  std::vector<double> dlu;
  std::vector<bool> ok;      // count: solved and the full KKT matrix is nonsingular
  int count() const { return static_cast<int>(ok.size()); }
};

// dl_dx: problems.size() × n.
ReferenceSolutions compute_references(const std::vector<DenseQp>& problems, const std::vector<double>& dl_dx);

// The gradient vector the benchmark compares: (∂L/∂q, ∂L/∂l + ∂L/∂u) of one problem.
std::vector<double> stacked_gradient(const double* dq, int n, const double* dl, const double* du, int m);

// Cosine of a and b (1 when both vanish), and ‖a − b‖ / max(1, ‖b‖).
double cosine(const double* a, const double* b, int length);
double relative_error(const double* a, const double* b, int length);

}  // namespace bpqp::bench
