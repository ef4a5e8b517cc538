// libFuzzer target: bytes → a small batch of QPs or SOCPs (n ≤ 6, m ≤ 6, batch ≤ 3, float or double,
// any values: NaN, ±inf, huge, tiny, subnormal, negative diagonals) and a valid Settings →
// bpqp::Solver<T>(Executor::cpu(1), settings).solve(view). Checked on every result:
//   - API misuse built on purpose (n < 1, m < 0, batch < 0, a null array, a negative or an
//     aliasing stride) throws InvalidArgument, and nothing else throws anything;
//   - sizes match, status / input_issue / polish are valid enum values;
//   - invalid_input exactly when input_issue != none; invalid_input and numerical_error give
//     zeros (README status table); solved gives finite x, y and residuals;
//   - infeasibility certificates have unit inf-norm and the documented ±inf objective;
//   - iterations within [0, max_iter], interior-point steps within [0, interior_point_max_iter];
//   - a `solved` answer to a convex problem with sane data (see certifiable) carries an
//     optimality certificate (primal, dual, complementarity with signs, gap) at the accuracy
//     its eps and polish status promise;
//   - one problem's outcome does not depend on its neighbours: each problem solved alone by a
//     fresh solver gives the same status and bit-identical x and y;
//   - a warm-started re-solve of the same batch satisfies the same properties;
//   - in double with a symmetric P and no cones, each problem on the sparse path (solve_sparse)
//     satisfies them too, and non-finite data is invalid_input on both paths.
// BPQP_FUZZ_VERBOSE=1 prints each input's decoded problem and result (to read a crash or a seed).
//
// Input layout (missing bytes read as 0, so every input is valid):
//   [0] bit 0: float (0) / double (1); bits 1-2: API misuse (3 = build one, chosen by [9])
//   [1] n = 1 + b % 6   [2] m = b % 7   [3] batch = 1 + b % 3
//   [4] [5] [6] [7] settings (see make_settings)
//   [8] bits 0-1: P structure (raw, mirrored upper triangle, MᵀM, diagonal); bit 2: sort each
//       (l, u) pair so the bounds do not cross
//   [9] misuse kind   [10..14] stride kind of P, q, A, l, u (see stride_of)
//   [15...] values, one per entry, see Bytes::value.
//   [after the values] cone layout (0, or a missing byte: none; see cone_layout), so that inputs
//       written before cones existed decode as they did.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <bpqp/bpqp.hpp>

#include "fuzz_support.hpp"
#include "support/kkt_certificate.hpp"

namespace {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }

  // A tag byte picks a special value, a small multiple of 1/8, or raw float/double bits.
  double value() {
    static const double kSpecial[16] = {
        0.0, 1.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
        HUGE_VAL, -HUGE_VAL, 1e20, -1e20,
        1e30, -1e30, std::numeric_limits<double>::max(), std::numeric_limits<double>::min(),
        std::numeric_limits<double>::denorm_min(), 1e-30, -0.0, 1e10};
    const std::uint8_t tag = byte();
    if (tag < 16) return kSpecial[tag];
    if (tag < 224) return (static_cast<int>(tag) - 120) / 8.0;
    if (tag < 240) {
      std::uint32_t bits = 0;
      for (int k = 0; k < 4; ++k) bits = bits << 8 | byte();
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    std::uint64_t bits = 0;
    for (int k = 0; k < 8; ++k) bits = bits << 8 | byte();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

template <class V, std::size_t N>
V pick(const V (&options)[N], unsigned index) { return options[index % N]; }

bpqp::Settings make_settings(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  static const int kMaxIter[] = {200, 1, 25, 60};
  static const int kCheckEvery[] = {25, 1, 7, 1000};
  static const int kPolishFirst[] = {200, 0, 1, 50};
  static const double kRho[] = {0.1, 1e-6, 1e6, 3.7};
  static const double kAlpha[] = {1.6, 1.0, 0.1, 1.99};
  static const int kRhoInterval[] = {50, 1, 25, 1000};
  static const double kSigma[] = {1e-6, 1e-2, 1.0, 1e-12};
  static const int kRefine[] = {3, 0, 10, 1};
  static const double kDelta[] = {1e-6, 1e-12, 1.0, 1e-3};
  static const int kIpAfter[] = {4000, 1, 10, 50};
  static const int kIpMaxIter[] = {60, 1, 5, 20};
  static const double kPsdTolerance[] = {-1.0, 0.0, 0.5, 1e-12};  // −1: unset
  bpqp::Settings s;
  s.polish = a & 1;
  s.adaptive_rho = a & 2;
  s.check_convexity = a & 4;
  s.scaling_iterations = a & 8 ? 0 : 10;
  s.max_iter = pick(kMaxIter, a >> 4);
  s.check_every = pick(kCheckEvery, a >> 6);
  s.polish_first_attempt = pick(kPolishFirst, b);
  s.rho = pick(kRho, b >> 2);
  s.alpha = pick(kAlpha, b >> 4);
  switch ((b >> 6) & 3) {
    case 0: break;  // the precision's defaults
    case 1: s.eps_abs = 1e-3; s.eps_rel = 1e-3; break;
    case 2: s.eps_abs = 0.0; s.eps_rel = 1e-4; break;
    default: s.eps_abs = 1e-9; s.eps_rel = 0.0; break;
  }
  s.adaptive_rho_interval = pick(kRhoInterval, c);
  s.sigma = pick(kSigma, c >> 2);
  s.polish_refine_iterations = pick(kRefine, c >> 4);
  s.delta = pick(kDelta, c >> 6);
  s.interior_point_fallback = !(d & 1);
  s.interior_point_after = pick(kIpAfter, d >> 1);
  s.interior_point_max_iter = pick(kIpMaxIter, d >> 3);
  s.warm_start = !(d & 32);
  if (const double psd = pick(kPsdTolerance, d >> 6); psd >= 0) s.psd_tolerance = psd;
  s.batch_phase = ((b ^ c ^ d) & 1) != 0;  // both paths of a batch sharing P and A
  return s;
}

// One input array: its per-problem size, batch stride and storage (exactly as long as the
// view may read, so that ASan catches any read past it).
template <class T>
struct Array {
  std::ptrdiff_t size = 0, stride = 0;
  std::vector<T> storage;
  bool null = false;
  const T* data() const { return null ? nullptr : storage.data(); }
  T* block(int b) { return storage.data() + b * stride; }
};

// Stride kinds: 0 shared (0), 1 packed (size), 2 padded (size + 1..3), 3 misuse (only when the
// misuse byte asked for it): aliasing (size − 1) or negative.
std::ptrdiff_t stride_of(std::uint8_t kind, std::ptrdiff_t size, bool misuse) {
  switch (kind & 3) {
    case 0: return 0;
    case 1: return size;
    case 2: return size + 1 + ((kind >> 2) % 3);
    default:
      if (!misuse) return size;
      return kind & 4 ? -1 - (kind >> 3) % 4 : size - 1 - (kind >> 3) % 2;
  }
}

template <class T>
bool all_finite(const T* v, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k)
    if (!std::isfinite(v[k])) return false;
  return true;
}

template <class T>
bool all_zero(const T* v, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k)
    if (v[k] != T(0)) return false;
  return true;
}

template <class T>
void check_result(const bpqp::SolveResult<T>& r, int batch, int n, int m, const bpqp::Settings& s, const char* which) {
  using bpqp::SolveStatus;
  const std::size_t nb = static_cast<std::size_t>(batch);
  BPQP_FUZZ_CHECK(r.batch == batch && r.n == n && r.m == m,
                  which << ": result is " << r.batch << "×" << r.n << "×" << r.m << ", expected " << batch << "×"
                        << n << "×" << m);
  BPQP_FUZZ_CHECK(r.x.size() == nb * n && r.y.size() == nb * m, which << ": x, y sizes");
  BPQP_FUZZ_CHECK(r.status.size() == nb && r.input_issue.size() == nb && r.polish.size() == nb &&
                      r.iterations.size() == nb && r.rho_updates.size() == nb && r.prim_res.size() == nb &&
                      r.dual_res.size() == nb && r.objective.size() == nb,
                  which << ": per-problem vectors are not batch long");
  BPQP_FUZZ_CHECK(r.interior_point_iterations.size() == nb, which << ": interior_point_iterations size");
  for (int b = 0; b < batch; ++b) {
    const int status = static_cast<int>(r.status[b]);
    const int issue = static_cast<int>(r.input_issue[b]);
    const int polish = static_cast<int>(r.polish[b]);
    BPQP_FUZZ_CHECK(status >= 0 && status <= 6, which << ": problem " << b << " status " << status);
    BPQP_FUZZ_CHECK(issue >= 0 && issue <= 5, which << ": problem " << b << " input_issue " << issue);
    BPQP_FUZZ_CHECK(polish >= 0 && polish <= 2, which << ": problem " << b << " polish " << polish);
    const SolveStatus st = r.status[b];
    const char* name = bpqp::to_string(st);
    BPQP_FUZZ_CHECK((st == SolveStatus::invalid_input) == (r.input_issue[b] != bpqp::InputIssue::none),
                    which << ": problem " << b << " status " << name << " with input_issue "
                          << bpqp::to_string(r.input_issue[b]));
    BPQP_FUZZ_CHECK(r.iterations[b] >= 0 && r.iterations[b] <= s.max_iter,
                    which << ": problem " << b << " ran " << r.iterations[b] << " iterations, max_iter "
                          << s.max_iter);
    const int ip_limit = s.interior_point_fallback ? s.interior_point_max_iter : 0;
    BPQP_FUZZ_CHECK(r.interior_point_iterations[b] >= 0 && r.interior_point_iterations[b] <= ip_limit,
                    which << ": problem " << b << " ran " << r.interior_point_iterations[b]
                          << " interior-point steps, limit " << ip_limit);
    const T* x = r.x_of(b);
    const T* y = r.y_of(b);
    if (st == SolveStatus::solved) {
      BPQP_FUZZ_CHECK(all_finite(x, n) && all_finite(y, m), which << ": problem " << b << " solved, x or y not finite");
      BPQP_FUZZ_CHECK(std::isfinite(r.prim_res[b]) && std::isfinite(r.dual_res[b]),
                      which << ": problem " << b << " solved with residuals " << r.prim_res[b] << ", "
                            << r.dual_res[b]);
    }
    if (st == SolveStatus::invalid_input || st == SolveStatus::numerical_error) {
      BPQP_FUZZ_CHECK(all_zero(x, n) && all_zero(y, m), which << ": problem " << b << " " << name
                                                              << ": x and y are not zeros");
    }
    if (st == SolveStatus::invalid_input) {
      BPQP_FUZZ_CHECK(r.iterations[b] == 0, which << ": problem " << b << " invalid_input after iterations");
    }
    // Certificates are normalized to unit inf-norm (SolveStatus, README).
    const T tol = T(16) * std::numeric_limits<T>::epsilon();
    if (st == SolveStatus::primal_infeasible) {
      const double norm = bpqp::testing::inf_norm(y, m);
      BPQP_FUZZ_CHECK(all_finite(y, m) && std::fabs(norm - T(1)) <= tol,
                      which << ": problem " << b << " primal_infeasible certificate y has inf-norm " << norm);
      BPQP_FUZZ_CHECK(r.objective[b] == std::numeric_limits<T>::infinity(),
                      which << ": problem " << b << " primal_infeasible objective " << r.objective[b]);
    }
    if (st == SolveStatus::dual_infeasible) {
      const double norm = bpqp::testing::inf_norm(x, n);
      BPQP_FUZZ_CHECK(all_finite(x, n) && std::fabs(norm - T(1)) <= tol,
                      which << ": problem " << b << " dual_infeasible certificate x has inf-norm " << norm);
      BPQP_FUZZ_CHECK(r.objective[b] == -std::numeric_limits<T>::infinity(),
                      which << ": problem " << b << " dual_infeasible objective " << r.objective[b]);
    }
  }
}

// Problem b of the view, in double, for the certificate.
template <class T>
bpqp::DenseQp problem_of(const bpqp::QpBatchView<T>& v, int b) {
  bpqp::DenseQp qp;
  qp.n = v.n;
  qp.m = v.m;
  qp.P.assign(v.P_of(b), v.P_of(b) + static_cast<std::ptrdiff_t>(v.n) * v.n);
  qp.q.assign(v.q_of(b), v.q_of(b) + v.n);
  qp.A.assign(v.A_of(b), v.A_of(b) + static_cast<std::ptrdiff_t>(v.m) * v.n);
  qp.l.assign(v.l_of(b), v.l_of(b) + v.m);
  qp.u.assign(v.u_of(b), v.u_of(b) + v.m);
  qp.cones.assign(v.cones, v.cones + v.cone_count);
  return qp;
}

// Up to two cone blocks among the m rows from one byte c (0: none): the first at row c % m,
// of dimension 1 + (c >> 3) % (rows left), rotated when bit 2 asks and its dimension allows;
// a second right after it when bit 1 asks and rows are left.
std::vector<bpqp::ConeBlock> cone_layout(std::uint8_t c, int m) {
  std::vector<bpqp::ConeBlock> blocks;
  if (c == 0 || m == 0) return blocks;
  int first = c % m;
  for (int k = 0; k < 1 + ((c >> 1) & 1) && first < m; ++k) {
    const int dim = 1 + (c >> 3) % (m - first);
    const bool rotated = (c & 4) && dim >= 3;
    blocks.push_back({first, dim, rotated ? bpqp::ConeKind::rotated_second_order : bpqp::ConeKind::second_order});
    first += dim;
  }
  return blocks;
}

// Where `solved` must come with an optimality certificate: a convex P (built as MᵀM, or
// diagonal with no negative entry) and data whose finite magnitudes lie within 1e3, with bounds
// either within 1e3 or infinite (|b| ≥ 1e20). Elsewhere (a raw non-symmetric P, entries of
// 1e10 … 1e308 that ADMM's eps cannot resolve in float) the other properties still hold.
bool certifiable(const bpqp::DenseQp& qp, std::uint8_t structure) {
  const int kind = structure & 3;
  if (kind != 2 && kind != 3) return false;
  const auto sane = [](double v) { return std::isfinite(v) && std::fabs(v) <= 1e3; };
  for (const std::vector<double>* data : {&qp.P, &qp.q, &qp.A})
    for (double v : *data)
      if (!sane(v)) return false;
  for (int j = 0; j < qp.n; ++j)
    if (qp.P[static_cast<std::size_t>(j) * qp.n + j] < 0) return false;
  for (const std::vector<double>* bounds : {&qp.l, &qp.u})
    for (double v : *bounds)
      if (!sane(v) && !(std::fabs(v) >= 1e20)) return false;
  return true;
}

// A solved answer's certificate, with scales from the data and ‖x‖∞ (no planted answer here).
// The bound: ADMM's stopping test holds the unscaled residuals to eps_abs + eps_rel·scale, and
// complementarity and the gap follow from it up to the same order (DESIGN.md §3); the factor
// 10 covers the certificate's slightly different scales, and the rounding floor covers float
// x and y evaluated in double. A polished answer is at least as accurate.
template <class T>
void check_certificate(const bpqp::DenseQp& qp, const bpqp::SolveResult<T>& r, int b, const bpqp::Settings& s,
                       std::uint8_t structure, const char* which) {
  if (r.status[b] != bpqp::SolveStatus::solved) return;
  if (!certifiable(qp, structure)) return;
  const double x_bound = std::max(1.0, bpqp::testing::inf_norm(r.x_of(b), qp.n));
  const auto scales = bpqp::testing::certificate_scales(qp, x_bound);
  const auto c = bpqp::testing::certify_optimality(qp, r.x_of(b), r.y_of(b), scales);
  const double rounding = 1e3 * std::numeric_limits<T>::epsilon();
  const double bound =
      10.0 * (bpqp::effective_eps_abs<T>(s) + bpqp::effective_eps_rel<T>(s)) + rounding;
  BPQP_FUZZ_CHECK(c.worst() <= bound, which << ": problem " << b << " solved (polish "
                                            << bpqp::to_string(r.polish[b]) << ", " << r.iterations[b]
                                            << " + " << r.interior_point_iterations[b]
                                            << " interior-point iterations) fails its certificate: " << c
                                            << " > " << bound);
}

// The sparse path (double, no cones) on each problem of the batch, where P is symmetric so that
// its upper triangle is the same problem: the same result properties and certificates, and
// non-finite data found as the dense path finds it (other input issues are tested with
// tolerances of their own on each path, so only their validity is checked here).
void check_sparse_path(const std::vector<bpqp::DenseQp>& problems, const bpqp::SolveResult<double>& dense,
                       const bpqp::Settings& s, std::uint8_t structure) {
  if ((structure & 3) == 0 || problems.empty() || !problems.front().cones.empty()) return;  // one layout for all
  for (int b = 0; b < static_cast<int>(problems.size()); ++b) {
    const bpqp::DenseQp& qp = problems[b];
    bpqp::SolveResult<double> sparse;
    try {
      sparse = bpqp::solve_sparse(bpqp::to_sparse(qp), s);
    } catch (const std::exception& e) {
      bpqp::fuzz::unexpected_exception("solve_sparse", &e);
    }
    check_result(sparse, 1, qp.n, qp.m, s, "sparse path");
    check_certificate(qp, sparse, 0, s, structure, "sparse path");
    const auto non_finite = [](bpqp::InputIssue issue) { return issue == bpqp::InputIssue::non_finite_data; };
    const auto invalid = [](bpqp::SolveStatus status) { return status == bpqp::SolveStatus::invalid_input; };
    BPQP_FUZZ_CHECK((!non_finite(dense.input_issue[b]) || invalid(sparse.status[0])) &&
                        (!non_finite(sparse.input_issue[0]) || invalid(dense.status[b])),
                    "problem " << b << ": input_issue " << bpqp::to_string(dense.input_issue[b]) << " (dense) but "
                               << bpqp::to_string(sparse.input_issue[0]) << " (sparse path)");
  }
}

template <class T>
void print_values(const char* name, const T* v, std::ptrdiff_t count) {
  std::fprintf(stderr, "  %s =", name);
  for (std::ptrdiff_t k = 0; k < count; ++k) std::fprintf(stderr, " %.17g", static_cast<double>(v[k]));
  std::fprintf(stderr, "\n");
}

// BPQP_FUZZ_VERBOSE: the decoded input, to turn a crash file into a readable reproducer.
template <class T>
void print_problem(const bpqp::QpBatchView<T>& v, const bpqp::Settings& s, bool expect_invalid) {
  std::fprintf(stderr, "%s batch=%d n=%d m=%d strides P %td q %td A %td l %td u %td%s\n",
               sizeof(T) == 8 ? "double" : "float", v.batch, v.n, v.m, v.P_stride, v.q_stride, v.A_stride,
               v.l_stride, v.u_stride, expect_invalid ? " (misuse: expect InvalidArgument)" : "");
  for (int k = 0; k < v.cone_count; ++k)
    std::fprintf(stderr, "cone block %d: rows %d … %d, %s\n", k, v.cones[k].first_row,
                 v.cones[k].first_row + v.cones[k].dim - 1, bpqp::to_string(v.cones[k].kind));
  std::fprintf(stderr,
               "settings: polish %d adaptive_rho %d check_convexity %d scaling_iterations %d max_iter %d "
               "check_every %d polish_first_attempt %d rho %g alpha %g eps_abs %g eps_rel %g "
               "adaptive_rho_interval %d sigma %g polish_refine_iterations %d delta %g\n",
               s.polish, s.adaptive_rho, s.check_convexity, s.scaling_iterations, s.max_iter, s.check_every,
               s.polish_first_attempt, s.rho, s.alpha, bpqp::effective_eps_abs<T>(s), bpqp::effective_eps_rel<T>(s),
               s.adaptive_rho_interval, s.sigma, s.polish_refine_iterations, s.delta);
  if (expect_invalid) return;
  for (int b = 0; b < v.batch; ++b) {
    std::fprintf(stderr, "problem %d:\n", b);
    print_values("P", v.P_of(b), static_cast<std::ptrdiff_t>(v.n) * v.n);
    print_values("q", v.q_of(b), v.n);
    print_values("A", v.A_of(b), static_cast<std::ptrdiff_t>(v.m) * v.n);
    print_values("l", v.l_of(b), v.m);
    print_values("u", v.u_of(b), v.m);
  }
}

template <class T>
void print_result(const bpqp::SolveResult<T>& r) {
  for (int b = 0; b < r.batch; ++b) {
    std::fprintf(stderr, "result %d: %s / %s, %d + %d interior-point iterations, polish %s, prim_res %g dual_res %g objective %g\n", b,
                 bpqp::to_string(r.status[b]), bpqp::to_string(r.input_issue[b]), r.iterations[b], r.interior_point_iterations[b],
                 bpqp::to_string(r.polish[b]), static_cast<double>(r.prim_res[b]), static_cast<double>(r.dual_res[b]),
                 static_cast<double>(r.objective[b]));
    print_values("x", r.x_of(b), r.n);
    print_values("y", r.y_of(b), r.m);
  }
}

bool same_bits(const void* a, const void* b, std::size_t bytes) { return bytes == 0 || std::memcmp(a, b, bytes) == 0; }

template <class T>
void run(Bytes& in, std::uint8_t head) {
  const int misuse_on = ((head >> 1) & 3) == 3;
  int n = 1 + in.byte() % 6;
  int m = in.byte() % 7;
  int batch = 1 + in.byte() % 3;
  const std::uint8_t sa = in.byte(), sb = in.byte(), sc = in.byte(), sd = in.byte();
  const bpqp::Settings settings = make_settings(sa, sb, sc, sd);
  const std::uint8_t structure = in.byte();
  const std::uint8_t misuse = in.byte();

  // Deliberate misuse of the sizes (the view's); the arrays are built for the real n, m, batch.
  bool expect_invalid = false;
  const int misuse_kind = misuse_on ? misuse % 8 : -1;
  int view_n = n, view_m = m, view_batch = batch;
  if (misuse_kind == 0) view_n = -(misuse >> 3) % 3, expect_invalid = true;      // n ≤ 0
  if (misuse_kind == 1) view_m = -1 - (misuse >> 3) % 2, expect_invalid = true;  // m < 0
  if (misuse_kind == 2) view_batch = -1, expect_invalid = true;                 // batch < 0
  if (misuse_kind == 3) view_batch = 0;                                         // empty batch: fine

  Array<T> P, q, A, l, u;
  Array<T>* arrays[5] = {&P, &q, &A, &l, &u};
  P.size = static_cast<std::ptrdiff_t>(n) * n;
  q.size = n;
  A.size = static_cast<std::ptrdiff_t>(m) * n;
  l.size = m;
  u.size = m;
  for (int k = 0; k < 5; ++k) {
    Array<T>& a = *arrays[k];
    const std::uint8_t kind = in.byte();
    const bool bad_stride = misuse_kind == 4 + (k % 3);  // kinds 4-6: misuse a stride of P/l, q/u, A
    a.stride = stride_of(kind, a.size, bad_stride);
    if (bad_stride && (kind & 3) == 3) {
      // A negative stride is always refused; a short one only where it would alias problems.
      if (a.stride < 0 || (view_batch > 1 && a.stride != 0 && a.stride < a.size)) expect_invalid = true;
    }
    const std::ptrdiff_t span = a.stride > 0 ? a.stride * (batch - 1) + a.size : a.size;
    a.storage.assign(static_cast<std::size_t>(span), T(0));
    if (misuse_kind == 7 && (misuse >> 3) % 5 == k && a.size > 0) {
      a.null = true;  // a missing array that has entries
      expect_invalid = true;
    }
  }

  // Values: every stored entry (padding included) from the bytes, then P's structure and the
  // bound order imposed problem by problem.
  for (Array<T>* a : arrays)
    for (T& v : a->storage) v = static_cast<T>(in.value());
  // A zero or (misused) negative stride leaves one block to shape.
  const int p_blocks = P.stride > 0 ? batch : 1;
  for (int b = 0; b < p_blocks; ++b) {
    T* p = P.block(b);
    std::vector<double> M(p, p + P.size);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        double v = M[i * n + j];
        switch (structure & 3) {
          case 1: v = M[std::min(i, j) * n + std::max(i, j)]; break;  // mirror the upper triangle
          case 2:  // MᵀM: PSD in exact arithmetic, and bitwise symmetric
            v = 0.0;
            for (int k = 0; k < n; ++k) v += M[k * n + i] * M[k * n + j];
            break;
          case 3: v = i == j ? M[i * n + j] : 0.0; break;
          default: break;
        }
        p[i * n + j] = static_cast<T>(v);
      }
  }
  if (structure & 4) {
    const int bound_blocks = std::max(l.stride > 0 ? batch : 1, u.stride > 0 ? batch : 1);
    for (int b = 0; b < bound_blocks; ++b)
      for (int i = 0; i < m; ++i) {
        T& lo = l.storage[(l.stride > 0 ? b * l.stride : 0) + i];
        T& hi = u.storage[(u.stride > 0 ? b * u.stride : 0) + i];
        if (lo > hi) std::swap(lo, hi);
      }
  }

  // Cone blocks, when the byte after the values asks; with the bound-order bit (structure bit
  // 2) their rows get what a block needs — u = +inf, a finite offset l — else they keep the
  // drawn bounds, which make the problem invalid_input (cone_row_bounds) most of the time.
  const std::vector<bpqp::ConeBlock> cones = cone_layout(in.byte(), m);
  if (structure & 4) {
    const int bound_blocks = std::max(l.stride > 0 ? batch : 1, u.stride > 0 ? batch : 1);
    for (int b = 0; b < bound_blocks; ++b)
      for (const bpqp::ConeBlock& c : cones)
        for (int r = c.first_row; r < c.first_row + c.dim; ++r) {
          T& lo = l.storage[(l.stride > 0 ? b * l.stride : 0) + r];
          if (!(std::fabs(lo) < T(1e20))) lo = T(0);
          u.storage[(u.stride > 0 ? b * u.stride : 0) + r] = std::numeric_limits<T>::infinity();
        }
  }

  bpqp::QpBatchView<T> view;
  view.batch = view_batch;
  view.cones = cones.data();
  view.cone_count = static_cast<int>(cones.size());
  view.n = view_n;
  view.m = view_m;
  view.P = P.data();
  view.q = q.data();
  view.A = A.data();
  view.l = l.data();
  view.u = u.data();
  view.P_stride = P.stride;
  view.q_stride = q.stride;
  view.A_stride = A.stride;
  view.l_stride = l.stride;
  view.u_stride = u.stride;

  if (std::getenv("BPQP_FUZZ_VERBOSE") != nullptr) print_problem(view, settings, expect_invalid);
  bpqp::SolveResult<T> first;
  try {
    bpqp::Solver<T> solver(bpqp::Executor::cpu(1), settings);
    try {
      first = solver.solve(view);
    } catch (const bpqp::InvalidArgument& e) {
      BPQP_FUZZ_CHECK(expect_invalid, "solve threw InvalidArgument for a valid view: " << e.what());
      return;
    }
    BPQP_FUZZ_CHECK(!expect_invalid, "solve accepted a view it must refuse (n = "
                                         << view.n << ", m = " << view.m << ", batch = " << view.batch
                                         << ", strides " << view.P_stride << " " << view.q_stride << " "
                                         << view.A_stride << " " << view.l_stride << " " << view.u_stride << ")");
    if (std::getenv("BPQP_FUZZ_VERBOSE") != nullptr) print_result(first);
    check_result(first, view.batch, n, m, settings, "first solve");
    std::vector<bpqp::DenseQp> problems;  // in double, for the certificates and the sparse path
    for (int b = 0; b < view.batch; ++b) problems.push_back(problem_of(view, b));
    for (int b = 0; b < view.batch; ++b) check_certificate(problems[b], first, b, settings, structure, "first solve");
    // Warm-started re-solve of the same batch.
    const bpqp::SolveResult<T> again = solver.solve(view);
    check_result(again, view.batch, n, m, settings, "warm re-solve");
    for (int b = 0; b < view.batch; ++b) check_certificate(problems[b], again, b, settings, structure, "warm re-solve");
    if constexpr (sizeof(T) == sizeof(double)) check_sparse_path(problems, first, settings, structure);
  } catch (const std::exception& e) {
    bpqp::fuzz::unexpected_exception("Solver::solve", &e);
  } catch (...) {
    bpqp::fuzz::unexpected_exception("Solver::solve", nullptr);
  }

  // Isolation: problem b alone, cold, must come out exactly as it did inside the batch —
  // on the per-problem path. The shared-data batch phase starts each problem elsewhere (same
  // checks in check_result, not the same bits).
  if (view.batch < 2) return;
  if (settings.batch_phase && view.P_stride == 0 && view.A_stride == 0) return;
  for (int b = 0; b < view.batch; ++b) {
    bpqp::QpBatchView<T> one = view;
    one.batch = 1;
    one.P = view.P_of(b);
    one.q = view.q_of(b);
    one.A = view.A_of(b);
    one.l = view.l_of(b);
    one.u = view.u_of(b);
    bpqp::SolveResult<T> alone;
    try {
      alone = bpqp::Solver<T>(bpqp::Executor::cpu(1), settings).solve(one);
    } catch (const std::exception& e) {
      bpqp::fuzz::unexpected_exception("Solver::solve (one problem)", &e);
    }
    BPQP_FUZZ_CHECK(alone.status[0] == first.status[b] && alone.iterations[0] == first.iterations[b] &&
                        same_bits(alone.x.data(), first.x_of(b), sizeof(T) * n) &&
                        same_bits(alone.y.data(), first.y_of(b), sizeof(T) * m),
                    "problem " << b << " of " << view.batch << ": " << bpqp::to_string(first.status[b]) << " after "
                               << first.iterations[b] << " iterations in the batch, "
                               << bpqp::to_string(alone.status[0]) << " after " << alone.iterations[0]
                               << " alone (or x, y differ)");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const std::uint8_t head = in.byte();
  if (head & 1)
    run<double>(in, head);
  else
    run<float>(in, head);
  return 0;
}
