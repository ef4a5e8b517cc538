#include "bpqp/solver.hpp"

#include <chrono>
#include <optional>
#include <string>

#include "bpqp/errors.hpp"
#include "core/warm_start.hpp"
#include "core/admm_params.hpp"
#include "core/backends.hpp"
#include "core/backward_backends.hpp"
#include "kernels/batch_phase.hpp"

namespace bpqp {

namespace detail {

template <class T>
void collect_reports(const std::vector<kernels::ProblemReport<T>>& reports, SolveResult<T>& r) {
  const std::size_t count = reports.size();
  r.status.resize(count);
  r.input_issue.resize(count);
  r.polish.resize(count);
  r.iterations.resize(count);
  r.rho_updates.resize(count);
  r.interior_point_iterations.resize(count);
  r.prim_res.resize(count);
  r.dual_res.resize(count);
  r.objective.resize(count);
  for (std::size_t b = 0; b < count; ++b) {
    const auto& rep = reports[b];
    r.status[b] = rep.status;
    r.input_issue[b] = rep.input_issue;
    r.polish[b] = rep.polish;
    r.iterations[b] = rep.iterations;
    r.rho_updates[b] = rep.rho_updates;
    r.interior_point_iterations[b] = rep.interior_point_iterations;
    r.prim_res[b] = rep.prim_res;
    r.dual_res[b] = rep.dual_res;
    r.objective[b] = rep.objective;
  }
}
template void collect_reports(const std::vector<kernels::ProblemReport<float>>&, SolveResult<float>&);
template void collect_reports(const std::vector<kernels::ProblemReport<double>>&, SolveResult<double>&);

}  // namespace detail

namespace {

// Whether a batch sharing P and A may take the batch phase: the setting, and a round of
// check_every iterations that fits under the phase's cap (else the phase would run none).
template <class T>
bool takes_batch_phase(const Settings& settings, const kernels::AdmmParams<T>& params) {
  // (shared_data_batch_phase: the setting's deprecated former name, honoured too.)
  return settings.batch_phase && settings.shared_data_batch_phase && kernels::batch_phase_round_fits(params);
}

}  // namespace

template <class T>
struct Solver<T>::Impl {
  Executor executor;
  Settings settings;
  cpu::WorkspacePool cpu_pool;
  cuda::DeviceStatePtr device_state;
  // The previous solve's solution, for warm starts of a batch of the same shape.
  int warm_batch = -1, warm_n = -1, warm_m = -1;
  std::vector<T> warm_x, warm_y;
  // The last solve(), for backward(): its batch view (the caller's arrays) and result.
  std::optional<QpBatchView<T>> last_batch;
  SolveResult<T> last_result;
};

template <class T>
Solver<T>::Solver(Executor executor, Settings settings) : impl_(std::make_unique<Impl>(Impl{executor, settings, {}, {}, -1, -1, -1, {}, {}, {}, {}})) {
  validate(settings);
}
template <class T>
Solver<T>::~Solver() = default;
template <class T>
Solver<T>::Solver(Solver&&) noexcept = default;
template <class T>
Solver<T>& Solver<T>::operator=(Solver&&) noexcept = default;

template <class T>
const Settings& Solver<T>::settings() const { return impl_->settings; }
template <class T>
void Solver<T>::set_settings(const Settings& settings) {
  validate(settings);
  impl_->settings = settings;
}
template <class T>
const Executor& Solver<T>::executor() const { return impl_->executor; }
template <class T>
void Solver<T>::reset_warm_start() {
  impl_->warm_batch = -1;
  impl_->warm_x.clear();
  impl_->warm_y.clear();
}

template <class T>
SolveResult<T> Solver<T>::solve(const QpBatchView<T>& batch) {
  validate(batch);
  Impl& s = *impl_;
  SolveResult<T> result;
  result.batch = batch.batch;
  result.n = batch.n;
  result.m = batch.m;
  const auto start = std::chrono::steady_clock::now();

  detail::WarmStart<T> warm;
  const bool can_warm = s.settings.warm_start && s.warm_batch == batch.batch && s.warm_n == batch.n && s.warm_m == batch.m;
  if (can_warm) {
    warm.x = s.warm_x.data();
    warm.y = s.warm_y.data();
  }
  const kernels::AdmmParams<T> params = detail::to_admm_params<T>(s.settings);
  const bool batch_phase = takes_batch_phase(s.settings, params);
  switch (s.executor.kind()) {
    case Executor::Kind::cpu: {
      // (The batch phase projects onto boxes only: a batch with cone blocks takes the
      // per-problem path.)
      const bool shares_P_and_A = batch.P_stride == 0 && batch.A_stride == 0 && batch.batch > 1 && batch.cone_count == 0;
      if (!(batch_phase && shares_P_and_A &&
            cpu::solve_forward_batch_phase(batch, params, s.executor.threads(), warm, s.cpu_pool, result)))
        cpu::solve_forward(batch, params, s.executor.threads(), warm, s.cpu_pool, result);
      break;
    }
    case Executor::Kind::cuda:
      cuda::solve_forward(batch, params, batch_phase, s.executor, warm, s.device_state, result);
      break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (s.settings.warm_start) {
    s.warm_batch = batch.batch;
    s.warm_n = batch.n;
    s.warm_m = batch.m;
    detail::keep_for_warm_start(result, s.warm_x, s.warm_y);
  }
  s.last_batch = batch;
  s.last_result = result;
  return result;
}

template <class T>
Gradients<T> Solver<T>::backward(const T* dl_dx, const T* dl_dy, const BackwardOptions& options) const {
  const Impl& s = *impl_;
  if (!s.last_batch) throw InvalidArgument("Solver::backward: no solve() to differentiate yet (call solve first)");
  BackwardOptions o = options;
  if (!o.active_tolerance) o.active_tolerance = effective_eps_abs<T>(s.settings);
  // The solver's device buffers: a training loop's backward allocates nothing after its first.
  return detail::backward_with_state(s.executor, *s.last_batch, s.last_result, dl_dx, dl_dy, o,
                                     &impl_->device_state);
}

template <class T>
void Solver<T>::solve_on_device(const QpBatchView<T>& device_batch, const DeviceSolution<T>& out) {
  validate(device_batch);
  Impl& s = *impl_;
  if (s.executor.kind() != Executor::Kind::cuda)
    throw InvalidArgument("Solver::solve_on_device: needs a CUDA executor (this solver's is a CPU one)");
  if (device_batch.batch > 0) {
    if (!out.x) throw InvalidArgument("Solver::solve_on_device: DeviceSolution::x is null");
    if (!out.y && device_batch.m > 0) throw InvalidArgument("Solver::solve_on_device: DeviceSolution::y is null");
    if (!out.status) throw InvalidArgument("Solver::solve_on_device: DeviceSolution::status is null");
  }
  const kernels::AdmmParams<T> params = detail::to_admm_params<T>(s.settings);
  cuda::solve_forward_on_device(device_batch, params, takes_batch_phase(s.settings, params), s.executor,
                                s.device_state, out);
}

template class Solver<float>;
template class Solver<double>;

}  // namespace bpqp
