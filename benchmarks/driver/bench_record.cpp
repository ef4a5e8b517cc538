#include "bench_record.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "bpqp/cpu_isa.hpp"
#include "bpqp/executor.hpp"

namespace bpqp::bench {
namespace {

template <class V>
nlohmann::json optional_json(const std::optional<V>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::ofstream open_for_writing(const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  return out;
}

std::string format(const std::optional<double>& v, const char* spec) {
  if (!v) return "–";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, spec, *v);
  return buffer;
}

}  // namespace

MachineInfo describe_machine(int argc, char** argv) {
  MachineInfo info;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      info.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  info.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  info.cpu_kernels = bpqp::to_string(bpqp::cpu_isa());
  if (cuda_available()) info.gpu = "CUDA device 0";
  for (int i = 0; i < argc; ++i) info.command_line += (i ? " " : "") + std::string(argv[i]);
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  info.date_utc = date;
  return info;
}

void write_json(const std::string& path, const MachineInfo& machine, const std::vector<BenchRecord>& records) {
  nlohmann::json doc;
  doc["machine"] = {{"cpu", machine.cpu_model},
                    {"hardware_threads", machine.hardware_threads},
                    {"cpu_kernels", machine.cpu_kernels},
                    {"gpu", machine.gpu.empty() ? nlohmann::json(nullptr) : nlohmann::json(machine.gpu)},
                    {"command", machine.command_line},
                    {"date", machine.date_utc}};
  doc["records"] = nlohmann::json::array();
  for (const BenchRecord& r : records) {
    doc["records"].push_back({{"method", r.method},
                              {"variant", r.variant},
                              {"family", r.family},
                              {"n", r.n},
                              {"m", r.m},
                              {"rows", r.rows},
                              {"batch", r.batch},
                              {"precision", r.precision},
                              {"backend", r.backend},
                              {"threads", r.threads},
                              {"sharing", r.sharing},
                              {"forward_s", optional_json(r.forward_s)},
                              {"backward_s", optional_json(r.backward_s)},
                              {"total_s", optional_json(r.total_s)},
                              {"repeats", r.repeats},
                              {"solved", optional_json(r.solved)},
                              {"iterations_mean", optional_json(r.iterations_mean)},
                              {"prim_res_max", optional_json(r.prim_res_max)},
                              {"dual_res_max", optional_json(r.dual_res_max)},
                              {"x_rel_err_max", optional_json(r.x_rel_err_max)},
                              {"grad_cosine_mean", optional_json(r.grad_cosine_mean)},
                              {"grad_cosine_min", optional_json(r.grad_cosine_min)},
                              {"reference_problems", r.reference_problems},
                              {"status", r.status},
                              {"note", r.note}});
  }
  open_for_writing(path) << doc.dump(1) << "\n";
}

void write_csv(const std::string& path, const std::vector<BenchRecord>& records) {
  std::ofstream out = open_for_writing(path);
  out << "method,variant,family,n,m,rows,batch,precision,backend,threads,sharing,forward_s,backward_s,total_s,"
         "repeats,solved,iterations_mean,prim_res_max,dual_res_max,x_rel_err_max,grad_cosine_mean,"
         "grad_cosine_min,reference_problems,status,note\n";
  auto cell = [](const auto& v) -> std::string {
    if (!v) return "";
    std::ostringstream s;
    s.precision(9);
    s << *v;
    return s.str();
  };
  auto quoted = [](std::string s) {
    for (std::size_t i = 0; (i = s.find('"', i)) != std::string::npos; i += 2) s.insert(i, "\"");
    return "\"" + s + "\"";
  };
  for (const BenchRecord& r : records) {
    out << r.method << ',' << quoted(r.variant) << ',' << r.family << ',' << r.n << ',' << r.m << ',' << r.rows
        << ',' << r.batch << ',' << r.precision << ',' << r.backend << ',' << r.threads << ',' << r.sharing << ','
        << cell(r.forward_s) << ',' << cell(r.backward_s) << ',' << cell(r.total_s) << ',' << r.repeats << ','
        << cell(r.solved) << ',' << cell(r.iterations_mean) << ',' << cell(r.prim_res_max) << ','
        << cell(r.dual_res_max) << ',' << cell(r.x_rel_err_max) << ',' << cell(r.grad_cosine_mean) << ','
        << cell(r.grad_cosine_min) << ',' << r.reference_problems << ',' << r.status << ',' << quoted(r.note)
        << '\n';
  }
}

void write_markdown(const std::string& path, const MachineInfo& machine, const std::vector<BenchRecord>& records) {
  std::ofstream out = open_for_writing(path);
  out << "Machine: " << machine.cpu_model << ", " << machine.hardware_threads << " hardware threads"
      << ", CPU kernels " << machine.cpu_kernels
      << (machine.gpu.empty() ? ", no GPU" : ", " + machine.gpu) << "; " << machine.date_utc << ".\n\n"
      << "Times are medians over repeats for the whole batch; problems/s counts forward+backward. "
      << "Residuals are unscaled ‖Ax − z‖∞ and ‖Px + q + Aᵀy‖∞ of the worst problem; cosine compares the "
      << "gradient (∂L/∂q, ∂L/∂l + ∂L/∂u), and x error x, with dense full-KKT implicit differentiation at a tight (eps 1e-9) solution, over the "
      << "first problems of the batch (count in the last column).\n";
  std::map<std::tuple<std::string, int, int>, std::vector<const BenchRecord*>> groups;
  for (const BenchRecord& r : records) groups[{r.family, r.n, r.m}].push_back(&r);
  for (const auto& [key, rows] : groups) {
    const auto& [family, n, m] = key;
    out << "\n### " << family << " " << n << "×" << m << " (" << rows.front()->rows << " rows)\n\n"
        << "| batch | precision | data | backend | threads | forward ms | backward ms | total ms | problems/s | "
           "solved | iterations | prim. res. | dual res. | grad. cosine mean / min | x rel. err | ref. |\n"
        << "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n";
    for (const BenchRecord* r : rows) {
      out << "| " << r->batch << " | " << r->precision << " | " << r->sharing << " | " << r->backend << " | "
          << r->threads << " | ";
      if (r->status != "ok") {
        out << r->status << ": " << r->note << " |||||||||||\n";
        continue;
      }
      auto ms = [](const std::optional<double>& s) { return s ? std::optional<double>(*s * 1e3) : s; };
      char rate[32] = "–";
      if (r->total_s && *r->total_s > 0) std::snprintf(rate, sizeof rate, "%.0f", r->batch / *r->total_s);
      out << format(ms(r->forward_s), "%.3f") << " | " << format(ms(r->backward_s), "%.3f") << " | "
          << format(ms(r->total_s), "%.3f") << " | " << rate << " | "
          << (r->solved ? std::to_string(*r->solved) : "–") << "/" << r->batch << " | "
          << format(r->iterations_mean, "%.0f") << " | " << format(r->prim_res_max, "%.1e") << " | "
          << format(r->dual_res_max, "%.1e") << " | " << format(r->grad_cosine_mean, "%.6f") << " / "
          << format(r->grad_cosine_min, "%.6f") << " | " << format(r->x_rel_err_max, "%.1e") << " | "
          << r->reference_problems << " |\n";
    }
  }
}

}  // namespace bpqp::bench
