// The backend suite's CUDA run (ctest backend_suite_on_cuda, label gpu: the same binary
// with BPQP_TEST_EXECUTOR=cuda, every testing::test_executor the GPU's). Where no GPU can
// be used it skips every test, loudly, naming why.
#include <gtest/gtest.h>

#include <iostream>

#include "support/solver_test_support.hpp"

namespace {

class CudaRunEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!bpqp::testing::suite_on_cuda() || bpqp::cuda_available()) return;
    std::cout << "backend_suite_on_cuda skipped: no usable CUDA device: " << bpqp::cuda_unavailable_reason()
              << std::endl;
    GTEST_SKIP() << "no usable CUDA device";
  }
};

::testing::Environment* const cuda_run = ::testing::AddGlobalTestEnvironment(new CudaRunEnvironment);

}  // namespace
