// The CUDA entry points of a build without CUDA: every call fails with a clear
// error instead of a link error.
#include "bpqp/errors.hpp"
#include "core/backends.hpp"
#include "core/backward_backends.hpp"
#include "core/sparse_backends.hpp"
#include "cuda/allocation_count.hpp"

namespace bpqp {

bool cuda_available() { return false; }
const char* cuda_unavailable_reason() {
  return "bpqp was built without CUDA (configure with -DBPQP_ENABLE_CUDA=ON on a machine with the CUDA toolkit)";
}

}  // namespace bpqp

namespace bpqp::cuda {

struct DeviceState {};
void DeviceStateDeleter::operator()(DeviceState* state) const { delete state; }
long long device_allocations() { return 0; }

template <class T>
void solve_forward(const QpBatchView<T>&, const kernels::AdmmParams<T>&, bool, const Executor&, detail::WarmStart<T>,
                   DeviceStatePtr&, SolveResult<T>&) {
  throw CudaUnavailable(std::string("Executor::cuda: ") + cuda_unavailable_reason());
}

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, bool, const Executor&,
                            detail::WarmStart<float>, DeviceStatePtr&, SolveResult<float>&);
template <class T>
void solve_forward_on_device(const QpBatchView<T>&, const kernels::AdmmParams<T>&, bool, const Executor&, DeviceStatePtr&,
                             const DeviceSolution<T>&) {
  throw CudaUnavailable(std::string("Solver::solve_on_device: ") + cuda_unavailable_reason());
}
template void solve_forward_on_device(const QpBatchView<float>&, const kernels::AdmmParams<float>&, bool, const Executor&,
                                      DeviceStatePtr&, const DeviceSolution<float>&);
template void solve_forward_on_device(const QpBatchView<double>&, const kernels::AdmmParams<double>&, bool,
                                      const Executor&, DeviceStatePtr&, const DeviceSolution<double>&);

template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, bool, const Executor&,
                            detail::WarmStart<double>, DeviceStatePtr&, SolveResult<double>&);

template <class T>
void backward(const QpBatchView<T>&, const SolveResult<T>&, const T*, const T*, const kernels::BackwardParams<T>&,
              const Executor&, DeviceStatePtr&, Gradients<T>&) {
  throw CudaUnavailable(std::string("backward on Executor::cuda: ") + cuda_unavailable_reason());
}

template void backward(const QpBatchView<float>&, const SolveResult<float>&, const float*, const float*,
                       const kernels::BackwardParams<float>&, const Executor&, DeviceStatePtr&, Gradients<float>&);
template void backward(const QpBatchView<double>&, const SolveResult<double>&, const double*, const double*,
                       const kernels::BackwardParams<double>&, const Executor&, DeviceStatePtr&, Gradients<double>&);

template <class T>
void backward_on_device(const QpBatchView<T>&, const DeviceSolution<T>&, const T*, const T*,
                        const kernels::BackwardParams<T>&, const Executor&, const DeviceGradients<T>&) {
  throw CudaUnavailable(std::string("backward_on_device: ") + cuda_unavailable_reason());
}

template void backward_on_device(const QpBatchView<float>&, const DeviceSolution<float>&, const float*, const float*,
                                 const kernels::BackwardParams<float>&, const Executor&, const DeviceGradients<float>&);
template void backward_on_device(const QpBatchView<double>&, const DeviceSolution<double>&, const double*,
                                 const double*, const kernels::BackwardParams<double>&, const Executor&,
                                 const DeviceGradients<double>&);

void solve_sparse_pcg(const SparsePcgBatch&, const kernels::AdmmParams<double>&, const Executor&, double*, double*,
                      kernels::ProblemReport<double>*) {
  throw CudaUnavailable(std::string("the sparse path on Executor::cuda: ") + cuda_unavailable_reason());
}

}  // namespace bpqp::cuda
