// What one problem looks like to a per-problem kernel: its data (dense, row-major, unowned,
// with the batch's cone layout), and where it writes its solution and report. The parameters
// of its solve are kernels/admm_params.hpp's.
#pragma once

#include "bpqp/status.hpp"
#include "kernels/cone_layout.hpp"
#include "kernels/config.hpp"

namespace bpqp::kernels {

// minimize ½xᵀPx + qᵀx  subject to  l ≤ Ax ≤ u (box rows) and A_k x − l_k ∈ K (the rows
// of cone block k, whose u is +inf; include/bpqp/cones.hpp), for one problem of a batch.
template <class T>
struct ProblemView {
  int n = 0;
  int m = 0;
  const T* P = nullptr;  // n×n, full symmetric, row-major
  const T* q = nullptr;  // n
  const T* A = nullptr;  // m×n, row-major
  const T* l = nullptr;  // m; entries ≤ -1e20 mean -inf
  const T* u = nullptr;  // m; entries ≥ +1e20 mean +inf
  ConeLayout cones;      // the batch's cone blocks (none by default)
};

// Written by the kernel for each problem (by rank 0 of the group).
template <class T>
struct ProblemReport {
  SolveStatus status = SolveStatus::max_iterations;
  InputIssue input_issue = InputIssue::none;
  PolishStatus polish = PolishStatus::not_run;
  int iterations = 0;
  int rho_updates = 0;
  int interior_point_iterations = 0;  // Newton steps of the fallback, 0 if it did not run
  T prim_res = T(0);
  T dual_res = T(0);
  T objective = T(0);
  T rho = T(0);
};

// Where the kernel writes the solution (unscaled). x0 and y0 (y0 may be null when m = 0),
// when given and finite, warm start it.
template <class T>
struct ProblemOutput {
  T* x = nullptr;  // n
  T* y = nullptr;  // m
  ProblemReport<T>* report = nullptr;
  const T* x0 = nullptr;
  const T* y0 = nullptr;
};

}  // namespace bpqp::kernels
