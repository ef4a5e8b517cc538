// What the CUDA forward and backward passes share on the host side: the batch's
// input arrays as the host view holds them, their packed copies on the device,
// chunked uploads, and the device guard.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "bpqp/errors.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "core/problem_of.hpp"
#include "cuda/cuda_check.cuh"
#include "cuda/device_buffer.cuh"
#include "kernels/cone_layout.hpp"
#include "kernels/problem_view.hpp"

namespace bpqp::cuda {

constexpr std::size_t device_alignment = 256;

inline std::size_t aligned(std::size_t bytes) {
  return (bytes + device_alignment - 1) / device_alignment * device_alignment;
}

inline std::string megabytes(std::size_t bytes) { return std::to_string((bytes + 999999) / 1000000) + " MB"; }

// Offsets of arrays laid out one after another in one device buffer, each aligned.
class BufferLayout {
 public:
  std::size_t add(std::size_t bytes) {
    const std::size_t at = bytes_;
    bytes_ += aligned(bytes);
    return at;
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_ = 0;
};

template <class E>
E* at_offset(unsigned char* base, std::size_t offset) {
  return reinterpret_cast<E*>(base + offset);
}

// The problem arrays as a kernel reads them: problem b's P is P + b·P_stride
// (stride 0: one copy shared by the batch).
template <class T>
struct DeviceBatch {
  int n, m;
  const T *P, *q, *A, *l, *u;
  std::ptrdiff_t P_stride, q_stride, A_stride, l_stride, u_stride;
  kernels::ConeLayout cones;  // device pointers (DeviceConeLayout); none for a QP
};

// Problem b of a batch on the device (the host's twin: src/core/problem_of.hpp).
template <class T>
__device__ kernels::ProblemView<T> problem_of(const DeviceBatch<T>& batch, int b) {
  kernels::ProblemView<T> p;
  p.n = batch.n;
  p.m = batch.m;
  p.P = batch.P + b * batch.P_stride;
  p.q = batch.q + b * batch.q_stride;
  p.A = batch.A + b * batch.A_stride;
  p.l = batch.l + b * batch.l_stride;
  p.u = batch.u + b * batch.u_stride;
  p.cones = batch.cones;
  return p;
}

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

// One host array of the batch (an input, a solution or a loss gradient).
template <class T>
struct HostInput {
  const T* data;
  std::ptrdiff_t stride;  // elements between problems; 0: shared
  std::ptrdiff_t size;    // elements per problem
  bool shared() const { return stride == 0; }
};

// The five inputs of a batch view. A lone problem's strides are irrelevant: its
// arrays count as per-problem, so nothing is "shared" in a batch of one.
template <class T>
void host_inputs(const QpBatchView<T>& batch, HostInput<T> (&inputs)[5]) {
  const std::ptrdiff_t n = batch.n, m = batch.m, nn = n * n, mn = m * n;
  const bool one = batch.batch == 1;
  inputs[0] = {batch.P, one ? nn : batch.P_stride, nn};
  inputs[1] = {batch.q, one ? n : batch.q_stride, n};
  inputs[2] = {batch.A, one ? mn : batch.A_stride, mn};
  inputs[3] = {batch.l, one ? m : batch.l_stride, m};
  inputs[4] = {batch.u, one ? m : batch.u_stride, m};
}

// Copies problems [first, first + count) of a per-problem host array to `dst`, packed.
template <class T>
void upload_rows(T* dst, const HostInput<T>& in, int first, int count, cudaStream_t stream) {
  if (in.size == 0 || count == 0) return;
  const T* src = in.data + static_cast<std::ptrdiff_t>(first) * in.stride;
  const std::size_t row_bytes = in.size * sizeof(T);
  if (in.stride == in.size || count == 1)
    BPQP_CUDA_CHECK(cudaMemcpyAsync(dst, src, row_bytes * count, cudaMemcpyHostToDevice, stream));
  else
    BPQP_CUDA_CHECK(cudaMemcpy2DAsync(dst, row_bytes, src, in.stride * sizeof(T), row_bytes, count,
                                      cudaMemcpyHostToDevice, stream));
}

// The batch's five inputs on the device: a shared one (batch stride 0) once in the
// shared buffer, the per-problem ones packed per chunk in the chunk buffer.
template <class T>
class PackedInputs {
 public:
  explicit PackedInputs(const QpBatchView<T>& batch) : n_(batch.n), m_(batch.m) { host_inputs(batch, in_); }

  const HostInput<T>& operator[](int k) const { return in_[k]; }
  std::size_t shared_bytes() const {
    std::size_t bytes = 0;
    for (const HostInput<T>& in : in_)
      if (in.shared()) bytes += aligned(in.size * sizeof(T));
    return bytes;
  }
  std::size_t bytes_per_problem() const {
    std::size_t bytes = 0;
    for (const HostInput<T>& in : in_)
      if (!in.shared()) bytes += in.size * sizeof(T);
    return bytes;
  }
  // Reserves their places for chunks of `chunk` problems.
  void lay_out(int chunk, BufferLayout& chunk_layout, BufferLayout& shared_layout) {
    for (int k = 0; k < 5; ++k) {
      const std::size_t bytes = in_[k].size * sizeof(T);
      at_[k] = in_[k].shared() ? shared_layout.add(bytes) : chunk_layout.add(chunk * bytes);
    }
  }
  // Uploads the shared inputs and returns the kernels' view of a chunk's problems.
  DeviceBatch<T> place(unsigned char* shared_base, unsigned char* chunk_base, cudaStream_t stream) {
    const T* data[5];
    std::ptrdiff_t stride[5];
    for (int k = 0; k < 5; ++k) {
      T* device = at_offset<T>(in_[k].shared() ? shared_base : chunk_base, at_[k]);
      data[k] = device;
      stride[k] = in_[k].shared() ? 0 : in_[k].size;
      if (in_[k].shared() && in_[k].size > 0)
        BPQP_CUDA_CHECK(
            cudaMemcpyAsync(device, in_[k].data, in_[k].size * sizeof(T), cudaMemcpyHostToDevice, stream));
    }
    chunk_base_ = chunk_base;
    return {n_,        m_,        data[0],   data[1],   data[2],   data[3],          data[4],
            stride[0], stride[1], stride[2], stride[3], stride[4], kernels::ConeLayout()};
  }
  // Uploads the per-problem inputs of problems [first, first + count).
  void upload_chunk(int first, int count, cudaStream_t stream) const {
    for (int k = 0; k < 5; ++k)
      if (!in_[k].shared()) upload_rows(at_offset<T>(chunk_base_, at_[k]), in_[k], first, count, stream);
  }

 private:
  int n_, m_;
  HostInput<T> in_[5];
  std::size_t at_[5] = {};
  unsigned char* chunk_base_ = nullptr;
};

// Problems per chunk: as many as fit in `limit` besides `fixed` bytes. An Error
// naming the sizes when not even one does.
inline int problems_per_chunk(int count, std::size_t per_problem, std::size_t fixed, std::size_t limit,
                              const std::string& what, int n, int m) {
  if (fixed + per_problem > limit)
    throw Error(what + ": one " + std::to_string(n) + "×" + std::to_string(m) + " problem needs " +
                megabytes(per_problem) + " of device memory besides " + megabytes(fixed) +
                " shared, over the limit of " + megabytes(limit) +
                " (Executor::with_device_memory_limit; default: half the free memory)");
  return static_cast<int>(std::min<std::size_t>(count, (limit - fixed) / per_problem));
}

// Device memory one call may use: the executor's limit, or half of what is free
// plus what `held` bytes of the caller's own reusable buffers already occupy.
inline std::size_t device_memory_budget(std::size_t executor_limit, std::size_t held) {
  if (executor_limit > 0) return executor_limit;
  std::size_t free_bytes = 0, total_bytes = 0;
  BPQP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  return (free_bytes + held) / 2;
}

// Restores the caller's current device on scope exit (bpqp holds no global device state).
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    BPQP_CUDA_CHECK(cudaGetDevice(&previous_));
    BPQP_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

// A clear error for an array the GPU cannot read (host memory, a freed pointer); null
// passes. `entry` names the API call, `name` the argument.
inline void require_device_memory(const char* entry, const void* p, const std::string& name) {
  if (!p) return;
  cudaPointerAttributes attributes{};
  const cudaError_t status = cudaPointerGetAttributes(&attributes, p);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw InvalidArgument(std::string(entry) + ": " + name + " is not a valid pointer (" +
                          cudaGetErrorString(status) + ")");
  }
  if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged)
    throw InvalidArgument(std::string(entry) + ": " + name + " is host memory; device or managed memory expected");
}

// The same check for the five input arrays of a batch on the device, named prefix + P, q, A, l, u.
template <class T>
void require_device_batch(const char* entry, const QpBatchView<T>& batch, const char* prefix) {
  const void* const arrays[5] = {batch.P, batch.q, batch.A, batch.l, batch.u};
  const char* const names[5] = {"P", "q", "A", "l", "u"};
  for (int k = 0; k < 5; ++k) require_device_memory(entry, arrays[k], std::string(prefix) + names[k]);
}

// The kernels' view of problems [first, …) of a batch already on the device, at its own strides.
template <class T>
DeviceBatch<T> device_problems_from(const QpBatchView<T>& batch, int first) {
  const std::ptrdiff_t f = first;
  return {batch.n,
          batch.m,
          batch.P + f * batch.P_stride,
          batch.q + f * batch.q_stride,
          batch.A + f * batch.A_stride,
          batch.l + f * batch.l_stride,
          batch.u + f * batch.u_stride,
          batch.P_stride,
          batch.q_stride,
          batch.A_stride,
          batch.l_stride,
          batch.u_stride,
          kernels::ConeLayout()};
}

}  // namespace bpqp::cuda
