// The backward pass (BPQP, DESIGN.md §1): gradients of a loss L(x*, y*) with
// respect to every QP input, from ∂L/∂x* (and optionally ∂L/∂y*) and the forward solution.
//
//   auto fwd = solver.solve(batch.view());
//   auto grad = bpqp::backward(bpqp::Executor::cpu(), batch.view(), fwd, dl_dx.data());
//   // grad.dq_of(b), grad.dP_of(b), … ; grad.status[b]
//
// Per problem, the rows active at the solution become equalities and one
// equality-constrained QP is solved:
//   minimize ½dxᵀP dx + gᵀdx  subject to  A_𝒜 dx = −h_𝒜      (g = ∂L/∂x*, h = ∂L/∂y*, 0 if absent)
// i.e. [P A_𝒜ᵀ; A_𝒜 0][dx; w] = [−g; −h_𝒜], w = 0 off 𝒜. Then
//   ∂L/∂q = dx,  ∂L/∂P = ½(dx x*ᵀ + x* dxᵀ),  ∂L/∂A = w x*ᵀ + y*_𝒜 dxᵀ,
//   ∂L/∂u_i = −w_i where y_i > 0,  ∂L/∂l_i = −w_i where y_i < 0,  0 elsewhere.
//
// Status regularized: the reduced KKT is singular, so the derivative does not exist
// (or not uniquely): A_𝒜 rank deficient (duplicated active rows, an LP at a degenerate
// vertex; detected from the factorization's pivots, dx is then still exact and so are
// the sums of the gradients over the dependent rows), or P singular on null(A_𝒜) with
// g outside the range (an LP whose optimum is an edge; detected by failed refinement,
// reliably in double, best effort in float).
//
// Active set: row i is active when |y_i| > τ(1 + ‖y‖∞) (τ = active_tolerance) and
// the bound its multiplier pushes on is finite; an equality row (l_i = u_i,
// finite) is always active, whatever its multiplier. Its bound gradient −w_i
// goes to the bound its multiplier pushes on (u_i when y_i > τ(1+‖y‖∞), l_i
// when y_i < −τ(1+‖y‖∞)), half to each when the multiplier is below the tolerance.
// l_i and u_i cannot move apart on an equality row (l_i > u_i is infeasible), so
// only their sum ∂L/∂l_i + ∂L/∂u_i = −w_i is a derivative in every direction;
// the split above gives, in addition, the one-sided derivative of the bound
// that can move outward with the solution following it (the other one, moved
// outward, leaves the solution in place: derivative 0). Parameterizations that
// tie l = u = b (OptNet's A x = b) get ∂L/∂b = ∂L/∂l + ∂L/∂u = −w.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "bpqp/backward_status.hpp"
#include "bpqp/device_gradients.hpp"
#include "bpqp/device_solution.hpp"
#include "bpqp/errors.hpp"
#include "bpqp/executor.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "bpqp/settings.hpp"
#include "bpqp/solve_result.hpp"

namespace bpqp {

enum class BackwardMode {
  direct,  // LDLᵀ of the regularized reduced KKT + iterative refinement (the default)
  admm,    // the backward QP solved by the forward ADMM solver (BPQP's "any QP solver" route),
           // to BackwardOptions::admm's tolerances; status ok or not_converged (it does not
           // detect a singular reduced KKT: ADMM returns one of the solutions, if any)
};

struct BackwardOptions {
  BackwardMode mode = BackwardMode::direct;
  // Unwanted gradients are neither assembled nor allocated (their vector stays empty).
  bool want_P = true, want_q = true, want_A = true, want_l = true, want_u = true;
  // τ of the active-set rule |y_i| > τ(1 + ‖y‖∞). Unset: the forward solver's default
  // eps_abs for T (1e-5 double, 1e-4 float): the forward's y is accurate to about its
  // eps, so only multipliers clearly above that level count. ADMM leaves y_i at rounding
  // level on rows strictly inside their bounds and polishing zeroes them, so τ only
  // decides weakly active rows (y_i ≈ 0 at a bound), where the two one-sided derivatives
  // differ anyway. Pass the forward's eps_abs when the solve used another one.
  std::optional<double> active_tolerance;
  // γ ≥ 0, off by default. With γ > 0 the backward solves the proximally regularized
  //   [P + γI, A_𝒜ᵀ; A_𝒜, −γI] [dx; w] = [−g; −h_𝒜]
  // exactly, i.e. minimize ½dxᵀ(P + γI)dx + gᵀdx + ‖A_𝒜dx + h_𝒜‖²/(2γ): the ½γ‖dx‖²
  // smoothing term plus the matching relaxation of the active rows. (The ½γ‖x‖² term
  // alone is not enough: at a non-degenerate LP vertex A_𝒜 is square and invertible, so
  // A_𝒜dx = 0 forces dx = 0 whatever the objective.) These are the exact derivatives of one
  // proximal-method-of-multipliers step taken from (x*, y*) (whose fixed point is the
  // solution), they are informative for LPs (∂L/∂q ≠ 0), defined even where the reduced KKT
  // is singular, and they tend to the exact gradients as γ → 0 (error O(γ)). γ is absolute:
  // choose it relative to the scale of P and A.
  double lp_smoothing = 0.0;
  // Mode direct: regularization δ of the quasi-definite factorization
  // [P̃ + δI, Âᵀ; Â, −δI] of the equilibrated system (P̃ = P / max|P_ij|, active rows of A
  // scaled to unit inf-norm), removed again by iterative refinement against the exact
  // KKT. Unset: 1e-9 double, 1e-6 float. Where refinement cannot remove it (a singular
  // reduced KKT whose range misses the right-hand side, e.g. P singular on null(A_𝒜)),
  // the status is regularized and the δ-regularized solution, of size ~1/δ in the
  // singular direction, is returned: use lp_smoothing for LPs whose optimum is not a vertex.
  // A batch with cone blocks uses at least 100ε of the precision (1.2e-5 in float).
  std::optional<double> delta;
  int refine_iterations = 10;  // mode direct: at most this many refinement steps
  // Mode admm: the settings of the backward QP's ADMM solve (eps, polish, max_iter, …).
  Settings admm;
  // A problem whose forward status is not solved / solved_inaccurate gets zero gradients
  // and BackwardStatus::forward_not_solved; with this set, ForwardNotSolved is thrown instead.
  bool error_if_unsolved = false;
};

// Thrown by backward() with BackwardOptions::error_if_unsolved when a forward
// solve did not succeed; the message names the problem and its status.
class ForwardNotSolved : public Error {
 public:
  using Error::Error;
};

template <class T>
struct Gradients {
  int batch = 0, n = 0, m = 0;
  // Gradients of L with respect to the inputs, laid out like the input batch: a
  // per-problem block each (stride n·n, n, m·n, m, m), or ONE block, the SUM over the
  // batch, for an input whose batch stride was 0 (shared). Empty when not wanted.
  std::vector<T> dP, dq, dA, dl, du;
  std::ptrdiff_t dP_stride = 0, dq_stride = 0, dA_stride = 0, dl_stride = 0, du_stride = 0;  // 0: shared block
  std::vector<BackwardStatus> status;  // batch
  std::vector<int> active_rows;        // batch: |𝒜|, the rows held as equalities
  double seconds = 0.0;                // wall time of the backward call

  const T* dP_of(int b) const { return dP.data() + b * dP_stride; }
  const T* dq_of(int b) const { return dq.data() + b * dq_stride; }
  const T* dA_of(int b) const { return dA.data() + b * dA_stride; }
  const T* dl_of(int b) const { return dl.data() + b * dl_stride; }
  const T* du_of(int b) const { return du.data() + b * du_stride; }
  int count(BackwardStatus s) const;
};

// Gradients for every problem of `batch`, whose forward solution is `forward`.
// dl_dx: batch × n, required; dl_dy: batch × m, or null when L does not depend on y*.
// API misuse (sizes that disagree, null dl_dx, options out of range) throws
// InvalidArgument naming the argument; numerical outcomes are per-problem statuses.
// Executor::cuda() runs the same per-problem code on the GPU through the forward's launcher — a
// block or a warp tile per problem, the workspace in shared memory when it fits (host
// arrays in and out, like the forward); a solve on either executor can be differentiated
// on either. Without a usable device it throws CudaUnavailable.
namespace detail {
template <class T>
struct NonDeduced {
  using type = T;
};
}  // namespace detail

// (dl_dy does not take part in deducing T, so that a literal nullptr can be passed.)
template <class T>
Gradients<T> backward(const Executor& executor, const QpBatchView<T>& batch, const SolveResult<T>& forward,
                      const T* dl_dx, const typename detail::NonDeduced<T>::type* dl_dy = nullptr,
                      const BackwardOptions& options = {});

// The device-pointer entry (CUDA executors only): the backward of a forward that
// Solver::solve_on_device left on the device (its x, y and status; iterations is not
// read). Every array — the batch's, forward's, dl_dx, dl_dy (null when L does not
// depend on y*) and out's — is device or managed memory. The work is enqueued on the
// executor's stream and the call returns without waiting for it: no host copies, no
// synchronization; out is complete once the stream gets there. The library's own
// scratch (reports, workspaces, the per-problem blocks of shared gradients before
// their sum) is allocated and freed in stream order (cudaMallocAsync), so it does not
// wait for the device either (except on a device without memory pools, where freeing
// it does); a batch whose scratch exceeds the executor's device memory limit runs in
// chunks, with the same bits. A batch with cone blocks has its layout (QpBatchView::cones, host
// memory) copied to the device by each call: a copy from pageable memory, which waits for the
// work already on the stream.
// Output: a gradient is computed where its pointer in `out` is non-null, laid out as in
// Gradients<T>, and written completely — zeros where the gradient is zero, e.g. for a
// problem whose forward status is not solved / solved_inaccurate (its status:
// forward_not_solved). A shared input's block is the sum over the batch, added on the
// device in problem order (deterministic, the same bits as backward() on Executor::cuda).
// Misuse throws InvalidArgument naming the argument: a CPU executor, host or unknown
// pointers, a null forward.x / forward.y (m > 0) / forward.status / dl_dx / out.status,
// options out of range, a gradient pointer given while its want_* option is false, and
// BackwardOptions::error_if_unsolved (honouring it would mean reading the forward
// statuses on the host, i.e. synchronizing: read out.status instead). Without a usable
// device: CudaUnavailable. An error inside a kernel surfaces at the caller's next
// synchronization, as CUDA errors do.
template <class T>
void backward_on_device(const Executor& executor, const QpBatchView<T>& device_batch, const DeviceSolution<T>& forward,
                        const T* dl_dx, const typename detail::NonDeduced<T>::type* dl_dy,
                        const DeviceGradients<T>& out, const BackwardOptions& options = {});

}  // namespace bpqp
