// The backward options' checks and their translation into the kernels' parameters, shared
// by the dense entry points (src/core/backward.cpp) and the sparse path's backward.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "bpqp/backward.hpp"
#include "bpqp/solve_result.hpp"
#include "core/admm_params.hpp"
#include "kernels/backward.hpp"

namespace bpqp::detail {

// The documented defaults: the forward's default eps_abs for τ, and a δ that
// refinement removes in one or two steps while staying well above rounding.
template <class T>
constexpr double default_delta() { return sizeof(T) >= sizeof(double) ? 1e-9 : 1e-6; }

// Argument checks; the message starts with the entry point that was called.
inline void require(bool ok, const char* entry, const std::string& what) {
  if (!ok) throw InvalidArgument(std::string(entry) + ": " + what);
}

// The option checks, the same for every entry point.
inline void validate_options(const BackwardOptions& o, const char* entry) {
  const auto finite_nonneg = [](double v) { return std::isfinite(v) && v >= 0; };
  if (o.active_tolerance)
    require(finite_nonneg(*o.active_tolerance), entry,
            "BackwardOptions::active_tolerance = " + std::to_string(*o.active_tolerance) +
                ": expected a finite value >= 0");
  require(finite_nonneg(o.lp_smoothing), entry,
          "BackwardOptions::lp_smoothing = " + std::to_string(o.lp_smoothing) + ": expected a finite value >= 0");
  if (o.delta)
    require(std::isfinite(*o.delta) && *o.delta > 0, entry,
            "BackwardOptions::delta = " + std::to_string(*o.delta) + ": expected a finite value > 0");
  require(o.refine_iterations >= 0, entry,
          "BackwardOptions::refine_iterations = " + std::to_string(o.refine_iterations) + ": expected >= 0");
  if (o.mode == BackwardMode::admm) validate(o.admm);
}

template <class T>
kernels::BackwardParams<T> to_backward_params(const BackwardOptions& o) {
  kernels::BackwardParams<T> p;
  p.active_tolerance = T(o.active_tolerance.value_or(effective_eps_abs<T>(Settings{})));
  p.delta = T(o.delta.value_or(default_delta<T>()));
  p.lp_smoothing = T(o.lp_smoothing);
  p.refine_iterations = o.refine_iterations;
  p.use_admm = o.mode == BackwardMode::admm;
  if (p.use_admm) {
    p.admm = detail::to_admm_params<T>(o.admm);
    // The backward QP's P is the forward's, already checked (or P + γI + A_𝒜ᵀA_𝒜/γ, PSD by construction).
    p.admm.check_convexity = false;
  }
  return p;
}

// The forward result and ∂L/∂x against the batch they claim to belong to.
template <class T>
void validate_forward(const SolveResult<T>& forward, int batch, int n, int m, const T* dl_dx, const char* entry) {
  const auto sizes = [](int b, int rows, int cols) {
    return std::to_string(b) + " problems of n = " + std::to_string(rows) + ", m = " + std::to_string(cols);
  };
  require(forward.batch == batch && forward.n == n && forward.m == m, entry,
          "forward has " + sizes(forward.batch, forward.n, forward.m) + ", expected " + sizes(batch, n, m) +
              " like batch");
  const std::size_t b = static_cast<std::size_t>(batch);
  require(forward.x.size() == b * n, entry,
          "forward.x has " + std::to_string(forward.x.size()) + " entries, expected batch·n = " + std::to_string(b * n));
  require(forward.y.size() == b * m, entry,
          "forward.y has " + std::to_string(forward.y.size()) + " entries, expected batch·m = " + std::to_string(b * m));
  require(forward.status.size() == b, entry,
          "forward.status has " + std::to_string(forward.status.size()) + " entries, expected batch = " +
              std::to_string(b));
  require(dl_dx != nullptr || b == 0, entry, "dl_dx is null: ∂L/∂x (batch × n) is required");
}

// Whether a forward status has an answer the backward differentiates.
inline bool forward_solved(SolveStatus s) { return s == SolveStatus::solved || s == SolveStatus::solved_inaccurate; }

// BackwardOptions::error_if_unsolved: ForwardNotSolved naming the first unsolved problem.
template <class T>
void throw_if_unsolved(const SolveResult<T>& forward, const BackwardOptions& o, const char* entry) {
  if (!o.error_if_unsolved) return;
  for (int b = 0; b < forward.batch; ++b)
    if (!forward_solved(forward.status[b]))
      throw ForwardNotSolved(std::string(entry) + ": problem " + std::to_string(b) + " has forward status " +
                             to_string(forward.status[b]) + " (BackwardOptions::error_if_unsolved is set)");
}

// A gradient's array in Gradients: one block per problem, or one block (the sum over the
// batch) for an input whose batch stride was 0 (stride then 0); left empty when not wanted.
template <class T>
void size_gradient(bool want, std::ptrdiff_t input_stride, std::ptrdiff_t block, int batch, std::vector<T>& v,
                   std::ptrdiff_t& stride) {
  stride = input_stride == 0 ? 0 : block;
  if (want) v.assign(static_cast<std::size_t>(input_stride == 0 ? block : block * batch), T(0));
}

}  // namespace bpqp::detail
