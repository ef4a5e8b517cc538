// A batch's cone layout (kernels/cone_layout.hpp) in device memory, placed from the host's.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "bpqp/qp_batch_view.hpp"
#include "core/problem_of.hpp"
#include "cuda/cuda_check.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/device_memory.cuh"
#include "kernels/cone_layout.hpp"

namespace bpqp::cuda {

// A batch's cone layout (kernels/cone_layout.hpp) in device memory: the blocks, the internal
// row order and the block starts. The layout is host data (QpBatchView::cones), so placing it
// is a copy from pageable host memory, which CUDA orders after the work already on the stream
// (it waits for it): done only when the layout differs from the one already placed.
class DeviceConeLayout {
 public:
  // Device bytes the layout of `batch` takes.
  template <class T>
  static std::size_t bytes(const QpBatchView<T>& batch) {
    if (batch.cone_count == 0) return 0;
    return aligned(batch.cone_count * sizeof(ConeBlock)) + aligned(batch.m * sizeof(int)) +
           (batch.cone_count + 1) * sizeof(int);
  }
  // Copies the layout of `batch` to `device` (bytes(batch) of device memory the caller keeps
  // until the kernels that read it are done) and returns the kernels' view of it.
  template <class T>
  static kernels::ConeLayout place_at(const QpBatchView<T>& batch, unsigned char* device, cudaStream_t stream) {
    if (batch.cone_count == 0) return kernels::ConeLayout();
    const detail::HostConeLayout host(batch);
    const std::size_t blocks_bytes = aligned(batch.cone_count * sizeof(ConeBlock));
    const std::size_t order_bytes = aligned(host.row_order().size() * sizeof(int));
    BPQP_CUDA_CHECK(
        cudaMemcpyAsync(device, batch.cones, batch.cone_count * sizeof(ConeBlock), cudaMemcpyHostToDevice, stream));
    BPQP_CUDA_CHECK(cudaMemcpyAsync(device + blocks_bytes, host.row_order().data(),
                                    host.row_order().size() * sizeof(int), cudaMemcpyHostToDevice, stream));
    BPQP_CUDA_CHECK(cudaMemcpyAsync(device + blocks_bytes + order_bytes, host.block_start().data(),
                                    host.block_start().size() * sizeof(int), cudaMemcpyHostToDevice, stream));
    kernels::ConeLayout layout = host.layout();
    layout.blocks = reinterpret_cast<const ConeBlock*>(device);
    layout.row_order = reinterpret_cast<const int*>(device + blocks_bytes);
    layout.block_start = reinterpret_cast<const int*>(device + blocks_bytes + order_bytes);
    return layout;
  }
  // The same in this object's own buffer, copied only when the layout differs from the last.
  template <class T>
  kernels::ConeLayout place(const QpBatchView<T>& batch, cudaStream_t stream) {
    if (batch.cone_count == 0) return kernels::ConeLayout();
    std::vector<int> words(3 * batch.cone_count + 1);  // the blocks as (first_row, dim, kind), and m
    for (int k = 0; k < batch.cone_count; ++k) {
      words[3 * k] = batch.cones[k].first_row;
      words[3 * k + 1] = batch.cones[k].dim;
      words[3 * k + 2] = static_cast<int>(batch.cones[k].kind);
    }
    words.back() = batch.m;
    if (words != placed_) {
      buffer_.reserve(bytes(batch));
      layout_ = place_at(batch, buffer_.data(), stream);
      placed_ = std::move(words);
    }
    return layout_;
  }

 private:
  DeviceBuffer<unsigned char> buffer_;
  std::vector<int> placed_;
  kernels::ConeLayout layout_;
};

}  // namespace bpqp::cuda
