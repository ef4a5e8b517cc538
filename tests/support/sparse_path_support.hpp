// What the sparse path's tests share: the conjugate-gradient settings (the GPU's method, on
// either executor) and the Maros–Mészáros reference objectives.
#pragma once

#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "bpqp/settings.hpp"

namespace bpqp::testing {

// Tolerance eps (absolute and relative), the sparse path's conjugate gradient.
inline Settings conjugate_gradient_settings(double eps) {
  Settings s;
  s.eps_abs = eps;
  s.eps_rel = eps;
  s.sparse_linear_system = SparseLinearSystem::conjugate_gradient;
  return s;
}

// A Maros–Mészáros problem's optimal objective from reference.csv (NaN if it is not listed).
inline double maros_meszaros_reference_objective(const std::string& problem) {
  std::ifstream in(std::string(BPQP_MAROS_MESZAROS_DIR) + "/reference.csv");
  std::string line;
  std::getline(in, line);  // name,n,m,n_equality_rows,optimal_objective
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, cell;
    std::getline(fields, name, ',');
    for (int k = 0; k < 4; ++k) std::getline(fields, cell, ',');
    if (name == problem) return std::stod(cell);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace bpqp::testing
