// backward_on_device's checks that need no GPU: misuse is an InvalidArgument
// naming the argument on every machine, and a valid call without a usable device
// (a build without CUDA, or no GPU) is CudaUnavailable. tests/gpu runs it on a device.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"

namespace bpqp {
namespace {

// Two 3×2 problems and host arrays standing in for device ones: every call below
// throws before anything would read them.
struct Call {
  QpBatch<double> batch{2, 3, 2};
  std::vector<double> x = std::vector<double>(6), y = std::vector<double>(4), dl_dx = std::vector<double>(6, 1.0);
  std::vector<double> dq = std::vector<double>(6);
  std::vector<SolveStatus> forward_status = std::vector<SolveStatus>(2, SolveStatus::solved);
  std::vector<BackwardStatus> status = std::vector<BackwardStatus>(2);
  DeviceSolution<double> forward() { return {x.data(), y.data(), forward_status.data()}; }
  DeviceGradients<double> out() { return {nullptr, dq.data(), nullptr, nullptr, nullptr, status.data()}; }
  void run(const Executor& executor, const BackwardOptions& options = {}) {
    backward_on_device(executor, batch.view(), forward(), dl_dx.data(), nullptr, out(), options);
  }
};

void expect_invalid_argument(const std::function<void()>& call, const std::string& needle) {
  try {
    call();
    FAIL() << "expected InvalidArgument mentioning \"" << needle << "\"";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(BackwardOnDeviceApi, CpuExecutorIsRejected) {
  Call call;
  expect_invalid_argument([&] { call.run(Executor::cpu(1)); }, "backward_on_device: needs a CUDA executor");
}

TEST(BackwardOnDeviceApi, ErrorIfUnsolvedIsRejectedSayingWhy) {
  Call call;
  BackwardOptions options;
  options.error_if_unsolved = true;
  expect_invalid_argument([&] { call.run(Executor::cuda(0), options); },
                          "BackwardOptions::error_if_unsolved is not supported: the forward statuses are on the "
                          "device and reading them would synchronize the stream");
}

TEST(BackwardOnDeviceApi, OptionsAreCheckedAsInTheHostEntry) {
  Call call;
  BackwardOptions options;
  options.delta = 0;
  expect_invalid_argument([&] { call.run(Executor::cuda(0), options); }, "backward_on_device: BackwardOptions::delta");
  options = {};
  options.refine_iterations = -1;
  expect_invalid_argument([&] { call.run(Executor::cuda(0), options); }, "BackwardOptions::refine_iterations");
  options = {};
  options.want_q = false;  // but out.dq is given
  expect_invalid_argument([&] { call.run(Executor::cuda(0), options); }, "out.dq is given but BackwardOptions::want_q");
}

TEST(BackwardOnDeviceApi, MissingRequiredArraysAreNamed) {
  const Executor cuda = Executor::cuda(0);
  Call call;
  const double* no_dl_dx = nullptr;
  expect_invalid_argument(
      [&] { backward_on_device(cuda, call.batch.view(), call.forward(), no_dl_dx, nullptr, call.out()); },
      "backward_on_device: dl_dx is null");
  DeviceGradients<double> no_status = call.out();
  no_status.status = nullptr;
  expect_invalid_argument(
      [&] { backward_on_device(cuda, call.batch.view(), call.forward(), call.dl_dx.data(), nullptr, no_status); },
      "out.status is null");
  DeviceSolution<double> no_y = call.forward();
  no_y.y = nullptr;  // m = 2: y* is needed
  expect_invalid_argument(
      [&] { backward_on_device(cuda, call.batch.view(), no_y, call.dl_dx.data(), nullptr, call.out()); },
      "forward.y is null");
  QpBatchView<double> bad = call.batch.view();
  bad.A_stride = 1;  // problems would overlap
  expect_invalid_argument(
      [&] { backward_on_device(cuda, bad, call.forward(), call.dl_dx.data(), nullptr, call.out()); }, "A_stride");
}

TEST(BackwardOnDeviceApi, WithoutAUsableGpuAValidCallIsCudaUnavailable) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; tests/gpu covers backward_on_device";
  Call call;
  try {
    call.run(Executor::cuda(0));
    FAIL() << "expected CudaUnavailable";
  } catch (const CudaUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("backward_on_device: "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bpqp
