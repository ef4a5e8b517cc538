// Runs a body once per worker on host threads (the calling thread alone when
// there is one worker) — the CPU backends' only threading.
#pragma once

#include <algorithm>
#include <thread>
#include <vector>

namespace bpqp::cpu {

// Workers for a batch: the requested count (0 = one per hardware thread), at most one per problem.
inline int worker_count(int requested, int batch) {
  const int threads = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, std::min(threads, batch));
}

template <class Body>
void run_workers(int workers, Body body) {
  if (workers == 1) {
    body(0);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (int t = 0; t < workers; ++t) threads.emplace_back(body, t);
  for (auto& th : threads) th.join();
}

}  // namespace bpqp::cpu
