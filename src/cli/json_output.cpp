#include "cli/json_output.hpp"

#include <cmath>

namespace bpqp::cli {

nlohmann::json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

template <class T>
nlohmann::json problem_entry(const std::string& name, double objective_constant, const SolveResult<T>& r, int b) {
  nlohmann::json e;
  e["name"] = name;
  e["status"] = to_string(r.status[b]);
  if (r.status[b] == SolveStatus::invalid_input) e["input_issue"] = to_string(r.input_issue[b]);
  e["objective"] = number(static_cast<double>(r.objective[b]) + objective_constant);
  e["iterations"] = r.iterations[b];
  e["rho_updates"] = r.rho_updates[b];
  if (r.interior_point_iterations[b] > 0) e["interior_point_iterations"] = r.interior_point_iterations[b];
  e["polish"] = to_string(r.polish[b]);
  e["prim_res"] = number(r.prim_res[b]);
  e["dual_res"] = number(r.dual_res[b]);
  nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
  for (int j = 0; j < r.n; ++j) x.push_back(number(r.x_of(b)[j]));
  for (int i = 0; i < r.m; ++i) y.push_back(number(r.y_of(b)[i]));
  e["x"] = std::move(x);
  e["y"] = std::move(y);
  return e;
}

template nlohmann::json problem_entry(const std::string&, double, const SolveResult<float>&, int);
template nlohmann::json problem_entry(const std::string&, double, const SolveResult<double>&, int);

}  // namespace bpqp::cli
