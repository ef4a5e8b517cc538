// One QP (or SOCP) in OSQP form with owning sparse storage, in double precision:
//   minimize ½ xᵀPx + qᵀx + objective_constant   subject to  l ≤ Ax ≤ u,
// DenseQp's problem with P and A in compressed sparse columns (bpqp/csc_matrix.hpp): P as its
// upper triangle (diagonal included), A in full. A 5000×2000 problem at 1 % density holds
// about 10⁵ entries here instead of the 3.5·10⁷ of its dense form. The file readers produce it
// (io/qps_reader.hpp: read_qps_sparse) without ever forming the dense matrices.
#pragma once

#include <string>
#include <vector>

#include "bpqp/cones.hpp"
#include "bpqp/csc_matrix.hpp"
#include "bpqp/dense_qp.hpp"

namespace bpqp {

struct SparseQp {
  std::string name;
  int n = 0;                     // variables
  int m = 0;                     // constraint rows (variable bounds included as identity rows)
  CscMatrix P;                   // n×n, upper triangle of the symmetric Hessian
  std::vector<double> q;         // n
  CscMatrix A;                   // m×n
  std::vector<double> l;         // m, −inf allowed
  std::vector<double> u;         // m, +inf allowed
  std::vector<ConeBlock> cones;  // as in DenseQp
  double objective_constant = 0.0;
};

// InvalidArgument naming the field unless the sizes agree (P n×n upper triangle, A m×n, q n,
// l and u m) and both patterns are well formed (validate_csc); the cone layout as
// validate_cones. Values are not checked: a non-finite one is the solver's invalid_input.
void validate(const SparseQp& qp);

// The same problem in dense storage (P full symmetric); validates first. InvalidArgument when
// the dense matrices would exceed `max_dense_entries` entries (n² + m·n): a guard against
// densifying a problem that is only practical in sparse form.
DenseQp to_dense(const SparseQp& qp, long long max_dense_entries = 1LL << 28);

// The same problem in sparse storage: exact zeros left out, P's upper triangle (DenseQp's P is
// symmetric; its lower triangle is not read).
SparseQp to_sparse(const DenseQp& qp);

}  // namespace bpqp
