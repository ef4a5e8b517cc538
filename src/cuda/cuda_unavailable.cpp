// The CUDA entry points of a build without CUDA: every call fails with a clear
// error instead of a link error.
#include "bpqp/errors.hpp"
#include "core/backends.hpp"

namespace bpqp {

bool cuda_available() { return false; }
const char* cuda_unavailable_reason() {
  return "bpqp was built without CUDA (configure with -DBPQP_ENABLE_CUDA=ON on a machine with the CUDA toolkit)";
}

}  // namespace bpqp

namespace bpqp::cuda {

struct DeviceState {};
void DeviceStateDeleter::operator()(DeviceState* state) const { delete state; }

template <class T>
void solve_forward(const QpBatchView<T>&, const kernels::AdmmParams<T>&, const Executor&, detail::WarmStart<T>,
                   DeviceStatePtr&, SolveResult<T>&) {
  throw CudaUnavailable(std::string("Executor::cuda: ") + cuda_unavailable_reason());
}

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, const Executor&,
                            detail::WarmStart<float>, DeviceStatePtr&, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, const Executor&,
                            detail::WarmStart<double>, DeviceStatePtr&, SolveResult<double>&);

}  // namespace bpqp::cuda
