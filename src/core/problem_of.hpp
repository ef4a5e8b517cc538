// Problem b of a batch as the per-problem kernels read it, on the host: its arrays and the
// batch's cone layout (kernels/cone_layout.hpp), which the host builds once per batch. The
// device twin is problem_of in src/cuda/problem_kernels.cuh.
#pragma once

#include <vector>

#include "bpqp/qp_batch_view.hpp"
#include "kernels/cone_layout.hpp"
#include "kernels/problem_view.hpp"

namespace bpqp::detail {

// The internal row order and block starts of a batch's cone blocks, in host memory.
class HostConeLayout {
 public:
  HostConeLayout(const ConeBlock* blocks, int count, int m) {
    if (count == 0) return;
    row_order_.resize(m);
    block_start_.resize(count + 1);
    std::vector<unsigned char> in_block(m);
    layout_ = kernels::build_cone_layout(blocks, count, m, row_order_.data(), block_start_.data(), in_block.data());
  }
  template <class T>
  explicit HostConeLayout(const QpBatchView<T>& batch) : HostConeLayout(batch.cones, batch.cone_count, batch.m) {}
  HostConeLayout(const HostConeLayout&) = delete;
  HostConeLayout& operator=(const HostConeLayout&) = delete;

  const kernels::ConeLayout& layout() const { return layout_; }
  const std::vector<int>& row_order() const { return row_order_; }
  const std::vector<int>& block_start() const { return block_start_; }

 private:
  std::vector<int> row_order_, block_start_;
  kernels::ConeLayout layout_;
};

template <class T>
kernels::ProblemView<T> problem_of(const QpBatchView<T>& batch, int b, const kernels::ConeLayout& cones) {
  kernels::ProblemView<T> p;
  p.n = batch.n;
  p.m = batch.m;
  p.P = batch.P_of(b);
  p.q = batch.q_of(b);
  p.A = batch.A_of(b);
  p.l = batch.l_of(b);
  p.u = batch.u_of(b);
  p.cones = cones;
  return p;
}

}  // namespace bpqp::detail
