// Where a solve runs. Executor::cpu() spreads the batch over host threads;
// Executor::cuda() runs it on a GPU (a build without CUDA throws CudaUnavailable).
#pragma once

#include <cstddef>

namespace bpqp {

class Executor {
 public:
  enum class Kind { cpu, cuda };

  // threads = 0: one per hardware thread.
  static Executor cpu(int threads = 0);
  // device: CUDA ordinal; stream: a cudaStream_t (nullptr = the default stream).
  static Executor cuda(int device = 0, void* stream = nullptr);

  // CUDA only. The device memory one solve may use, inputs, outputs and workspace
  // together (0, the default: half of the memory free when the solve starts). A batch
  // that does not fit is solved in chunks; a single problem that does not fit is an
  // Error saying how much it needs.
  Executor with_device_memory_limit(std::size_t bytes) const;
  // CUDA only. Threads that solve one problem, 1 to 256 (0, the default: 128, or
  // 32 with several problems per block). Any count works for one problem per block;
  // multiples of 32 use the warps fully.
  Executor with_block_size(int threads) const;
  // CUDA only. Problems that share one block, 1 to 32 (1, the default: a block per
  // problem). With k > 1 each problem is solved by a warp tile — block_size() threads,
  // a power of two up to 32 — and a block holds k tiles (k·block_size() ≤ 256): for
  // tiny problems, where a whole block per problem leaves most threads idle. The
  // forward uses it; the backward keeps a block of block_size() threads per problem.
  Executor with_problems_per_block(int problems) const;
  // CUDA only. Whether a problem's workspace may live in the block's shared memory
  // when it fits (the default, true: the large opt-in carve-out, 227 KB per block on
  // H100/H200, holds a double 90×20 or a float 130×20 problem); false keeps it in
  // global memory. Both run the same code and give the same bits.
  Executor with_shared_memory_workspace(bool allowed) const;

  Kind kind() const { return kind_; }
  int threads() const { return threads_; }
  int device() const { return device_; }
  void* stream() const { return stream_; }
  std::size_t device_memory_limit() const { return device_memory_limit_; }
  int block_size() const { return block_size_; }
  int problems_per_block() const { return problems_per_block_; }
  bool shared_memory_workspace() const { return shared_memory_workspace_; }

 private:
  Executor(Kind kind, int threads, int device, void* stream)
      : kind_(kind), threads_(threads), device_(device), stream_(stream) {}
  Kind kind_;
  int threads_;
  int device_;
  void* stream_;
  std::size_t device_memory_limit_ = 0;
  int block_size_ = 0;
  int problems_per_block_ = 1;
  bool shared_memory_workspace_ = true;
};

// True when this build has the CUDA backend and a usable device exists.
bool cuda_available();
// Why not, in words ("built without CUDA", "cudaGetDeviceCount failed: …").
const char* cuda_unavailable_reason();

}  // namespace bpqp
