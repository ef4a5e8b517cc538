// The op's outputs and the backward's extra inputs, shaped like the data: x (batch, n),
// y (batch, m), status (batch) — without the batch dimension when no input had one —
// and each gradient in its input's shape (one block, the sum, for an unbatched input).
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <optional>
#include <vector>

#include "torch/batch_tensors.hpp"
#include "torch/op_arguments.hpp"

namespace bpqp::torch_ops {

std::vector<int64_t> status_shape(const BatchTensors& in);

// The forward's outputs and the loss's gradients with respect to them, checked against the
// data (shapes, dtype, device) and made contiguous; wanted[i]: gradient i (dP, dq, dA, dl,
// du) asked for and its input given.
struct BackwardTensors {
  at::Tensor grad_x, grad_y, x, y, status;  // grad_y undefined when the loss does not depend on y
  bool wanted[5] = {};
};

BackwardTensors backward_tensors(const BatchTensors& in, const at::Tensor& grad_x,
                                 const std::optional<at::Tensor>& grad_y, const at::Tensor& x, const at::Tensor& y,
                                 const at::Tensor& status, std::array<bool, 5> output_mask);

// A forward kernel's inputs, from the op's arguments, checked the same way on every backend:
// the data laid out for the core library, its settings, the failure policy.
struct SolveRequest {
  BatchTensors in;
  Settings settings;
  OnFailure on_failure;
};
SolveRequest solve_request(BPQP_TORCH_SOLVE_PARAMETERS);

// x, y and status, allocated on the data's device.
SolveOutputs allocate_solution(const BatchTensors& in);

// A backward kernel's inputs, likewise: the data (an expanded input copied per problem, so
// that its gradient is per problem), the forward's outputs and the loss's gradients, options.
struct BackwardRequest {
  BatchTensors in;
  BackwardTensors t;
  BackwardOptions options;
};
BackwardRequest backward_request(BPQP_TORCH_BACKWARD_PARAMETERS);

// The gradient outputs, allocated on the data's device: its input's shape where wanted,
// an empty tensor elsewhere.
std::array<at::Tensor, 5> allocate_gradients(const BatchTensors& in, const BackwardTensors& t);

}  // namespace bpqp::torch_ops
