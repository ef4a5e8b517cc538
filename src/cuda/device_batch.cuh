// A batch's arrays on the device, as the CUDA forward and backward passes share them: the
// kernels' view (DeviceBatch, problem b of it), the host view's arrays and their packed
// copies on the device with chunked uploads, and the view of a batch already on the device.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "bpqp/qp_batch_view.hpp"
#include "cuda/cuda_check.cuh"
#include "cuda/device_memory.cuh"
#include "kernels/cone_layout.hpp"
#include "kernels/problem_view.hpp"

namespace bpqp::cuda {

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
