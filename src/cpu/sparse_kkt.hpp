// The sparse quasi-definite KKT matrix of ADMM's linear system (OSQP §3.1, eq. 22),
//   K = [ P + σI     Aᵀ      ]
//       [ A        −diag(1/ρ) ],
// factored as LDLᵀ with a fill-reducing (AMD) ordering: the sparse path's counterpart of the
// dense kernels' reduced matrix P + σI + Aᵀdiag(ρ)A. K is quasi-definite for a positive
// semidefinite P, σ > 0 and ρ > 0, so an LDLᵀ factorization exists for every symmetric
// ordering (Vanderbei 1995) and needs no pivoting: the ordering is analysed once per pattern,
// and each change of σ, ρ or the values of P and A is a numeric refactorization only.
//
// Where the ordering cannot keep the factor sparse (random sparsity: L holds a fifth of a dense
// triangle or more), a simplicial LDLᵀ runs at a fraction of dense speed, and K is factored
// dense instead, by blocks in its natural order: H = P + σI = LLᵀ, W = L⁻¹Aᵀ, and the Schur
// complement S = diag(1/ρ) + WᵀW = MMᵀ, both Cholesky factorizations blocked (Eigen's LLT).
// That is the same LDLᵀ of K with the P block eliminated first, so it is refused exactly when
// H or S is not positive definite. (Measured on this project's 2-core machine, one thread, on
// random QPs with 1 % of the entries: at 3000×1000 the forward went from 13.2 s to 3.8 s and the
// backward from 4.2 s to 1.35 s; at 5000×2000 the forward from 184 s to 18.3 s.)
//
// Host-only (Eigen's SimplicialLDLT and LLT), double precision.
#pragma once

#include <memory>
#include <vector>

#include "bpqp/csc_matrix.hpp"

namespace bpqp::cpu {

enum class KktFactorization {
  automatic,  // dense when the analysed fill makes it the faster one (above), sparse otherwise
  sparse,
  dense,
};

class SparseKkt {
 public:
  // K's pattern from P's (n×n, upper triangle) and A's (m×n); both validated (validate_csc,
  // InvalidArgument). The patterns are copied; the ordering is analysed here, once.
  SparseKkt(const CscPattern& P, const CscPattern& A, KktFactorization how = KktFactorization::automatic);
  // The KKT matrix of a subset of a parent's rows (polishing's active set): A holds rows
  // parent_rows[0 … A.rows) of the parent's A, increasing, and P is the parent's P pattern. It is
  // eliminated in the parent's analysed order restricted to the kept indices, with no ordering
  // analysis of its own (AMD can cost as much as the whole ADMM run on problems with long
  // columns). A principal submatrix eliminated in its parent's order fills no more than the
  // parent's factor restricted to it: a fill path through earlier indices in the submatrix is
  // one in the parent. A parent factored dense has no order to give: AMD as above.
  // InvalidArgument when P's size differs from the parent's or parent_rows is not increasing
  // within the parent's rows.
  SparseKkt(const CscPattern& P, const CscPattern& A, const SparseKkt& parent, const int* parent_rows,
            KktFactorization how = KktFactorization::automatic);
  ~SparseKkt();
  SparseKkt(SparseKkt&&) noexcept;
  SparseKkt& operator=(SparseKkt&&) noexcept;

  int n() const;
  int m() const;
  bool dense() const;  // which factorization the constructor chose
  // Entries of K's upper triangle, and of its factors (L and D, or the dense blocks L, W and M)
  // after a successful factor(); 0 before.
  long long kkt_nonzeros() const;
  long long factor_nonzeros() const;

  // Factors K for these values of P and A (on the constructor's patterns), σ and the m row
  // ρ's. False when a pivot is not finite or has the wrong sign for its index (positive for
  // the first n, negative for the last m, as every ordering of a quasi-definite K has them),
  // or a ρ is not positive: solve() is then not to be called. The sign test is stricter than
  // K's inertia (a K of the right inertia whose P + σI is indefinite is refused where the
  // ordering puts a variable before its rows), and it is no convexity test either (such a K
  // passes where the ordering puts the rows first); positive_semidefinite() below is that test.
  bool factor(const double* P_values, const double* A_values, double sigma, const double* rho);

  // Solves K [x; ν] = [rhs_x; rhs_y] in place (n then m entries), with the last factor().
  void solve(double* rhs_x, double* rhs_y) const;

 private:
  // positions: where each index of K is eliminated (null: an AMD analysis).
  void build(const CscPattern& P, const CscPattern& A, KktFactorization how, const std::vector<int>* positions);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when P + shift·I is positive definite (P given by its upper triangle): its LDLᵀ, with
// the AMD ordering, has only positive, finite pivots (a dense Cholesky factorization where the
// fill is as heavy as above). The sparse path's convexity check.
bool positive_semidefinite(const CscPattern& P, const double* values, double shift);

}  // namespace bpqp::cpu
