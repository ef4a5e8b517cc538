// Where a solve runs. Executor::cpu() spreads the batch over host threads;
// Executor::cuda() runs it on a GPU (a build without CUDA throws CudaUnavailable).
#pragma once

namespace bpqp {

class Executor {
 public:
  enum class Kind { cpu, cuda };

  // threads = 0: one per hardware thread.
  static Executor cpu(int threads = 0);
  // device: CUDA ordinal; stream: a cudaStream_t (nullptr = the default stream).
  static Executor cuda(int device = 0, void* stream = nullptr);

  Kind kind() const { return kind_; }
  int threads() const { return threads_; }
  int device() const { return device_; }
  void* stream() const { return stream_; }

 private:
  Executor(Kind kind, int threads, int device, void* stream)
      : kind_(kind), threads_(threads), device_(device), stream_(stream) {}
  Kind kind_;
  int threads_;
  int device_;
  void* stream_;
};

// True when this build has the CUDA backend and a usable device exists.
bool cuda_available();
// Why not, in words ("built without CUDA", "cudaGetDeviceCount failed: …").
const char* cuda_unavailable_reason();

}  // namespace bpqp
