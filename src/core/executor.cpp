#include "bpqp/executor.hpp"

#include <string>

#include "bpqp/errors.hpp"

namespace bpqp {

Executor Executor::cpu(int threads) {
  if (threads < 0) throw InvalidArgument("Executor::cpu: threads = " + std::to_string(threads) + ": expected >= 0 (0 = all)");
  return Executor(Kind::cpu, threads, -1, nullptr);
}

Executor Executor::cuda(int device, void* stream) {
  if (device < 0) throw InvalidArgument("Executor::cuda: device = " + std::to_string(device) + ": expected >= 0");
  return Executor(Kind::cuda, 0, device, stream);
}

Executor Executor::with_device_memory_limit(std::size_t bytes) const {
  if (kind_ != Kind::cuda) throw InvalidArgument("Executor::with_device_memory_limit: only a CUDA executor has device memory");
  Executor e = *this;
  e.device_memory_limit_ = bytes;
  return e;
}

Executor Executor::with_block_size(int threads) const {
  if (kind_ != Kind::cuda) throw InvalidArgument("Executor::with_block_size: only a CUDA executor has blocks");
  if (threads < 0 || threads > 256)
    throw InvalidArgument("Executor::with_block_size: threads = " + std::to_string(threads) +
                          ": expected 1 to 256 (0 = the default, 128)");
  Executor e = *this;
  e.block_size_ = threads;
  return e;
}

Executor Executor::with_shared_memory_workspace(bool allowed) const {
  if (kind_ != Kind::cuda)
    throw InvalidArgument("Executor::with_shared_memory_workspace: only a CUDA executor has shared memory");
  Executor e = *this;
  e.shared_memory_workspace_ = allowed;
  return e;
}

}  // namespace bpqp
