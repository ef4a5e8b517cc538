// bpqp — command-line front end.
//   bpqp solve FILE     solve a QPS/MPS, CBF (LP/SOCP) or JSON batch file, print JSON results
//   bpqp demo           the main job: a batch of random feasible QPs, throughput and accuracy
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "bpqp/bpqp.hpp"
#include "bpqp/backward.hpp"
#include "bpqp/io/cbf_reader.hpp"
#include "bpqp/io/json_batch.hpp"
#include "bpqp/io/qps_reader.hpp"
#include "problems/problem_generators.hpp"
#include "cli/json_output.hpp"

namespace {

struct CommonOptions {
  bpqp::Settings settings;
  std::string backward_file;          // solve: ∂L/∂x per problem, JSON
  std::string backward_mode = "direct";
  std::string precision = "double";
  std::string backend = "cpu";
  // solve: which path solves a file's problems. auto: the sparse path (bpqp/sparse_solver.hpp)
  // when every problem has n + m ≥ sparse_above and no cone blocks, in double on the cpu backend
  // with --backward-mode direct (what it offers); the dense path otherwise.
  std::string path = "auto";
  int sparse_above = 1000;
  int threads = 0;
  int device = 0;
};

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option_function<double>("--eps-abs", [&o](double v) { o.settings.eps_abs = v; },
                                  "Absolute tolerance (default 1e-5 double, 1e-4 float)");
  app.add_option_function<double>("--eps-rel", [&o](double v) { o.settings.eps_rel = v; },
                                  "Relative tolerance (default 1e-5 double, 1e-4 float)");
  app.add_option("--eps-prim-inf", o.settings.eps_prim_inf, "Primal infeasibility tolerance")->capture_default_str();
  app.add_option("--eps-dual-inf", o.settings.eps_dual_inf, "Dual infeasibility tolerance")->capture_default_str();
  app.add_option("--max-iter", o.settings.max_iter, "Maximum ADMM iterations")->capture_default_str();
  app.add_flag("--polish,!--no-polish", o.settings.polish, "Polish the solution (default on)");
  app.add_option("--polish-refine", o.settings.polish_refine_iterations, "Iterative refinement steps in polishing")
      ->capture_default_str();
  app.add_flag("--interior-point,!--no-interior-point", o.settings.interior_point_fallback,
               "Hand problems ADMM does not finish to the interior-point fallback (default on)");
  app.add_option("--interior-point-after", o.settings.interior_point_after, "ADMM iterations before the fallback")
      ->capture_default_str();
  app.add_option("--interior-point-after-lp", o.settings.interior_point_after_lp,
                 "ADMM iterations before the fallback, for an LP (P = 0); 0: the interior point first")
      ->capture_default_str();
  app.add_option("--rho", o.settings.rho, "Initial ADMM step size")->capture_default_str();
  app.add_option("--scaling", o.settings.scaling_iterations, "Ruiz scaling iterations")->capture_default_str();
  app.add_option("--precision", o.precision, "float or double")
      ->check(CLI::IsMember({"float", "double"}))->capture_default_str();
  app.add_option_function<std::string>(
         "--sparse-linear-system",
         [&o](const std::string& v) {
           o.settings.sparse_linear_system = v == "factorization"        ? bpqp::SparseLinearSystem::factorization
                                             : v == "conjugate_gradient" ? bpqp::SparseLinearSystem::conjugate_gradient
                                                                         : bpqp::SparseLinearSystem::automatic;
         },
         "The sparse path's linear systems: automatic (factorization on cpu, conjugate_gradient on cuda), "
         "factorization (LDLᵀ, with polishing and the interior point) or conjugate_gradient (no factorization, "
         "no polishing, no interior point)")
      ->check(CLI::IsMember({"automatic", "factorization", "conjugate_gradient"}));
  app.add_option("--backend", o.backend, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  app.add_option("--threads", o.threads, "CPU threads (0 = all)")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--device", o.device, "CUDA device ordinal")->check(CLI::NonNegativeNumber)->capture_default_str();
}

bpqp::BackwardOptions backward_options(const CommonOptions& o) {
  bpqp::BackwardOptions b;
  b.mode = o.backward_mode == "admm" ? bpqp::BackwardMode::admm : bpqp::BackwardMode::direct;
  return b;
}

// ∂L/∂x for every problem: {"dl_dx": [[...], ...]} (one list per problem, in file
// order), or for a single problem a flat list. Sizes must match the problems.
// dl_dx for problems of these n's, from the --backward file.
std::vector<std::vector<double>> read_dl_dx(const std::string& path, const std::vector<int>& sizes) {
  std::ifstream in(path);
  if (!in) throw bpqp::ParseError(path, 0, "cannot open the --backward file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw bpqp::ParseError(path, 0, e.what());
  }
  if (j.is_object() && j.contains("dl_dx")) j = j["dl_dx"];
  if (j.is_array() && !j.empty() && j[0].is_number()) j = nlohmann::json::array({j});
  if (!j.is_array() || j.size() != sizes.size())
    throw bpqp::ParseError(path, 0, "expected dl_dx: one list per problem (" + std::to_string(sizes.size()) + ")");
  std::vector<std::vector<double>> out;
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    if (!j[b].is_array() || j[b].size() != static_cast<std::size_t>(sizes[b]))
      throw bpqp::ParseError(path, 0, "dl_dx[" + std::to_string(b) + "]: expected " + std::to_string(sizes[b]) +
                                          " numbers (n of problem " + std::to_string(b) + ")");
    std::vector<double> g;
    for (const auto& v : j[b]) {
      if (!v.is_number()) throw bpqp::ParseError(path, 0, "dl_dx[" + std::to_string(b) + "]: non-numeric entry");
      g.push_back(v.get<double>());
    }
    out.push_back(std::move(g));
  }
  return out;
}

template <class T>
nlohmann::json matrix_json(const T* data, int rows, int cols) {
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i < rows; ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (int j = 0; j < cols; ++j) row.push_back(bpqp::cli::number(data[static_cast<std::size_t>(i) * cols + j]));
    out.push_back(std::move(row));
  }
  return out;
}

template <class T>
nlohmann::json gradients_json(const bpqp::Gradients<T>& g, int b) {
  nlohmann::json e;
  e["status"] = bpqp::to_string(g.status[b]);
  e["active_rows"] = g.active_rows[b];
  e["dP"] = matrix_json(g.dP_of(b), g.n, g.n);
  e["dq"] = matrix_json(g.dq_of(b), 1, g.n)[0];
  e["dA"] = matrix_json(g.dA_of(b), g.m, g.n);
  e["dl"] = g.m > 0 ? matrix_json(g.dl_of(b), 1, g.m)[0] : nlohmann::json::array();
  e["du"] = g.m > 0 ? matrix_json(g.du_of(b), 1, g.m)[0] : nlohmann::json::array();
  return e;
}

bpqp::Executor make_executor(const CommonOptions& o) {
  return o.backend == "cuda" ? bpqp::Executor::cuda(o.device) : bpqp::Executor::cpu(o.threads);
}

// Whether path ends with the extension (".json", ".cbf"), in any case.
bool has_extension(const std::string& path, const std::string& extension) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.size() >= extension.size() && lower.compare(lower.size() - extension.size(), extension.size(), extension) == 0;
}

// What problems must share to form one batch: n, m and the cone layout.
std::vector<int> batch_key(const bpqp::DenseQp& qp) {
  std::vector<int> key = {qp.n, qp.m};
  for (const bpqp::ConeBlock& c : qp.cones) key.insert(key.end(), {c.first_row, c.dim, static_cast<int>(c.kind)});
  return key;
}

// Solves problems grouped by shape (a batch has uniform n, m and cone layout) and returns the JSON report.
template <class T>
nlohmann::json solve_problems(const std::vector<bpqp::DenseQp>& problems, const CommonOptions& o) {
  std::map<std::vector<int>, std::vector<int>> by_size;
  for (int i = 0; i < static_cast<int>(problems.size()); ++i) by_size[batch_key(problems[i])].push_back(i);
  std::vector<nlohmann::json> entries(problems.size());
  std::vector<std::vector<double>> dl_dx;
  if (!o.backward_file.empty()) {
    std::vector<int> sizes;
    for (const bpqp::DenseQp& qp : problems) sizes.push_back(qp.n);
    dl_dx = read_dl_dx(o.backward_file, sizes);
  }
  double seconds = 0, backward_seconds = 0;
  bpqp::Solver<T> solver(make_executor(o), o.settings);
  for (const auto& [size, indices] : by_size) {
    std::vector<bpqp::DenseQp> group;
    for (int i : indices) group.push_back(problems[i]);
    const auto batch = bpqp::QpBatch<T>::from_problems(group);
    solver.reset_warm_start();
    const bpqp::SolveResult<T> r = solver.solve(batch.view());
    seconds += r.seconds;
    for (std::size_t k = 0; k < indices.size(); ++k)
      entries[indices[k]] = bpqp::cli::problem_entry(group[k].name, group[k].objective_constant, r, static_cast<int>(k));
    if (dl_dx.empty()) continue;
    std::vector<T> g;
    for (int i : indices) g.insert(g.end(), dl_dx[i].begin(), dl_dx[i].end());
    const auto grads = bpqp::backward(make_executor(o), batch.view(), r, g.data(), nullptr,
                                      backward_options(o));
    backward_seconds += grads.seconds;
    for (std::size_t k = 0; k < indices.size(); ++k)
      entries[indices[k]]["gradients"] = gradients_json(grads, static_cast<int>(k));
  }
  nlohmann::json out;
  out["precision"] = o.precision;
  out["backend"] = o.backend;
  out["solve_seconds"] = seconds;
  if (!dl_dx.empty()) out["backward_seconds"] = backward_seconds;
  out["problems"] = entries;
  return out;
}

// A sparse gradient on its matrix's pattern: {"rows", "cols", "values"}, entry by entry.
nlohmann::json pattern_json(const bpqp::CscMatrix& M, const double* values) {
  nlohmann::json rows = nlohmann::json::array(), cols = nlohmann::json::array(), vals = nlohmann::json::array();
  for (int j = 0; j < M.cols; ++j)
    for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k) {
      rows.push_back(M.row_indices[k]);
      cols.push_back(j);
      vals.push_back(values[k]);
    }
  return {{"rows", rows}, {"cols", cols}, {"values", vals}};
}

// The sparse path: a QPS/MPS, CBF or JSON file's problems solved one by one without densifying
// (double; on the CPU, or on the GPU by the conjugate gradient: --sparse-linear-system), and with --backward differentiated (bpqp/sparse_backward.hpp): dP on P's
// upper-triangle pattern (the derivative of each stored value), dA on A's, as row/column/value
// lists.
int run_solve_sparse(const std::string& file, const std::vector<bpqp::SparseQp>& problems, const CommonOptions& o) {
  if (o.precision != "double") throw bpqp::InvalidArgument("--path sparse: double precision only (for now)");
  for (std::size_t k = 0; k < problems.size(); ++k)
    if (!problems[k].cones.empty())
      throw bpqp::InvalidArgument("--path sparse: " + file + (problems.size() > 1 ? " problem " + std::to_string(k) : "") +
                                  " has " + std::to_string(problems[k].cones.size()) +
                                  " cone block(s), which the sparse path does not solve yet (--path dense does)");
  std::vector<std::vector<double>> dl_dx;
  if (!o.backward_file.empty()) {
    std::vector<int> sizes;
    for (const bpqp::SparseQp& qp : problems) sizes.push_back(qp.n);
    dl_dx = read_dl_dx(o.backward_file, sizes);
  }
  nlohmann::json entries = nlohmann::json::array();
  double seconds = 0, backward_seconds = 0;
  for (std::size_t k = 0; k < problems.size(); ++k) {
    const bpqp::SparseQp& qp = problems[k];
    const bpqp::SolveResult<double> r = bpqp::solve_sparse(qp, o.settings, make_executor(o));
    seconds += r.seconds;
    nlohmann::json entry = bpqp::cli::problem_entry(qp.name, qp.objective_constant, r, 0);
    if (!dl_dx.empty()) {
      const auto g = bpqp::backward_sparse(bpqp::batch_view(qp), r, dl_dx[k].data(), nullptr, backward_options(o));
      nlohmann::json e;
      e["status"] = bpqp::to_string(g.status[0]);
      e["active_rows"] = g.active_rows[0];
      e["dP"] = pattern_json(qp.P, g.dP.data());
      e["dq"] = g.dq;
      e["dA"] = pattern_json(qp.A, g.dA.data());
      e["dl"] = g.dl;
      e["du"] = g.du;
      entry["gradients"] = e;
      backward_seconds += g.seconds;
    }
    entries.push_back(std::move(entry));
  }
  nlohmann::json out;
  if (!dl_dx.empty()) out["backward_seconds"] = backward_seconds;
  out["precision"] = o.precision;
  out["backend"] = o.backend;
  out["path"] = "sparse";
  out["solve_seconds"] = seconds;
  out["problems"] = std::move(entries);
  out["file"] = file;
  std::cout << out.dump(2) << "\n";
  return 0;
}

// Whether the sparse path offers what this run asks for: double, the cpu backend, the direct
// backward.
bool sparse_path_offered(const CommonOptions& o) {
  return o.precision == "double" && o.backend == "cpu" && o.backward_mode == "direct";
}

// Whether auto picks the sparse path for this file's problems (CommonOptions::path): it offers
// what the run asks, and every problem has no cone blocks and n + m ≥ sparse_above.
bool sparse_path_fits(const std::vector<bpqp::SparseQp>& problems, const CommonOptions& o) {
  if (!sparse_path_offered(o) || problems.empty()) return false;
  for (const bpqp::SparseQp& qp : problems)
    if (!qp.cones.empty() || static_cast<long long>(qp.n) + qp.m < o.sparse_above) return false;
  return true;
}

std::string file_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw bpqp::ParseError(file, 0, "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int run_solve(const std::string& file, const CommonOptions& o) {
  const bool json = has_extension(file, ".json"), cbf = has_extension(file, ".cbf");
  std::vector<bpqp::DenseQp> problems;
  if (json) {
    const std::string text = file_text(file);  // read once, whichever reading follows
    if (o.path == "sparse") return run_solve_sparse(file, bpqp::io::parse_json_sparse(text, file), o);
    bool read_sparse = false;
    if (o.path == "auto" && sparse_path_offered(o)) {
      // The sparse reading holds what the dense one would, and densified it is that problem;
      // the one file it refuses that the dense reading takes has a dense P that is not
      // symmetric, which the dense path reads and its solver reports as invalid input.
      std::vector<bpqp::SparseQp> sparse;
      try {
        sparse = bpqp::io::parse_json_sparse(text, file);
        read_sparse = true;
      } catch (const bpqp::ParseError&) {
      }
      if (read_sparse && sparse_path_fits(sparse, o)) return run_solve_sparse(file, sparse, o);
      for (const bpqp::SparseQp& qp : sparse) problems.push_back(bpqp::to_dense(qp));
    }
    if (!read_sparse) problems = bpqp::io::parse_json_batch(text, file);
  } else if (o.path != "dense") {
    const bpqp::SparseQp qp = cbf ? bpqp::io::read_cbf_sparse(file) : bpqp::io::read_qps_sparse(file);
    if (o.path == "sparse" || sparse_path_fits({qp}, o)) return run_solve_sparse(file, {qp}, o);
  }
  // The dense readers, with the dense path's size limit and its message.
  if (cbf) problems.push_back(bpqp::io::read_cbf(file));
  else if (!json) problems.push_back(bpqp::io::read_qps(file));
  nlohmann::json out = o.precision == "float" ? solve_problems<float>(problems, o) : solve_problems<double>(problems, o);
  out["path"] = "dense";
  out["file"] = file;
  std::cout << out.dump(2) << "\n";
  return 0;
}

// Worst KKT residuals over the batch, measured on the user's data in double:
// constraint violation, stationarity, and multipliers of the wrong sign.
struct Accuracy {
  double primal = 0, dual = 0, sign = 0;
};

template <class T>
Accuracy measure_accuracy(const std::vector<bpqp::DenseQp>& problems, const bpqp::SolveResult<T>& r) {
  Accuracy acc;
  for (int b = 0; b < r.batch; ++b) {
    if (r.status[b] != bpqp::SolveStatus::solved) continue;
    const bpqp::DenseQp& qp = problems[b];
    const T* x = r.x_of(b);
    const T* y = r.y_of(b);
    std::vector<double> stationarity(qp.q);
    for (int i = 0; i < qp.n; ++i)
      for (int j = 0; j < qp.n; ++j) stationarity[i] += qp.P[i * qp.n + j] * x[j];
    for (int k = 0; k < qp.m; ++k) {
      double ax = 0;
      for (int j = 0; j < qp.n; ++j) ax += qp.A[k * qp.n + j] * x[j];
      for (int j = 0; j < qp.n; ++j) stationarity[j] += qp.A[k * qp.n + j] * y[k];
      acc.primal = std::max({acc.primal, qp.l[k] - ax, ax - qp.u[k]});
      // y_k > 0 claims the upper bound is active, y_k < 0 the lower one; against an
      // infinite bound any multiplier of that sign is wrong, and |y_k| measures it.
      if (y[k] > 0) acc.sign = std::max(acc.sign, std::isinf(qp.u[k]) ? double(y[k]) : y[k] * std::abs(qp.u[k] - ax));
      if (y[k] < 0) acc.sign = std::max(acc.sign, std::isinf(qp.l[k]) ? -double(y[k]) : -y[k] * std::abs(ax - qp.l[k]));
    }
    for (double s : stationarity) acc.dual = std::max(acc.dual, std::abs(s));
  }
  return acc;
}

template <class T>
int run_demo(int batch_size, int n, int m, std::uint64_t seed, bool with_backward, const CommonOptions& o) {
  std::vector<bpqp::DenseQp> problems;
  problems.reserve(batch_size);
  for (int b = 0; b < batch_size; ++b) problems.push_back(bpqp::generators::make_random_feasible_qp(n, m, seed + b));
  const auto batch = bpqp::QpBatch<T>::from_problems(problems);
  bpqp::Solver<T> solver(make_executor(o), o.settings);
  const bpqp::SolveResult<T> r = solver.solve(batch.view());
  const Accuracy acc = measure_accuracy(problems, r);
  double backward_seconds = -1;
  int backward_ok = 0;
  if (with_backward) {
    std::vector<T> g(static_cast<std::size_t>(batch_size) * n);
    for (std::size_t k = 0; k < g.size(); ++k) g[k] = T(std::sin(0.7 * double(k)));  // any fixed ∂L/∂x
    const auto grads = bpqp::backward(make_executor(o), batch.view(), r, g.data(), nullptr, backward_options(o));
    backward_seconds = grads.seconds;
    backward_ok = grads.count(bpqp::BackwardStatus::ok);
  }
  double mean_iter = 0;
  for (int it : r.iterations) mean_iter += it;
  mean_iter /= std::max(1, r.batch);
  std::printf("bpqp demo: %d random feasible QPs, n = %d, m = %d, %s, backend %s\n", batch_size, n, m,
              o.precision.c_str(), o.backend.c_str());
  if (o.backend == "cpu")
    std::printf("  cpu kernels       %s (BPQP_CPU_ISA chooses: generic, avx2, avx512)\n", bpqp::to_string(bpqp::cpu_isa()));
  std::printf("  solve time        %.3f s\n", r.seconds);
  std::printf("  problems/second   %.1f\n", r.batch / r.seconds);
  if (backward_seconds >= 0)
    std::printf("  backward (%s)   %.3f s, %.1f problems/second, status ok: %d of %d\n", o.backward_mode.c_str(),
                backward_seconds, r.batch / backward_seconds, backward_ok, r.batch);
  std::printf("  mean iterations   %.1f\n", mean_iter);
  std::printf("  statuses         ");
  for (int s = 0; s <= static_cast<int>(bpqp::SolveStatus::numerical_error); ++s) {
    const int c = r.count(static_cast<bpqp::SolveStatus>(s));
    if (c > 0) std::printf(" %s: %d", bpqp::to_string(static_cast<bpqp::SolveStatus>(s)), c);
  }
  std::printf("\n  accuracy (worst over solved problems, eps_abs = %g, eps_rel = %g)\n",
              bpqp::effective_eps_abs<T>(o.settings), bpqp::effective_eps_rel<T>(o.settings));
  std::printf("    constraint violation   %.3e\n", acc.primal);
  std::printf("    stationarity residual  %.3e\n", acc.dual);
  std::printf("    complementarity        %.3e\n", acc.sign);
  return r.count(bpqp::SolveStatus::solved) == r.batch ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bpqp: batched QP/LP/SOCP solver with BPQP gradients"};
  app.require_subcommand(1);

  CommonOptions solve_opts;
  std::string file;
  CLI::App* solve =
      app.add_subcommand("solve", "Solve a QPS/MPS file, a CBF file (*.cbf: LP/SOCP) or a JSON batch file (*.json); prints JSON");
  solve->add_option("FILE", file, "QPS/MPS, CBF or JSON batch file")->required();
  solve->add_option("--backward", solve_opts.backward_file,
                    "JSON file with dl_dx (one list per problem): also compute and print the gradients");
  solve->add_option("--backward-mode", solve_opts.backward_mode, "direct or admm")
      ->check(CLI::IsMember({"direct", "admm"}))->capture_default_str();
  solve->add_option("--path", solve_opts.path,
                    "auto, dense or sparse. sparse: a QPS/MPS, CBF or JSON file's problems (no cones) solved one by one "
                    "with no dense matrices (double; cuda by the conjugate gradient: --sparse-linear-system; --backward "
                    "gives dP and dA on the file's patterns). auto (cpu backend only; with --backend cuda give --path "
                    "sparse): "
                    "sparse when every problem fits it and has n + m >= --sparse-above, dense otherwise")
      ->check(CLI::IsMember({"auto", "dense", "sparse"}))->capture_default_str();
  solve->add_flag_callback("--sparse", [&solve_opts] { solve_opts.path = "sparse"; }, "Same as --path sparse");
  solve->add_option("--sparse-above", solve_opts.sparse_above, "n + m from which --path auto takes the sparse path")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  add_common_options(*solve, solve_opts);

  CommonOptions demo_opts;
  int batch_size = 4096, n = 100, m = 20;
  std::uint64_t seed = 1;
  CLI::App* demo = app.add_subcommand("demo", "Solve a batch of random feasible QPs; print throughput and accuracy");
  demo->add_option("--batch", batch_size, "Number of problems")->check(CLI::PositiveNumber)->capture_default_str();
  demo->add_option("--n", n, "Variables per problem")->check(CLI::PositiveNumber)->capture_default_str();
  demo->add_option("--m", m, "Constraints per problem")->check(CLI::NonNegativeNumber)->capture_default_str();
  demo->add_option("--seed", seed, "Seed of the first problem")->capture_default_str();
  bool demo_backward = false;
  demo->add_flag("--backward", demo_backward, "Also time the backward pass (random dl/dx)");
  demo->add_option("--backward-mode", demo_opts.backward_mode, "direct or admm")
      ->check(CLI::IsMember({"direct", "admm"}))->capture_default_str();
  add_common_options(*demo, demo_opts);

  CLI11_PARSE(app, argc, argv);
  try {
    if (*solve) return run_solve(file, solve_opts);
    if (demo_opts.precision == "float") return run_demo<float>(batch_size, n, m, seed, demo_backward, demo_opts);
    return run_demo<double>(batch_size, n, m, seed, demo_backward, demo_opts);
  } catch (const bpqp::Error& e) {
    std::cerr << "bpqp: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bpqp: error: " << e.what() << "\n";
    return 2;
  }
}
