#include "torch/batch_tensors.hpp"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <limits>

namespace bpqp::torch_ops {
namespace {

// One input's contribution: rank `base` unbatched, rank base + 1 batched.
struct InputShape {
  const char* name;
  const at::Tensor* tensor;
  int64_t base_rank;
};

std::string shape_of(const at::Tensor& t) {
  std::string s = "(";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + ")";
}

bool is_batched(const at::Tensor& t, int64_t base_rank) { return t.dim() == base_rank + 1; }

// The array the core library reads for one input: an unbatched tensor (or, read as
// shared, an expanded batched one) becomes one contiguous block; a batched one a
// contiguous batch of blocks.
at::Tensor layout(const at::Tensor& t, int64_t base_rank, ExpandedInputs expanded, bool* batched) {
  *batched = is_batched(t, base_rank);
  if (expanded == ExpandedInputs::shared && is_expanded(t, base_rank)) {
    *batched = false;
    return t.select(0, 0).contiguous();
  }
  return t.contiguous();
}

}  // namespace

bool is_expanded(const at::Tensor& t, int64_t base_rank) {
  return is_batched(t, base_rank) && t.size(0) > 1 && t.stride(0) == 0;
}

BatchTensors batch_tensors(const std::optional<at::Tensor>& P_in, const at::Tensor& q_in,
                           const std::optional<at::Tensor>& A_in, const std::optional<at::Tensor>& l_in,
                           const std::optional<at::Tensor>& u_in, ExpandedInputs expanded, const char* entry) {
  BatchTensors out;
  TORCH_CHECK(q_in.defined(), entry, ": q is required");
  TORCH_CHECK(q_in.dim() == 1 || q_in.dim() == 2, entry, ": q must have shape (n) or (batch, n), got ",
              shape_of(q_in));
  TORCH_CHECK(q_in.scalar_type() == at::kFloat || q_in.scalar_type() == at::kDouble, entry,
              ": q must be float32 or float64, got ", q_in.scalar_type());
  out.dtype = q_in.scalar_type();
  out.device = q_in.device();
  const int64_t n = q_in.size(-1);
  const bool has_A = A_in.has_value() && A_in->defined();
  TORCH_CHECK(has_A || !((l_in && l_in->defined()) || (u_in && u_in->defined())), entry,
              ": l or u given without A (the bounds are on the rows of A)");
  int64_t m = 0;
  if (has_A) {
    TORCH_CHECK(A_in->dim() == 2 || A_in->dim() == 3, entry, ": A must have shape (m, n) or (batch, m, n), got ",
                shape_of(*A_in));
    m = A_in->size(-2);
  }

  // Every given input: rank, dtype, device, inner sizes, and one batch size for all.
  const InputShape inputs[] = {{"P", P_in && P_in->defined() ? &*P_in : nullptr, 2},
                               {"q", &q_in, 1},
                               {"A", has_A ? &*A_in : nullptr, 2},
                               {"l", l_in && l_in->defined() ? &*l_in : nullptr, 1},
                               {"u", u_in && u_in->defined() ? &*u_in : nullptr, 1}};
  int64_t batch = -1;
  const char* batch_from = nullptr;
  for (const InputShape& in : inputs) {
    if (!in.tensor) continue;
    const at::Tensor& t = *in.tensor;
    TORCH_CHECK(t.dim() == in.base_rank || t.dim() == in.base_rank + 1, entry, ": ", in.name, " must have rank ",
                in.base_rank, " or ", in.base_rank + 1, " (with a leading batch dimension), got shape ", shape_of(t));
    TORCH_CHECK(t.scalar_type() == out.dtype, entry, ": ", in.name, " is ", t.scalar_type(), " but q is ", out.dtype,
                ": every input must have q's dtype (float32 or float64)");
    TORCH_CHECK(t.device() == out.device, entry, ": ", in.name, " is on ", t.device(), " but q is on ", out.device,
                ": every input must be on q's device");
    const bool batched = is_batched(t, in.base_rank);
    const int64_t rows = in.base_rank == 2 ? t.size(-2) : t.size(-1);
    const int64_t expected_rows = in.name[0] == 'P' || in.name[0] == 'q' ? n : m;
    TORCH_CHECK(rows == expected_rows, entry, ": ", in.name, " has shape ", shape_of(t), ", expected ",
                in.base_rank == 2 ? std::to_string(expected_rows) + "×" + std::to_string(n) : std::to_string(expected_rows),
                " per problem (n = ", n, " from q", has_A ? ", m = " + std::to_string(m) + " from A" : std::string(),
                ")");
    if (in.base_rank == 2) {
      TORCH_CHECK(t.size(-1) == n, entry, ": ", in.name, " has ", t.size(-1), " columns, expected n = ", n,
                  " (from q)");
    }
    if (batched) {
      TORCH_CHECK(batch < 0 || t.size(0) == batch, entry, ": ", in.name, " has batch size ", t.size(0), " but ",
                  batch_from, " has ", batch);
      batch = t.size(0);
      batch_from = in.name;
    }
  }
  TORCH_CHECK(n > 0, entry, ": q has no entries (n = 0)");
  TORCH_CHECK(batch != 0, entry, ": ", batch_from, " has a batch dimension of size 0");
  TORCH_CHECK(n <= std::numeric_limits<int>::max() && m <= std::numeric_limits<int>::max() &&
                  batch <= std::numeric_limits<int>::max(),
              entry, ": sizes beyond int range");
  out.batched = batch > 0;
  out.batch = out.batched ? static_cast<int>(batch) : 1;
  out.n = static_cast<int>(n);
  out.m = static_cast<int>(m);
  out.has_P = P_in && P_in->defined();
  out.has_A = has_A;
  out.has_l = l_in && l_in->defined();
  out.has_u = u_in && u_in->defined();

  const auto options = at::TensorOptions().dtype(out.dtype).device(out.device);
  if (P_in && P_in->defined()) {
    // P enters as ½(P + Pᵀ): the core library takes a full symmetric P, and the gradient of
    // the symmetric part is what a user holding any square P wants (it is symmetric).
    const at::Tensor P = layout(*P_in, 2, expanded, &out.P_batched);
    out.P = (0.5 * (P + P.transpose(-2, -1))).contiguous();
  } else {
    out.P = at::zeros({n, n}, options);  // an LP
  }
  out.q = layout(q_in, 1, expanded, &out.q_batched);
  if (has_A) {
    out.A = layout(*A_in, 2, expanded, &out.A_batched);
  } else {
    out.A = at::zeros({0, n}, options);
  }
  const double inf = std::numeric_limits<double>::infinity();
  out.l = l_in && l_in->defined() ? layout(*l_in, 1, expanded, &out.l_batched) : at::full({m}, -inf, options);
  out.u = u_in && u_in->defined() ? layout(*u_in, 1, expanded, &out.u_batched) : at::full({m}, inf, options);
  return out;
}

template <class T>
QpBatchView<T> BatchTensors::view() const {
  QpBatchView<T> v;
  v.batch = batch;
  v.n = n;
  v.m = m;
  v.P = P.data_ptr<T>();
  v.q = q.data_ptr<T>();
  v.A = A.data_ptr<T>();
  v.l = l.data_ptr<T>();
  v.u = u.data_ptr<T>();
  v.P_stride = P_batched ? static_cast<std::ptrdiff_t>(n) * n : 0;
  v.q_stride = q_batched ? n : 0;
  v.A_stride = A_batched ? static_cast<std::ptrdiff_t>(m) * n : 0;
  v.l_stride = l_batched ? m : 0;
  v.u_stride = u_batched ? m : 0;
  return v;
}

template QpBatchView<float> BatchTensors::view<float>() const;
template QpBatchView<double> BatchTensors::view<double>() const;

std::vector<int64_t> output_shape(const BatchTensors& inputs, int64_t inner) {
  if (inputs.batched) return {inputs.batch, inner};
  return {inner};
}

}  // namespace bpqp::torch_ops
