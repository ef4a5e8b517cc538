// One measured cell of the benchmark (a method on one batch of one problem family at
// one size), in the schema shared with benchmarks/peers/run_peers.py, and the writers
// for the result files: JSON (both sides merge there), CSV and a markdown table.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bpqp::bench {

struct BenchRecord {
  std::string method = "bpqp";
  std::string variant;      // free text: "cpu 1 thread double", …
  std::string family;       // generators::family_name
  int n = 0, m = 0;         // the family's size arguments (the case name), not always the row count
  int rows = 0;             // constraint rows of the generated problems
  int batch = 0;
  std::string precision;    // "double" | "float"
  std::string backend;      // "cpu" | "cuda"
  int threads = 1;
  std::string sharing;      // "per_problem" | "shared_PA"
  std::optional<double> forward_s, backward_s, total_s;  // medians over `repeats`, whole batch
  int repeats = 0;
  std::optional<int> solved;
  std::optional<double> iterations_mean;
  std::optional<double> prim_res_max, dual_res_max;       // unscaled KKT residuals, worst problem
  std::optional<double> x_rel_err_max;                    // vs the tight reference solution
  std::optional<double> grad_cosine_mean, grad_cosine_min;  // (∂L/∂q, ∂L/∂l + ∂L/∂u) vs full KKT
  int reference_problems = 0;                             // how many problems the two above cover
  std::string status = "ok";  // "ok" | "skipped" | "failed" | "not_installed"
  std::string note;
};

struct MachineInfo {
  std::string cpu_model;
  int hardware_threads = 0;
  std::string gpu;  // empty: none
  std::string cpu_kernels;  // the CPU kernels' instruction-set variant (bpqp::cpu_isa())
  std::string command_line;
  std::string date_utc;
};

MachineInfo describe_machine(int argc, char** argv);

void write_json(const std::string& path, const MachineInfo& machine, const std::vector<BenchRecord>& records);
void write_csv(const std::string& path, const std::vector<BenchRecord>& records);
// Grouped by family and size; one row per batch/variant.
void write_markdown(const std::string& path, const MachineInfo& machine, const std::vector<BenchRecord>& records);

}  // namespace bpqp::bench
