// The stride rule shared by the batch views (QpBatchView, SparseQpBatchView): an array with
// entries is present, and its batch stride is 0 (one array shared by the batch) or at least
// one problem's entries (a smaller one would alias problems).
#pragma once

#include <cstddef>
#include <string>

#include "bpqp/errors.hpp"

namespace bpqp {

inline void check_stride(const char* view, const char* name, const void* ptr, std::ptrdiff_t stride,
                         std::ptrdiff_t size, int batch) {
  const std::string arg = std::string(view) + "::" + name;
  if (size > 0 && ptr == nullptr) throw InvalidArgument(arg + " is null but has " + std::to_string(size) + " entries per problem");
  if (stride < 0) throw InvalidArgument(arg + "_stride = " + std::to_string(stride) + ": expected >= 0");
  if (batch > 1 && stride != 0 && stride < size)
    throw InvalidArgument(arg + "_stride = " + std::to_string(stride) + ": expected 0 (shared) or >= " +
                          std::to_string(size) + " (one problem's entries)");
}

}  // namespace bpqp
