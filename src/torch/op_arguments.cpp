#include "torch/op_arguments.hpp"

#include <c10/util/Exception.h>
#include <c10/util/Logging.h>

#include <limits>
#include <map>

#include "bpqp/errors.hpp"
#include "bpqp/status.hpp"

namespace bpqp::torch_ops {

OnFailure on_failure_from(c10::string_view name) {
  if (name == "warn") return OnFailure::warn;
  if (name == "raise") return OnFailure::raise;
  if (name == "ignore") return OnFailure::ignore;
  TORCH_CHECK(false, "bpqp: on_failure must be \"warn\", \"raise\" or \"ignore\", got \"", std::string(name), "\"");
}

Settings settings_from(std::optional<double> eps_abs, std::optional<double> eps_rel, int64_t max_iter, bool polish,
                       bool interior_point_fallback, bool check_convexity, bool batch_phase) {
  TORCH_CHECK(max_iter > 0 && max_iter <= std::numeric_limits<int>::max(), "bpqp: max_iter must be in [1, 2^31), got ",
              max_iter);
  Settings s;
  s.eps_abs = eps_abs;
  s.eps_rel = eps_rel;
  s.max_iter = static_cast<int>(max_iter);
  s.polish = polish;
  s.interior_point_fallback = interior_point_fallback;
  s.check_convexity = check_convexity;
  s.batch_phase = batch_phase;
  s.warm_start = false;  // each op call is a fresh solve: an op keeps no state between calls
  try {
    validate(s);
  } catch (const InvalidArgument& e) {
    TORCH_CHECK(false, "bpqp: ", e.what());
  }
  return s;
}

void check_backward_settings(std::optional<double> active_tolerance, double lp_smoothing) {
  TORCH_CHECK(lp_smoothing >= 0.0 && lp_smoothing < std::numeric_limits<double>::infinity(),
              "bpqp: lp_smoothing must be finite and >= 0, got ", lp_smoothing);
  TORCH_CHECK(!active_tolerance || (*active_tolerance >= 0.0 && *active_tolerance < 1.0),
              "bpqp: active_tolerance must be in [0, 1), got ", *active_tolerance);
}

BackwardOptions backward_options(const bool (&wanted)[5], std::optional<double> active_tolerance, double lp_smoothing) {
  check_backward_settings(active_tolerance, lp_smoothing);
  BackwardOptions o;
  o.want_P = wanted[0];
  o.want_q = wanted[1];
  o.want_A = wanted[2];
  o.want_l = wanted[3];
  o.want_u = wanted[4];
  o.active_tolerance = active_tolerance;
  o.lp_smoothing = lp_smoothing;
  return o;
}

const c10::TypedOperatorHandle<QpSolveSignature>& qp_solve_op() {
  static const auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("bpqp::qp_solve", "").typed<QpSolveSignature>();
  return op;
}

const c10::TypedOperatorHandle<QpSolveBackwardSignature>& qp_solve_backward_op() {
  static const auto op = c10::Dispatcher::singleton()
                             .findSchemaOrThrow("bpqp::qp_solve_backward", "")
                             .typed<QpSolveBackwardSignature>();
  return op;
}

std::string failure_message(const int32_t* status, int batch) {
  std::map<int32_t, int> by_status;
  std::string first;  // the first few problem indices
  int failed = 0;
  for (int b = 0; b < batch; ++b) {
    const auto s = static_cast<SolveStatus>(status[b]);
    if (s == SolveStatus::solved || s == SolveStatus::solved_inaccurate) continue;
    ++by_status[status[b]];
    if (failed < 20) first += (failed ? ", " : "") + std::to_string(b);
    ++failed;
  }
  if (failed == 0) return {};
  std::string why;
  for (const auto& [s, count] : by_status) {
    why += (why.empty() ? "" : ", ") + std::string(to_string(static_cast<SolveStatus>(s))) + ": " +
           std::to_string(count);
  }
  return "bpqp.qp_solve: " + std::to_string(failed) + " of " + std::to_string(batch) + " problems not solved (" +
         why + "); problems " + first + (failed > 20 ? ", …" : "");
}

void report_failures(const int32_t* status, int batch, OnFailure policy) {
  if (policy == OnFailure::ignore) return;
  const std::string what = failure_message(status, batch);
  if (what.empty()) return;
  TORCH_CHECK(policy != OnFailure::raise, what, " (on_failure=\"raise\")");
  TORCH_WARN(what, kFailureAdvice);
}

}  // namespace bpqp::torch_ops
