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

}  // namespace bpqp
