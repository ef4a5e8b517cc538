// The readers' tests compare the cone layouts of two problems block by block.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "bpqp/cones.hpp"

namespace bpqp::testing {

inline void expect_same_cones(const std::vector<ConeBlock>& a, const std::vector<ConeBlock>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].first_row, b[k].first_row) << "block " << k;
    EXPECT_EQ(a[k].dim, b[k].dim) << "block " << k;
    EXPECT_EQ(a[k].kind, b[k].kind) << "block " << k;
  }
}

}  // namespace bpqp::testing
