// One QP in OSQP form with owning dense storage, in double precision:
//   minimize ½ xᵀPx + qᵀx + objective_constant   subject to  l ≤ Ax ≤ u,
// where the rows of a cone block instead satisfy A_k x − l_k ∈ K (an SOCP).
// This is what the file readers (io/) produce and what batches are built from.
#pragma once

#include <string>
#include <vector>

#include "bpqp/cones.hpp"

namespace bpqp {

struct DenseQp {
  std::string name;
  int n = 0;                    // variables
  int m = 0;                    // constraint rows (variable bounds included as identity rows)
  std::vector<double> P;        // n*n, row-major, full symmetric matrix
  std::vector<double> q;        // n
  std::vector<double> A;        // m*n, row-major
  std::vector<double> l;        // m, -inf allowed
  std::vector<double> u;        // m, +inf allowed
  std::vector<ConeBlock> cones; // rows grouped into cone blocks (bpqp/cones.hpp): A_k x − l_k ∈ K, u = +inf
  double objective_constant = 0.0;
};

}  // namespace bpqp
