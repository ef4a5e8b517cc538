// backward_on_device (label gpu): the forward (solve_on_device) and the backward on
// one stream with device arrays only, against the host entry backward(Executor::cuda())
// on the same forward solution — the same kernel, so the same bits. Without a device
// every test skips, saying why.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "gpu/gpu_test_support.hpp"
#include "kernels/backward.hpp"
#include "support/mixed_batch.hpp"

#ifdef BPQP_TEST_WITH_CUDART
namespace bpqp {
namespace {

using testing::random_vector;

using testing::DeviceCopy;

// The elements a strided batch array spans: `block` per problem, `stride` apart (0: one shared block).
std::size_t span_of(std::ptrdiff_t stride, std::ptrdiff_t block, int batch) {
  return batch == 0 ? 0 : static_cast<std::size_t>((batch - 1) * stride + block);
}

// A host batch copied to the device, strides unchanged.
template <class T>
struct DeviceQpBatch {
  explicit DeviceQpBatch(const QpBatchView<T>& h)
      : host(h),
        P(copy(h.P, h.P_stride, static_cast<std::ptrdiff_t>(h.n) * h.n)),
        q(copy(h.q, h.q_stride, h.n)),
        A(copy(h.A, h.A_stride, static_cast<std::ptrdiff_t>(h.m) * h.n)),
        l(copy(h.l, h.l_stride, h.m)),
        u(copy(h.u, h.u_stride, h.m)) {}
  std::vector<T> copy(const T* data, std::ptrdiff_t stride, std::ptrdiff_t block) const {
    return std::vector<T>(data, data + span_of(stride, block, host.batch));
  }
  QpBatchView<T> view() const {
    QpBatchView<T> v = host;
    v.P = P.data();
    v.q = q.data();
    v.A = A.data();
    v.l = l.data();
    v.u = u.data();
    return v;
  }
  QpBatchView<T> host;
  DeviceCopy<T> P, q, A, l, u;
};

// Where solve_on_device writes, and the same solution as a host SolveResult.
template <class T>
struct DeviceForward {
  DeviceForward(int batch, int n, int m)
      : batch(batch), n(n), m(m),
        x(std::vector<T>(static_cast<std::size_t>(batch) * n)),
        y(std::vector<T>(static_cast<std::size_t>(batch) * m)),
        status(std::vector<SolveStatus>(batch)) {}
  DeviceSolution<T> solution() const { return {x.data(), y.data(), status.data()}; }
  SolveResult<T> to_host() const {
    SolveResult<T> r;
    r.batch = batch;
    r.n = n;
    r.m = m;
    r.x = x.to_host();
    r.y = y.to_host();
    r.status = status.to_host();
    return r;
  }
  int batch, n, m;
  DeviceCopy<T> x, y;
  DeviceCopy<SolveStatus> status;
};

// Device outputs laid out like Gradients<T> (one block for a shared input), filled
// with NaN first so that an element left unwritten shows.
template <class T>
struct DeviceGradientArrays {
  DeviceGradientArrays(const QpBatchView<T>& batch, bool with_bounds)
      : dP(filled(batch.P_stride, static_cast<std::ptrdiff_t>(batch.n) * batch.n, batch.batch)),
        dq(filled(batch.q_stride, batch.n, batch.batch)),
        dA(filled(batch.A_stride, static_cast<std::ptrdiff_t>(batch.m) * batch.n, batch.batch)),
        dl(filled(batch.l_stride, batch.m, batch.batch)),
        du(filled(batch.u_stride, batch.m, batch.batch)),
        status(std::vector<BackwardStatus>(batch.batch, BackwardStatus::numerical_error)),
        active_rows(std::vector<int>(batch.batch, -1)),
        with_bounds(with_bounds) {}
  static std::vector<T> filled(std::ptrdiff_t stride, std::ptrdiff_t block, int batch) {
    const std::size_t size = stride == 0 ? static_cast<std::size_t>(block) : span_of(block, block, batch);
    return std::vector<T>(size, std::numeric_limits<T>::quiet_NaN());
  }
  DeviceGradients<T> pointers() const {
    return {dP.data(), dq.data(), dA.data(), with_bounds ? dl.data() : nullptr, with_bounds ? du.data() : nullptr,
            status.data(), active_rows.data()};
  }
  DeviceCopy<T> dP, dq, dA, dl, du;
  DeviceCopy<BackwardStatus> status;
  DeviceCopy<int> active_rows;
  bool with_bounds;
};

// Bitwise: the device entry and the host entry run the same kernel on the same data.
template <class T>
void expect_same_bits(const DeviceGradientArrays<T>& device, const Gradients<T>& host) {
  EXPECT_EQ(device.status.to_host(), host.status);
  EXPECT_EQ(device.active_rows.to_host(), host.active_rows);
  EXPECT_EQ(device.dP.to_host(), host.dP);
  EXPECT_EQ(device.dq.to_host(), host.dq);
  EXPECT_EQ(device.dA.to_host(), host.dA);
  if (device.with_bounds) {
    EXPECT_EQ(device.dl.to_host(), host.dl);
    EXPECT_EQ(device.du.to_host(), host.du);
  }
}

// count random feasible QPs of one size; with `shared`, one P and A (and l) for all, q and u per problem.
template <class T>
QpBatch<T> random_batch(int count, int n, int m, bool shared) {
  const DenseQp base = generators::make_random_feasible_qp(n, m, 11);
  QpBatch<T> batch(count, n, m, {/*P=*/shared, /*q=*/false, /*A=*/shared, /*l=*/shared, /*u=*/false});
  for (int b = 0; b < count; ++b) {
    const DenseQp own = shared ? base : generators::make_random_feasible_qp(n, m, 100 + b);
    if (!shared || b == 0) {
      std::copy(own.P.begin(), own.P.end(), batch.P(b));
      std::copy(own.A.begin(), own.A.end(), batch.A(b));
      std::copy(own.l.begin(), own.l.end(), batch.l(b));
    }
    for (int j = 0; j < n; ++j) batch.q(b)[j] = static_cast<T>(own.q[j] + 0.05 * b);
    for (int i = 0; i < m; ++i) batch.u(b)[i] = static_cast<T>(own.u[i] + 0.01 * b);
  }
  return batch;
}

Settings cold_start() {
  Settings s;
  s.warm_start = false;
  return s;
}

// A non-blocking stream for one test: the entries must order their work on it themselves.
class Stream {
 public:
  Stream() { EXPECT_EQ(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), cudaSuccess); }
  ~Stream() { cudaStreamDestroy(stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  void* get() const { return stream_; }
  void synchronize() const { ASSERT_EQ(cudaStreamSynchronize(stream_), cudaSuccess); }

 private:
  cudaStream_t stream_ = nullptr;
};

template <class T>
class CudaBackwardOnDevice : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CudaBackwardOnDevice, Precisions);

TYPED_TEST(CudaBackwardOnDevice, ForwardAndBackwardOnOneStreamGiveTheHostEntrysBits) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  const int count = 40, n = 20, m = 8;
  for (bool shared : {false, true}) {
    SCOPED_TRACE(shared ? "shared P, A, l" : "per-problem inputs");
    const QpBatch<T> batch = random_batch<T>(count, n, m, shared);
    const DeviceQpBatch<T> device(batch.view());
    const auto dl_dx = random_vector<T>(static_cast<std::size_t>(count) * n, 5);
    const auto dl_dy = random_vector<T>(static_cast<std::size_t>(count) * m, 6);
    const DeviceCopy<T> dl_dx_device(dl_dx), dl_dy_device(dl_dy);
    DeviceForward<T> forward(count, n, m);
    DeviceGradientArrays<T> gradients(batch.view(), /*with_bounds=*/true);

    Stream stream;
    const Executor executor = Executor::cuda(0, stream.get());
    Solver<T> solver(executor, cold_start());  // alive until the stream is done: it owns the forward's scratch
    solver.solve_on_device(device.view(), forward.solution());
    backward_on_device(executor, device.view(), forward.solution(), dl_dx_device.data(), dl_dy_device.data(),
                       gradients.pointers());
    stream.synchronize();

    const SolveResult<T> host_forward = forward.to_host();
    ASSERT_GT(host_forward.count(SolveStatus::solved), count / 2) << "too few solved problems to test the backward";
    const auto expected = backward(Executor::cuda(0), batch.view(), host_forward, dl_dx.data(), dl_dy.data());
    EXPECT_LT(expected.count(BackwardStatus::forward_not_solved), count / 2);
    EXPECT_EQ(expected.dP.size(), static_cast<std::size_t>(shared ? n * n : count * n * n));
    expect_same_bits(gradients, expected);
  }
}

TYPED_TEST(CudaBackwardOnDevice, ChunkedRunGivesTheSameBitsIncludingTheSharedSums) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  const int count = 37, n = 16, m = 6;
  const QpBatch<T> batch = random_batch<T>(count, n, m, /*shared=*/true);
  const DeviceQpBatch<T> device(batch.view());
  const DeviceCopy<T> dl_dx(random_vector<T>(static_cast<std::size_t>(count) * n, 7));
  DeviceForward<T> forward(count, n, m);
  Stream stream;
  const Executor executor = Executor::cuda(0, stream.get());
  Solver<T> solver(executor, cold_start());  // alive until the stream is done: it owns the forward's scratch
  solver.solve_on_device(device.view(), forward.solution());

  // About four problems a chunk: each needs its workspace, report and its blocks of
  // the shared dP and dA (summed over the chunks into one block each).
  const std::size_t per_problem = kernels::BackwardWorkspace<T>::bytes(n, m, false) +
                                  sizeof(kernels::BackwardReport<T>) + (n * n + m * n) * sizeof(T) + 3 * 256;
  const Executor chunked_executor = executor.with_device_memory_limit(8 * 256 + 4 * per_problem);
  DeviceGradientArrays<T> whole(batch.view(), /*with_bounds=*/false), chunked(batch.view(), /*with_bounds=*/false);
  backward_on_device(executor, device.view(), forward.solution(), dl_dx.data(), nullptr, whole.pointers());
  backward_on_device(chunked_executor, device.view(), forward.solution(), dl_dx.data(), nullptr, chunked.pointers());
  stream.synchronize();

  EXPECT_EQ(chunked.status.to_host(), whole.status.to_host());
  EXPECT_EQ(chunked.active_rows.to_host(), whole.active_rows.to_host());
  EXPECT_EQ(chunked.dq.to_host(), whole.dq.to_host());
  const std::vector<T> dP = whole.dP.to_host();
  ASSERT_EQ(dP.size(), static_cast<std::size_t>(n * n));  // one block: the sum
  EXPECT_EQ(chunked.dP.to_host(), dP);
  EXPECT_EQ(chunked.dA.to_host(), whole.dA.to_host());
  // The sum is a real one: not zero, not NaN.
  double magnitude = 0;
  for (T v : dP) magnitude += std::abs(static_cast<double>(v));
  EXPECT_TRUE(std::isfinite(magnitude) && magnitude > 0) << magnitude;
}

TEST(CudaBackwardOnDeviceStatus, UnsolvedProblemsGetZerosAndForwardNotSolvedTheOthersTheirGradients) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems(testing::mixed_batch_problems());
  const int count = batch.batch(), n = batch.n();
  const DeviceQpBatch<double> device(batch.view());
  const auto dl_dx = random_vector<double>(static_cast<std::size_t>(count) * n, 8);
  const DeviceCopy<double> dl_dx_device(dl_dx);
  DeviceForward<double> forward(count, n, batch.m());
  DeviceGradientArrays<double> gradients(batch.view(), /*with_bounds=*/true);
  Stream stream;
  const Executor executor = Executor::cuda(0, stream.get());
  Solver<double> solver(executor, testing::mixed_batch_settings());  // alive until the stream is done
  solver.solve_on_device(device.view(), forward.solution());
  backward_on_device(executor, device.view(), forward.solution(), dl_dx_device.data(), nullptr, gradients.pointers());
  stream.synchronize();

  const SolveResult<double> host_forward = forward.to_host();
  ASSERT_GT(host_forward.count(SolveStatus::primal_infeasible), 0) << "the mixed batch lost its infeasible problem";
  expect_same_bits(gradients, backward(Executor::cuda(0), batch.view(), host_forward, dl_dx.data()));
  const auto status = gradients.status.to_host();
  const auto dq = gradients.dq.to_host(), dA = gradients.dA.to_host(), du = gradients.du.to_host();
  const int m = batch.m();
  for (int b = 0; b < count; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b) + ", forward " + to_string(host_forward.status[b]));
    const SolveStatus s = host_forward.status[b];
    const bool solved = s == SolveStatus::solved || s == SolveStatus::solved_inaccurate;
    EXPECT_EQ(status[b] == BackwardStatus::forward_not_solved, !solved) << to_string(status[b]);
    double norm = 0;
    for (int j = 0; j < n; ++j) norm += std::abs(dq[static_cast<std::size_t>(b) * n + j]);
    for (int e = 0; e < m * n; ++e) norm += std::abs(dA[static_cast<std::size_t>(b) * m * n + e]);
    for (int i = 0; i < m; ++i) norm += std::abs(du[static_cast<std::size_t>(b) * m + i]);
    if (solved)
      EXPECT_GT(norm, 0.0);
    else
      EXPECT_EQ(norm, 0.0);  // zeros written over the NaN the array held
  }
}

TEST(CudaBackwardOnDeviceMisuse, HostPointersAreRejectedNamingTheArgument) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems({generators::make_random_feasible_qp(5, 3, 1)});
  const DeviceQpBatch<double> device(batch.view());
  DeviceForward<double> forward(1, 5, 3);
  DeviceGradientArrays<double> gradients(batch.view(), /*with_bounds=*/true);
  const DeviceCopy<double> dl_dx(std::vector<double>(5, 1.0));
  std::vector<double> host_dl_dx(5, 1.0), host_x(5), host_dq(5);
  const Executor executor = Executor::cuda(0);
  auto expect_rejected = [&](const QpBatchView<double>& view, const DeviceSolution<double>& fwd, const double* g,
                             const DeviceGradients<double>& out, const std::string& name) {
    try {
      backward_on_device(executor, view, fwd, g, nullptr, out);
      FAIL() << "expected InvalidArgument naming " << name;
    } catch (const InvalidArgument& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("backward_on_device: " + name + " is host memory"), std::string::npos) << message;
    }
  };
  expect_rejected(batch.view(), forward.solution(), dl_dx.data(), gradients.pointers(), "device_batch.P");
  expect_rejected(device.view(), forward.solution(), host_dl_dx.data(), gradients.pointers(), "dl_dx");
  DeviceSolution<double> host_forward = forward.solution();
  host_forward.x = host_x.data();
  expect_rejected(device.view(), host_forward, dl_dx.data(), gradients.pointers(), "forward.x");
  DeviceGradients<double> host_out = gradients.pointers();
  host_out.dq = host_dq.data();
  expect_rejected(device.view(), forward.solution(), dl_dx.data(), host_out, "out.dq");
}

}  // namespace
}  // namespace bpqp
#else
TEST(CudaBackwardOnDevice, NeedsTheCudaRuntime) {
  GTEST_SKIP() << "built without CUDA: the device-pointer tests need the CUDA runtime";
}
#endif
