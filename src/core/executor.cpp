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

namespace {

// Several problems per block need warp tiles: a power of two of threads up to 32, k tiles in ≤ 256 threads.
void require_tile_shape(const char* call, int threads, int problems) {
  if (problems == 1) return;
  if (threads == 0) threads = 32;  // the tile width when block_size is left at its default
  const bool power_of_two = (threads & (threads - 1)) == 0;
  if (!power_of_two || threads > 32)
    throw InvalidArgument(std::string(call) + ": " + std::to_string(problems) + " problems per block need " +
                          "block_size (threads per problem) 1, 2, 4, 8, 16 or 32, not " + std::to_string(threads));
  if (threads * problems > 256)
    throw InvalidArgument(std::string(call) + ": " + std::to_string(problems) + " problems of " +
                          std::to_string(threads) + " threads make a block of " + std::to_string(threads * problems) +
                          " threads; at most 256");
}

}  // namespace

Executor Executor::with_block_size(int threads) const {
  if (kind_ != Kind::cuda) throw InvalidArgument("Executor::with_block_size: only a CUDA executor has blocks");
  if (threads < 0 || threads > 256)
    throw InvalidArgument("Executor::with_block_size: threads = " + std::to_string(threads) +
                          ": expected 1 to 256 (0 = the default, 128)");
  require_tile_shape("Executor::with_block_size", threads, problems_per_block_);
  Executor e = *this;
  e.block_size_ = threads;
  return e;
}

Executor Executor::with_problems_per_block(int problems) const {
  if (kind_ != Kind::cuda) throw InvalidArgument("Executor::with_problems_per_block: only a CUDA executor has blocks");
  if (problems < 1 || problems > 32)
    throw InvalidArgument("Executor::with_problems_per_block: problems = " + std::to_string(problems) +
                          ": expected 1 to 32");
  require_tile_shape("Executor::with_problems_per_block", block_size_, problems);
  Executor e = *this;
  e.problems_per_block_ = problems;
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
