// Where Solver::solve_on_device writes: caller-owned device arrays. With the
// batch's own arrays already on the GPU (a training loop's tensors), a solve
// then copies nothing to or from the host and never synchronizes the stream:
//
//   bpqp::Solver<float> solver(bpqp::Executor::cuda(0, stream));
//   solver.solve_on_device(device_view, {d_x, d_y, d_status});  // enqueued on `stream`
//   // … later kernels on `stream` read d_x; the host waits only when it chooses to.
#pragma once

#include "bpqp/status.hpp"

namespace bpqp {

template <class T>
struct DeviceSolution {
  T* x = nullptr;                 // batch × n, required
  T* y = nullptr;                 // batch × m, required when m > 0
  SolveStatus* status = nullptr;  // batch, required
  int* iterations = nullptr;      // batch, optional: ADMM iterations run
};

}  // namespace bpqp
