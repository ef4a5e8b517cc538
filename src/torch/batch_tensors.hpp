// The op's tensors, checked and turned into the core library's QpBatchView: shapes
// with an optional leading batch dimension, one dtype and one device, P used as
// ½(P + Pᵀ), missing inputs filled in (P = 0, no rows, unbounded rows). The tensors
// the view points into are held here, so the view lives as long as this object.
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>
#include <string>

#include "bpqp/qp_batch_view.hpp"

namespace bpqp::torch_ops {

// How a batched input whose leading dimension has stride 0 (an expanded tensor) is read.
enum class ExpandedInputs {
  shared,       // as one shared array (batch stride 0): the forward's answer does not depend on it
  per_problem,  // copied to one block per problem: the backward then returns per-problem gradients
};

// Whether `t` (rank base_rank + 1) is batched by expansion: a leading dimension of stride 0.
bool is_expanded(const at::Tensor& t, int64_t base_rank);

struct BatchTensors {
  int batch = 1;
  bool batched = false;  // some input had the leading batch dimension
  int n = 0, m = 0;
  at::ScalarType dtype = at::kDouble;
  at::Device device = at::kCPU;
  // What the view points into (contiguous in their inner dimensions); P is symmetrized.
  at::Tensor P, q, A, l, u;
  bool has_P = false, has_A = false, has_l = false, has_u = false;  // given (else filled in)
  bool P_batched = false, q_batched = false, A_batched = false, l_batched = false, u_batched = false;

  template <class T>
  QpBatchView<T> view() const;
};

// Checks the inputs (TORCH_CHECK, naming the argument and what was expected) and lays them
// out for the core library. `entry` names the op in messages.
BatchTensors batch_tensors(const std::optional<at::Tensor>& P, const at::Tensor& q, const std::optional<at::Tensor>& A,
                           const std::optional<at::Tensor>& l, const std::optional<at::Tensor>& u,
                           ExpandedInputs expanded, const char* entry);

// The shape a per-problem output of `inner` entries takes: (batch, inner) when the inputs
// were batched, (inner) when none was.
std::vector<int64_t> output_shape(const BatchTensors& inputs, int64_t inner);

}  // namespace bpqp::torch_ops
