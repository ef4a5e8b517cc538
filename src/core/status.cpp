#include "bpqp/cones.hpp"
#include "bpqp/solve_result.hpp"
#include "bpqp/status.hpp"

#include <algorithm>

namespace bpqp {

const char* to_string(SolveStatus status) {
  switch (status) {
    case SolveStatus::solved: return "solved";
    case SolveStatus::solved_inaccurate: return "solved_inaccurate";
    case SolveStatus::primal_infeasible: return "primal_infeasible";
    case SolveStatus::dual_infeasible: return "dual_infeasible";
    case SolveStatus::max_iterations: return "max_iterations";
    case SolveStatus::invalid_input: return "invalid_input";
    case SolveStatus::numerical_error: return "numerical_error";
  }
  return "unknown";
}

const char* to_string(InputIssue issue) {
  switch (issue) {
    case InputIssue::none: return "none";
    case InputIssue::non_finite_data: return "non_finite_data";
    case InputIssue::bounds_crossed: return "bounds_crossed";
    case InputIssue::p_not_symmetric: return "p_not_symmetric";
    case InputIssue::p_not_psd: return "p_not_psd";
    case InputIssue::cone_row_bounds: return "cone_row_bounds";
  }
  return "unknown";
}

const char* to_string(PolishStatus status) {
  switch (status) {
    case PolishStatus::not_run: return "not_run";
    case PolishStatus::succeeded: return "succeeded";
    case PolishStatus::rejected: return "rejected";
  }
  return "unknown";
}

const char* to_string(ConeKind kind) {
  switch (kind) {
    case ConeKind::second_order: return "second_order";
    case ConeKind::rotated_second_order: return "rotated_second_order";
  }
  return "unknown";
}

template <class T>
int SolveResult<T>::count(SolveStatus s) const {
  return static_cast<int>(std::count(status.begin(), status.end(), s));
}
template struct SolveResult<float>;
template struct SolveResult<double>;

}  // namespace bpqp
