// The arguments of the bpqp torch operators beyond the data, and what they turn into:
// the core library's Settings and BackwardOptions, and the failure policy.
//
// The CPU, CUDA and Autograd kernels of qp_solve all take the same long argument list
// (the dispatcher needs the schema's exact signature in each), so it is written once,
// as the macros below, next to the schema it must match.
#pragma once

#include <ATen/core/Tensor.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/util/string_view.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "bpqp/backward.hpp"
#include "bpqp/settings.hpp"

namespace bpqp::torch_ops {

// Schema of the settings part of bpqp::qp_solve (after the data P, q, A, l, u).
#define BPQP_TORCH_SOLVE_SETTINGS_SCHEMA                                                                   \
  "float? eps_abs=None, float? eps_rel=None, int max_iter=10000, bool polish=True, "                      \
  "bool interior_point_fallback=True, bool check_convexity=True, bool batch_phase=True, "                \
  "float? active_tolerance=None, float lp_smoothing=0.0, str on_failure=\"warn\""

// The same, as C++ parameters and as the arguments that pass them on.
#define BPQP_TORCH_SOLVE_PARAMETERS                                                                         \
  const std::optional<at::Tensor>&P, const at::Tensor &q, const std::optional<at::Tensor>&A,              \
      const std::optional<at::Tensor>&l, const std::optional<at::Tensor>&u, std::optional<double> eps_abs, \
      std::optional<double> eps_rel, int64_t max_iter, bool polish, bool interior_point_fallback,          \
      bool check_convexity, bool batch_phase, std::optional<double> active_tolerance,                      \
      double lp_smoothing, c10::string_view on_failure
#define BPQP_TORCH_SOLVE_ARGUMENTS                                                                          \
  P, q, A, l, u, eps_abs, eps_rel, max_iter, polish, interior_point_fallback, check_convexity,             \
      batch_phase, active_tolerance, lp_smoothing, on_failure

// Schema and parameters of bpqp::qp_solve_backward (CPU and CUDA kernels).
#define BPQP_TORCH_BACKWARD_SCHEMA                                                                          \
  "Tensor grad_x, Tensor? grad_y, Tensor x, Tensor y, Tensor status, Tensor? P, Tensor q, Tensor? A, "     \
  "Tensor? l, Tensor? u, bool[5] output_mask, float? active_tolerance=None, float lp_smoothing=0.0"
#define BPQP_TORCH_BACKWARD_PARAMETERS                                                                      \
  const at::Tensor &grad_x, const std::optional<at::Tensor>&grad_y, const at::Tensor &x, const at::Tensor &y, \
      const at::Tensor &status, const std::optional<at::Tensor>&P, const at::Tensor &q,                    \
      const std::optional<at::Tensor>&A, const std::optional<at::Tensor>&l, const std::optional<at::Tensor>&u, \
      std::array<bool, 5> output_mask, std::optional<double> active_tolerance, double lp_smoothing
#define BPQP_TORCH_BACKWARD_ARGUMENTS \
  grad_x, grad_y, x, y, status, P, q, A, l, u, output_mask, active_tolerance, lp_smoothing

using SolveOutputs = std::tuple<at::Tensor, at::Tensor, at::Tensor>;  // x, y, status
using GradientOutputs = std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>;  // dP … du

// The operators' C++ signatures (for the dispatcher's typed handles).
using QpSolveSignature = SolveOutputs(BPQP_TORCH_SOLVE_PARAMETERS);
using QpSolveBackwardSignature = GradientOutputs(BPQP_TORCH_BACKWARD_PARAMETERS);

// The operators' typed dispatcher handles (for calls that go through autograd and the
// device dispatch: the autograd kernel, the LibTorch API).
const c10::TypedOperatorHandle<QpSolveSignature>& qp_solve_op();
const c10::TypedOperatorHandle<QpSolveBackwardSignature>& qp_solve_backward_op();

// What to do with problems the forward did not solve (status other than solved /
// solved_inaccurate): their x, y are the solver's, their gradients zero, and
enum class OnFailure {
  warn,    // a warning says how many and why (the default)
  raise,   // the op raises, naming the problems
  ignore,  // nothing is said: read the statuses
};

OnFailure on_failure_from(c10::string_view name);

// Settings from the op's arguments; out-of-range values raise, naming the argument.
Settings settings_from(std::optional<double> eps_abs, std::optional<double> eps_rel, int64_t max_iter, bool polish,
                       bool interior_point_fallback, bool check_convexity, bool batch_phase);

// Checks active_tolerance and lp_smoothing (the forward takes them too, to raise where the
// user passed them rather than in the backward).
void check_backward_settings(std::optional<double> active_tolerance, double lp_smoothing);

// The backward's options: only the gradients asked for (dP … du, in that order), the
// active-set threshold (the forward's eps_abs unless given), LP smoothing γ.
BackwardOptions backward_options(const bool (&wanted)[5], std::optional<double> active_tolerance, double lp_smoothing);

// "N of B problems not solved (status: count, …); problems i, j, …", or "" when all were.
std::string failure_message(const int32_t* status, int batch);
// What a warning adds to that message.
inline constexpr const char* kFailureAdvice =
    ". Their x and y are the solver's last iterates and their gradients are zero; read the status output, or pass "
    "on_failure=\"raise\" or \"ignore\".";

// Applies the failure policy to the forward's statuses (host memory, one per problem).
void report_failures(const int32_t* status, int batch, OnFailure policy);

}  // namespace bpqp::torch_ops
