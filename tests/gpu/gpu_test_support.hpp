// What every GPU test starts with: skip loudly, naming the reason, where no
// device can be used (a build without CUDA, no driver, no device).
#pragma once

#include <gtest/gtest.h>

#include "bpqp/executor.hpp"

#define BPQP_REQUIRE_GPU()                                                                         \
  if (!::bpqp::cuda_available())                                                                   \
  GTEST_SKIP() << "no usable CUDA device: " << ::bpqp::cuda_unavailable_reason()
