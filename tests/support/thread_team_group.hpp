// A group of several std::threads with a barrier: the CPU stand-in for a GPU
// thread block. Running kernels/ code on it checks barrier placement and the
// uniformity of loop-ending decisions without a GPU (DESIGN.md §3); a
// ThreadSanitizer build of these tests checks for races.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace bpqp::testing {

class ThreadTeam {
 public:
  explicit ThreadTeam(int size) : size_(size), slots_(size) {}
  int size() const { return size_; }

  void barrier() {
    std::unique_lock<std::mutex> lock(mutex_);
    const long generation = generation_;
    if (++arrived_ == size_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return generation_ != generation; });
    }
  }

  // Every thread contributes v and receives op over all contributions, combined
  // in rank order so that every thread computes the identical value.
  template <class T, class Op>
  T all_reduce(int rank, T v, Op op) {
    slots_[rank] = static_cast<double>(v);
    barrier();
    double acc = slots_[0];
    for (int r = 1; r < size_; ++r) acc = op(acc, slots_[r]);
    barrier();  // nobody may overwrite a slot before everyone has read them all
    return static_cast<T>(acc);
  }

 private:
  int size_;
  std::vector<double> slots_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
  long generation_ = 0;
};

struct TeamGroup {
  ThreadTeam* team;
  int rank_;
  int rank() const { return rank_; }
  int size() const { return team->size(); }
  void sync() const { team->barrier(); }
  template <class T>
  T sum(T v) const {
    return team->all_reduce(rank_, v, [](double a, double b) { return a + b; });
  }
  template <class T>
  T max(T v) const {
    return team->all_reduce(rank_, v, [](double a, double b) { return (b > a || b != b) ? b : a; });  // NaN-propagating
  }
};

// Runs body(group) on `threads` threads forming one team, and joins them.
template <class Body>
void run_team(int threads, Body body) {
  ThreadTeam team(threads);
  std::vector<std::thread> pool;
  for (int r = 0; r < threads; ++r) pool.emplace_back([&, r] { body(TeamGroup{&team, r}); });
  for (auto& t : pool) t.join();
}

}  // namespace bpqp::testing
