// The sparse path: large sparse problems solved in compressed sparse columns, never densified.
//
//   bpqp::SparseQp qp = bpqp::io::read_qps_sparse("CONT-300.QPS");
//   bpqp::SolveResult<double> r = bpqp::solve_sparse(qp, settings);
// or solve_sparse(view, settings) over a SparseQpBatchView<double> of your own arrays (one
// pattern, values per problem). A loop that solves problems of one pattern again and again (a
// layer in training, MPC) keeps a SparseSolver: the pattern is analysed once, not per call, and
// each re-solve starts from the previous solution (Settings::warm_start):
//
//   bpqp::SparseSolver solver(view.P_pattern, view.A_pattern, settings);
//   for (...) { /* new values in the view's arrays */ r = solver.solve(view); }
//
// The same OSQP iteration as the dense path (Ruiz scaling, adaptive ρ, termination on the
// unscaled residuals, infeasibility certificates, polishing with its active-set corrections,
// the interior-point fallback with its certification, the same statuses and report), with the
// quasi-definite KKT system [P + σI, Aᵀ; A, −diag(1/ρ)] factored by a sparse LDLᵀ with an AMD
// ordering that is analysed once for the batch's pattern; each problem, each ρ update and each
// Newton step is a numeric refactorization, and each polishing guess factors its active rows'
// KKT afresh. Where the ordering cannot keep the factor sparse (random sparsity), the same
// matrix is factored dense by blocks; the interior point of a problem of up to 1000 variables
// folds its Newton matrix as the dense path does (src/cpu/sparse_kkt.hpp, sparse_admm.hpp).
// With the factorization: CPU, double precision, one thread, problems in turn.
//
// On Executor::cuda (or with Settings::sparse_linear_system = conjugate_gradient on the CPU)
// ADMM's systems are not factored: its reduced system is solved by a preconditioned conjugate gradient
// (kernels/sparse_pcg.hpp), one GPU thread block per problem, every iteration inside one
// launch; no polishing and no interior point there (see SparseLinearSystem). The input checks
// run on the host first, as above; the problems that pass go to the device together, so the
// device must hold them all (Error naming the CUDA call otherwise). Double precision.
//
// Its backward pass is bpqp::backward_sparse (bpqp/sparse_backward.hpp), on the CPU. Not yet
// on this path (it is being built; the dense path has them): cone blocks (InvalidArgument),
// float.
//
// Input checks as the dense path's, per problem: non-finite values in P, q or A, NaN in l or u
// (non_finite_data), crossed bounds, and — with check_convexity — P + psd_tolerance·max|P|·I
// positive definite by a sparse LDLᵀ, or a dense Cholesky where it would fill in (p_not_psd). P is its upper triangle, so it is symmetric
// by construction. API misuse (a malformed view) throws InvalidArgument.
#pragma once

#include <memory>

#include "bpqp/csc_matrix.hpp"
#include "bpqp/executor.hpp"
#include "bpqp/settings.hpp"
#include "bpqp/solve_result.hpp"
#include "bpqp/sparse_qp.hpp"
#include "bpqp/sparse_qp_batch_view.hpp"

namespace bpqp {

// One batch, cold (no warm start): a SparseSolver built for the batch's patterns, solving once.
SolveResult<double> solve_sparse(const SparseQpBatchView<double>& batch, const Settings& settings = {},
                                 const Executor& executor = Executor::cpu());

// One problem (a batch of one over its arrays).
SolveResult<double> solve_sparse(const SparseQp& qp, const Settings& settings = {},
                                 const Executor& executor = Executor::cpu());

class SparseSolver {
 public:
  // Analyses the patterns once (copied: the caller's arrays need not outlive the solver): P's
  // full pattern, Aᵀ's, and at the first factorization the KKT's fill-reducing order.
  // InvalidArgument for a malformed pattern (as validate(SparseQpBatchView): P n×n upper
  // triangle, n ≥ 1, A with n columns), settings, or the factorization asked of Executor::cuda.
  // Of the executor, the sparse path uses the kind, device, stream and block size (default 256
  // threads per problem on the sparse path); it ignores threads (one CPU thread), the memory limit
  // (the batch's problems that pass their checks must fit on the device together), problems per
  // block and shared memory. A build without CUDA, or no usable GPU: solve() throws
  // CudaUnavailable for Executor::cuda.
  SparseSolver(const CscPattern& P_pattern, const CscPattern& A_pattern, Settings settings = {},
               Executor executor = Executor::cpu());
  ~SparseSolver();
  SparseSolver(SparseSolver&&) noexcept;
  SparseSolver& operator=(SparseSolver&&) noexcept;

  // Solves every problem of the batch, whose patterns must be the solver's, entry for entry
  // (InvalidArgument otherwise; a new pattern needs a new solver). With Settings::warm_start,
  // a batch of the same size as the previous solve's starts each problem from that solve's x
  // and y where it was solved (or stopped at max_iterations), cold otherwise, as the dense
  // Solver does. A SparseSolver is one caller's at a time (solve() reuses its arrays);
  // separate solvers are independent.
  SolveResult<double> solve(const SparseQpBatchView<double>& batch);

  // Forget the previous solution: the next solve starts cold.
  void reset_warm_start();

  const Settings& settings() const;
  void set_settings(const Settings& settings);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bpqp
