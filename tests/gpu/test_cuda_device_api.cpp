// Solver::solve_on_device (label gpu): device arrays in and out, enqueued on the
// caller's stream. Without a device every test skips, saying why.
#include <gtest/gtest.h>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "gpu/gpu_test_support.hpp"

#ifdef BPQP_TEST_WITH_CUDART
namespace bpqp {
namespace {

using testing::DeviceCopy;

template <class T>
class CudaDeviceApi : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CudaDeviceApi, Precisions);

TYPED_TEST(CudaDeviceApi, DeviceArraysGiveTheSameBitsAsTheHostEntry) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  const int count = 45, n = 24, m = 9;
  const DenseQp base = generators::make_random_feasible_qp(n, m, 1);
  // P and A shared (stride 0), q and u per problem: the strides travel unchanged.
  QpBatch<T> batch(count, n, m, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/true, /*u=*/false});
  std::copy(base.P.begin(), base.P.end(), batch.P(0));
  std::copy(base.A.begin(), base.A.end(), batch.A(0));
  std::copy(base.l.begin(), base.l.end(), batch.l(0));
  for (int b = 0; b < count; ++b) {
    for (int j = 0; j < n; ++j) batch.q(b)[j] = static_cast<T>(base.q[j] + 0.05 * b);
    for (int i = 0; i < m; ++i) batch.u(b)[i] = static_cast<T>(base.u[i] + 0.01 * b);
  }
  const QpBatchView<T> host = batch.view();
  auto vector_of = [](const T* p, std::size_t size) { return std::vector<T>(p, p + size); };
  DeviceCopy<T> P(vector_of(host.P, n * n)), A(vector_of(host.A, m * n)), l(vector_of(host.l, m));
  DeviceCopy<T> q(vector_of(host.q, static_cast<std::size_t>(count) * n));
  DeviceCopy<T> u(vector_of(host.u, static_cast<std::size_t>(count) * m));
  QpBatchView<T> device = host;
  device.P = P.data();
  device.q = q.data();
  device.A = A.data();
  device.l = l.data();
  device.u = u.data();

  // Both passes: every problem on its own, and the batch phase (P and A are shared). The
  // batch phase's arithmetic depends on which problems share its chunk: under this limit
  // the 45 problems are one chunk on either entry.
  for (bool batch_phase : {false, true}) {
    SCOPED_TRACE(batch_phase ? "batch phase" : "per problem");
    Settings cold;
    cold.warm_start = false;
    cold.batch_phase = batch_phase;
    const std::size_t limit = 8u << 20;
    const auto expected = Solver<T>(Executor::cuda(0).with_device_memory_limit(limit), cold).solve(host);
    DeviceCopy<T> x(std::vector<T>(static_cast<std::size_t>(count) * n)), y(std::vector<T>(static_cast<std::size_t>(count) * m));
    DeviceCopy<SolveStatus> status{std::vector<SolveStatus>(count)};
    DeviceCopy<int> iterations{std::vector<int>(count)};
    cudaStream_t stream = nullptr;
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
    Solver<T> solver(Executor::cuda(0, stream).with_device_memory_limit(limit), cold);
    solver.solve_on_device(device, {x.data(), y.data(), status.data(), iterations.data()});
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    cudaStreamDestroy(stream);
    EXPECT_EQ(x.to_host(), expected.x);
    EXPECT_EQ(y.to_host(), expected.y);
    EXPECT_EQ(status.to_host(), expected.status);
    EXPECT_EQ(iterations.to_host(), expected.iterations);
    EXPECT_EQ(expected.count(SolveStatus::solved), count);
  }
}

TEST(CudaDeviceApiMisuse, HostPointersAreRejectedNamingTheArray) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems({generators::make_random_feasible_qp(5, 3, 1)});
  std::vector<double> x(5), y(3);
  std::vector<SolveStatus> status(1);
  Solver<double> solver(Executor::cuda(0));
  try {
    solver.solve_on_device(batch.view(), {x.data(), y.data(), status.data()});
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("QpBatchView::P"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bpqp
#else
TEST(CudaDeviceApi, NeedsTheCudaRuntime) {
  GTEST_SKIP() << "built without CUDA: the device-pointer tests need the CUDA runtime";
}
#endif
