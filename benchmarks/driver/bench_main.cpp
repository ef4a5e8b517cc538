// bpqp_bench: times bpqp's forward and backward passes on the benchmark families
// (benchmark_problems.hpp) at the BPQP paper's sizes and batch sizes, on every
// executor, precision and data-sharing layout asked for; measures accuracy against
// full-KKT references; writes JSON/CSV/markdown, and exports the exact problems as
// .npz for benchmarks/peers/run_peers.py. See benchmarks/README.md.
//
//   bpqp_bench --families random_qp --sizes 100x20 --batches 1,64,1024 --json out.json
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "problems/benchmark_problems.hpp"
#include <bpqp/bpqp.hpp>

#include "bench_record.hpp"
#include "npz_writer.hpp"
#include "reference_gradients.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::bench::BenchRecord;
using bpqp::generators::ProblemFamily;

struct Size {
  int n, m;
};

struct Options {
  std::vector<ProblemFamily> families{ProblemFamily::random_qp};
  std::vector<Size> sizes{{10, 5}, {50, 10}, {100, 20}, {500, 100}};
  std::vector<int> batches{1, 64, 1024, 16384};
  std::vector<std::string> precisions{"double", "float"};
  std::vector<std::string> sharings{"per_problem", "shared_PA"};
  std::vector<int> threads{1, 0};  // 0: every hardware thread
  std::vector<std::string> backends{"cpu", "cuda"};
  double cell_budget_s = 10.0;  // a cell estimated to take longer (one repeat) is skipped
  double min_time_s = 0.5;      // repeat a cell until this much time is spent …
  int max_repeats = 5;          // … at most this often
  int reference_problems = 32;  // problems per cell compared with the full-KKT reference
  std::string export_dir;       // empty: no export
  int export_max_batch = 1024;
  double export_max_mb = 200;
  std::string json_path, csv_path, markdown_path;
  std::uint64_t seed = 1;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

Size parse_size(const std::string& item) {
  const std::size_t x = item.find('x');
  if (x == std::string::npos) throw std::runtime_error("--sizes: expected NxM items, got '" + item + "'");
  return {std::stoi(item.substr(0, x)), std::stoi(item.substr(x + 1))};
}

void check_choice(const std::string& option, const std::string& value, std::initializer_list<const char*> valid) {
  for (const char* v : valid)
    if (value == v) return;
  std::string list;
  for (const char* v : valid) list += std::string(list.empty() ? "" : ", ") + v;
  throw std::runtime_error(option + ": unknown value '" + value + "' (valid: " + list + ")");
}

const char* const kUsage =
    "usage: bpqp_bench [--families random_qp,random_lp,...|all] [--sizes 10x5,50x10,100x20,500x100]\n"
    "                  [--batches 1,64,1024,16384] [--precisions double,float] [--sharing per_problem,shared_PA]\n"
    "                  (shared_PA_no_batch_phase: shared P, A solved by the per-problem path)\n"
    "                  [--threads 1,0] [--backends cpu,cuda] [--cell-budget-s 10] [--min-time-s 0.5]\n"
    "                  [--max-repeats 5] [--reference-problems 32] [--seed 1]\n"
    "                  [--export DIR] [--export-max-batch 1024] [--export-max-mb 200]\n"
    "                  [--json FILE] [--csv FILE] [--markdown FILE]\n";

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::runtime_error(flag + ": missing value");
    const std::string value = argv[++i];
    if (flag == "--families") {
      o.families.clear();
      if (value == "all") o.families = bpqp::generators::all_families();
      else
        for (const auto& f : split(value)) o.families.push_back(bpqp::generators::parse_family(f));
    } else if (flag == "--sizes") {
      o.sizes.clear();
      for (const auto& s : split(value)) o.sizes.push_back(parse_size(s));
    } else if (flag == "--batches") {
      o.batches.clear();
      for (const auto& b : split(value)) o.batches.push_back(std::stoi(b));
      std::sort(o.batches.begin(), o.batches.end());
    } else if (flag == "--precisions") {
      o.precisions = split(value);
      for (const auto& p : o.precisions) check_choice(flag, p, {"double", "float"});
    } else if (flag == "--sharing") {
      o.sharings = split(value);
      for (const auto& s : o.sharings) check_choice(flag, s, {"per_problem", "shared_PA", "shared_PA_no_batch_phase"});
    } else if (flag == "--threads") {
      o.threads.clear();
      for (const auto& t : split(value)) o.threads.push_back(std::stoi(t));
    } else if (flag == "--backends") {
      o.backends = split(value);
      for (const auto& b : o.backends) check_choice(flag, b, {"cpu", "cuda"});
    } else if (flag == "--cell-budget-s") o.cell_budget_s = std::stod(value);
    else if (flag == "--min-time-s") o.min_time_s = std::stod(value);
    else if (flag == "--max-repeats") o.max_repeats = std::max(1, std::stoi(value));
    else if (flag == "--reference-problems") o.reference_problems = std::max(0, std::stoi(value));
    else if (flag == "--seed") o.seed = std::stoull(value);
    else if (flag == "--export") o.export_dir = value;
    else if (flag == "--export-max-batch") o.export_max_batch = std::stoi(value);
    else if (flag == "--export-max-mb") o.export_max_mb = std::stod(value);
    else if (flag == "--json") o.json_path = value;
    else if (flag == "--csv") o.csv_path = value;
    else if (flag == "--markdown") o.markdown_path = value;
    else throw std::runtime_error("unknown option " + flag + "\n" + kUsage);
  }
  for (int b : o.batches)
    if (b < 1) throw std::runtime_error("--batches: every batch size must be >= 1");
  return o;
}

// The problems of one (family, size), generated on demand: problem b has seed + b,
// so every batch is a prefix of the next and of the export.
class Case {
 public:
  Case(ProblemFamily family, Size size, std::uint64_t seed) : family_(family), size_(size), seed_(seed), rng_(seed) {}

  const std::vector<DenseQp>& problems(int count) {
    while (static_cast<int>(problems_.size()) < count) {
      problems_.push_back(bpqp::generators::make_benchmark_problem(family_, size_.n, size_.m,
                                                                   seed_ + problems_.size()));
      std::normal_distribution<double> normal;
      for (int i = 0; i < problems_.back().n; ++i) dl_dx_.push_back(normal(rng_));
    }
    return problems_;
  }
  const std::vector<double>& dl_dx() const { return dl_dx_; }
  int n() const { return problems_.front().n; }
  int rows() const { return problems_.front().m; }
  std::size_t bytes_per_problem() const {
    return sizeof(double) * (static_cast<std::size_t>(n()) * n() + static_cast<std::size_t>(rows()) * n() +
                             2 * static_cast<std::size_t>(n()) + 2 * static_cast<std::size_t>(rows()));
  }

 private:
  ProblemFamily family_;
  Size size_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;  // the upstream gradients dl_dx ~ N(0, I)
  std::vector<DenseQp> problems_;
  std::vector<double> dl_dx_;
};

// shared_PA: P and A of problem 0 for the whole batch (batch stride 0), q of each
// problem; l and u of problem 0, which problem 0's feasible point satisfies.
std::vector<DenseQp> with_shared_PA(const std::vector<DenseQp>& problems, int count) {
  std::vector<DenseQp> out(problems.begin(), problems.begin() + count);
  for (DenseQp& p : out) {
    p.P = problems.front().P;
    p.A = problems.front().A;
    p.l = problems.front().l;
    p.u = problems.front().u;
  }
  return out;
}

template <class T>
bpqp::QpBatch<T> make_batch(const std::vector<DenseQp>& problems, int count, bool shared_PA) {
  std::vector<DenseQp> prefix(problems.begin(), problems.begin() + count);
  if (!shared_PA) return bpqp::QpBatch<T>::from_problems(prefix);
  const int n = prefix.front().n, m = prefix.front().m;
  bpqp::QpBatch<T> batch(count, n, m, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/false, /*u=*/false});
  std::copy(prefix[0].P.begin(), prefix[0].P.end(), batch.P(0));
  std::copy(prefix[0].A.begin(), prefix[0].A.end(), batch.A(0));
  for (int b = 0; b < count; ++b) {
    std::copy(prefix[b].q.begin(), prefix[b].q.end(), batch.q(b));
    std::copy(prefix[b].l.begin(), prefix[b].l.end(), batch.l(b));
    std::copy(prefix[b].u.begin(), prefix[b].u.end(), batch.u(b));
  }
  return batch;
}

// Executor::cpu(0) means one thread per hardware thread; records carry the count.
int resolved_threads(int asked) {
  return asked > 0 ? asked : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t k = v.size() / 2;
  return v.size() % 2 ? v[k] : 0.5 * (v[k - 1] + v[k]);
}

// shared_PA and shared_PA_no_batch_phase: the same batch, P and A shared; the second
// turns Settings::batch_phase off, for the ratio of the two paths.
bool shares_PA(const std::string& sharing) { return sharing.rfind("shared_PA", 0) == 0; }

struct Variant {
  std::string backend, precision, sharing;
  int threads;  // as asked: 0 = every hardware thread
};

template <class T>
BenchRecord run_cell(const std::vector<DenseQp>& problems, const std::vector<double>& dl_dx_all, int batch_size,
                     const Variant& v, const bpqp::bench::ReferenceSolutions& ref, const Options& o) {
  const bool on_gpu = v.backend == "cuda";
  const bpqp::Executor executor = on_gpu ? bpqp::Executor::cuda() : bpqp::Executor::cpu(v.threads);
  BenchRecord r;
  r.batch = batch_size;
  r.threads = on_gpu ? 1 : resolved_threads(v.threads);
  const auto batch = make_batch<T>(problems, batch_size, shares_PA(v.sharing));
  const std::vector<T> dl_dx(dl_dx_all.begin(), dl_dx_all.begin() + static_cast<std::size_t>(batch_size) * batch.n());
  bpqp::Settings settings;
  settings.batch_phase = v.sharing != "shared_PA_no_batch_phase";
  settings.warm_start = false;  // every repeat solves cold, as the peers do
  bpqp::Solver<T> solver(executor, settings);

  std::vector<double> forward_s, backward_s, total_s;
  bpqp::SolveResult<T> forward;
  bpqp::Gradients<T> gradients;
  double spent = 0;
  while (static_cast<int>(total_s.size()) < o.max_repeats && (total_s.empty() || spent < o.min_time_s)) {
    const auto t0 = std::chrono::steady_clock::now();
    forward = solver.solve(batch.view());
    const auto t1 = std::chrono::steady_clock::now();
    gradients = bpqp::backward(executor, batch.view(), forward, dl_dx.data());
    const auto t2 = std::chrono::steady_clock::now();
    forward_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    backward_s.push_back(std::chrono::duration<double>(t2 - t1).count());
    total_s.push_back(forward_s.back() + backward_s.back());
    spent += total_s.back();
  }
  r.forward_s = median(forward_s);
  r.backward_s = median(backward_s);
  r.total_s = median(total_s);
  r.repeats = static_cast<int>(total_s.size());

  int solved = 0;
  double iterations = 0, prim = 0, dual = 0;
  for (int b = 0; b < batch_size; ++b) {
    iterations += forward.iterations[b];
    if (forward.status[b] != bpqp::SolveStatus::solved) continue;
    ++solved;
    prim = std::max(prim, static_cast<double>(forward.prim_res[b]));
    dual = std::max(dual, static_cast<double>(forward.dual_res[b]));
  }
  r.solved = solved;
  r.iterations_mean = iterations / batch_size;
  r.prim_res_max = prim;
  r.dual_res_max = dual;

  const int n = batch.n();
  const std::vector<double> zeros(batch.m(), 0.0);
  double cos_sum = 0, cos_min = 1, x_err = 0;
  int compared = 0;
  for (int b = 0; b < std::min(batch_size, ref.count()); ++b) {
    if (!ref.ok[b]) continue;
    const std::vector<double> x(forward.x_of(b), forward.x_of(b) + n);
    const int m = batch.m();
    const std::vector<double> dq(gradients.dq_of(b), gradients.dq_of(b) + n);
    const std::vector<double> dl(gradients.dl_of(b), gradients.dl_of(b) + m);
    const std::vector<double> du(gradients.du_of(b), gradients.du_of(b) + m);
    const auto g = bpqp::bench::stacked_gradient(dq.data(), n, dl.data(), du.data(), m);
    const auto g_ref = bpqp::bench::stacked_gradient(ref.dq.data() + b * n, n, ref.dlu.data() + b * m,
                                                     zeros.data(), m);
    const double c = bpqp::bench::cosine(g.data(), g_ref.data(), n + m);
    cos_sum += c;
    cos_min = std::min(cos_min, c);
    x_err = std::max(x_err, bpqp::bench::relative_error(x.data(), ref.x.data() + b * n, n));
    ++compared;
  }
  r.reference_problems = compared;
  if (compared > 0) {
    r.grad_cosine_mean = cos_sum / compared;
    r.grad_cosine_min = cos_min;
    r.x_rel_err_max = x_err;
  }
  return r;
}

void export_case(const std::string& dir, const std::string& name, const std::vector<DenseQp>& problems,
                 const std::vector<double>& dl_dx, const bpqp::bench::ReferenceSolutions& ref, int count) {
  const std::int64_t B = count, n = problems.front().n, m = problems.front().m;
  std::vector<double> P, q, A, l, u;
  for (int b = 0; b < count; ++b) {
    const DenseQp& p = problems[b];
    P.insert(P.end(), p.P.begin(), p.P.end());
    q.insert(q.end(), p.q.begin(), p.q.end());
    A.insert(A.end(), p.A.begin(), p.A.end());
    l.insert(l.end(), p.l.begin(), p.l.end());
    u.insert(u.end(), p.u.begin(), p.u.end());
  }
  bpqp::bench::NpzWriter npz;
  npz.add("P", {B, n, n}, P.data());
  npz.add("q", {B, n}, q.data());
  npz.add("A", {B, m, n}, A.data());
  npz.add("l", {B, m}, l.data());
  npz.add("u", {B, m}, u.data());
  npz.add("dl_dx", {B, n}, dl_dx.data());
  npz.add("x_ref", {B, n}, ref.x.data());
  npz.add("dq_ref", {B, n}, ref.dq.data());
  npz.add("dlu_ref", {B, m}, ref.dlu.data());
  npz.add_bool("ref_ok", {B}, std::vector<bool>(ref.ok.begin(), ref.ok.begin() + count));
  // The cone layout (the same for every problem): one (first_row, dim, kind) row per block,
  // kind 0 second_order, 1 rotated_second_order (include/bpqp/cones.hpp).
  const std::vector<bpqp::ConeBlock>& cones = problems.front().cones;
  if (!cones.empty()) {
    std::vector<double> layout;
    for (const bpqp::ConeBlock& c : cones)
      layout.insert(layout.end(), {double(c.first_row), double(c.dim), double(static_cast<int>(c.kind))});
    npz.add("cones", {static_cast<std::int64_t>(cones.size()), 3}, layout.data());
  }
  npz.write(dir + "/" + name + ".npz");
}

std::string variant_text(const Variant& v, int threads) {
  std::string text = v.backend + " " + std::to_string(threads) + (threads == 1 ? " thread " : " threads ") +
                     v.precision;
  return text;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse_options(argc, argv);
  const bpqp::bench::MachineInfo machine = bpqp::bench::describe_machine(argc, argv);
  std::vector<Variant> variants;
  for (const auto& backend : o.backends)
    for (const auto& precision : o.precisions)
      for (const auto& sharing : o.sharings)
        if (backend == "cuda") variants.push_back({backend, precision, sharing, 1});
        else
          for (int t : o.threads) variants.push_back({backend, precision, sharing, t});

  std::vector<BenchRecord> records;
  for (ProblemFamily family : o.families) {
    for (Size size : o.sizes) {
      const std::string name =
          std::string(bpqp::generators::family_name(family)) + "_" + std::to_string(size.n) + "x" + std::to_string(size.m);
      Case data(family, size, o.seed);
      data.problems(1);
      int export_count = 0;
      if (!o.export_dir.empty()) {
        const double fit = o.export_max_mb * 1e6 / static_cast<double>(data.bytes_per_problem());
        export_count = std::max(1, std::min({o.export_max_batch, o.batches.back(), static_cast<int>(fit)}));
      }
      const int reference_count = std::max(std::min(o.reference_problems, o.batches.back()), export_count);
      std::fprintf(stderr, "%s: %d variables, %d rows; references for %d problems\n", name.c_str(), data.n(),
                   data.rows(), reference_count);
      const auto& problems = data.problems(reference_count);
      const std::vector<DenseQp> reference_problems(problems.begin(), problems.begin() + reference_count);
      const auto reference = bpqp::bench::compute_references(reference_problems, data.dl_dx());
      if (export_count > 0)
        export_case(o.export_dir, name, data.problems(export_count), data.dl_dx(), reference, export_count);
      std::optional<bpqp::bench::ReferenceSolutions> shared_reference;  // computed when first needed

      for (const Variant& v : variants) {
        double seconds_per_problem = 0;  // of the previous (smaller) batch
        bool skip_rest = false;
        for (int batch_size : o.batches) {
          BenchRecord r;
          if (v.backend == "cuda" && !bpqp::cuda_available()) {
            r.status = "skipped";
            r.note = std::string("no GPU: ") + bpqp::cuda_unavailable_reason();
          } else if (skip_rest || seconds_per_problem * batch_size > o.cell_budget_s) {
            r.status = "skipped";
            char note[160];
            std::snprintf(note, sizeof note, "estimated %.0f s per repeat > cell budget %.0f s",
                          seconds_per_problem * batch_size, o.cell_budget_s);
            r.note = note;
            skip_rest = true;
          } else {
            const auto& all = data.problems(batch_size);
            const bool shared = shares_PA(v.sharing);
            std::vector<DenseQp> shared_problems;
            if (shared) {
              shared_problems = with_shared_PA(all, batch_size);
              if (!shared_reference)
                shared_reference = bpqp::bench::compute_references(
                    with_shared_PA(data.problems(reference_count), std::max(1, std::min(reference_count, o.reference_problems))),
                    data.dl_dx());
            }
            const auto& ref = shared ? *shared_reference : reference;
            try {
              r = v.precision == "double"
                      ? run_cell<double>(shared ? shared_problems : all, data.dl_dx(), batch_size, v, ref, o)
                      : run_cell<float>(shared ? shared_problems : all, data.dl_dx(), batch_size, v, ref, o);
              seconds_per_problem = *r.total_s / batch_size;
            } catch (const std::exception& e) {
              r.status = "failed";
              r.note = e.what();
              skip_rest = true;
            }
          }
          r.family = bpqp::generators::family_name(family);
          r.n = size.n;
          r.m = size.m;
          r.rows = data.rows();
          r.batch = batch_size;
          r.precision = v.precision;
          r.backend = v.backend;
          r.sharing = v.sharing;
          if (r.status != "ok") r.threads = v.backend == "cpu" ? resolved_threads(v.threads) : 1;
          r.variant = variant_text(v, r.threads);
          std::fprintf(stderr, "  %-40s batch %6d: %s\n", r.variant.c_str(), batch_size,
                       r.status == "ok" ? (std::to_string(r.batch / *r.total_s) + " problems/s").c_str()
                                        : (r.status + " (" + r.note + ")").c_str());
          records.push_back(r);
        }
      }
    }
  }
  if (!o.json_path.empty()) bpqp::bench::write_json(o.json_path, machine, records);
  if (!o.csv_path.empty()) bpqp::bench::write_csv(o.csv_path, records);
  if (!o.markdown_path.empty()) bpqp::bench::write_markdown(o.markdown_path, machine, records);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bpqp_bench: %s\n", e.what());
  return 2;
}
