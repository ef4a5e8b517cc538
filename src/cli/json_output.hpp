// JSON rendering of solve results for the bpqp command-line tool.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bpqp/solve_result.hpp"

namespace bpqp::cli {

// A number that may be ±inf or NaN: JSON has no such numbers, so they become "inf", "-inf", "nan".
nlohmann::json number(double v);

// One problem's entry: name, status, objective (with the problem's constant), iterations, x, y,
// residuals.
template <class T>
nlohmann::json problem_entry(const std::string& name, double objective_constant, const SolveResult<T>& r, int b);

}  // namespace bpqp::cli
