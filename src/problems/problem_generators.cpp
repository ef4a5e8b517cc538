// Seeded problem generators (see src/problems/problem_generators.hpp).
// Plain loops, no Eigen: the library itself does not link Eigen.
#include "problems/problem_generators.hpp"
#include "bpqp/errors.hpp"
#include "problems/random_draws.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace bpqp::generators {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::dot;
using detail::Draws;
using detail::gaussian_matrix;
using detail::gram;

std::vector<int> iota(int begin, int end) {
  std::vector<int> v;
  for (int i = begin; i < end; ++i) v.push_back(i);
  return v;
}

// ---------------------------------------------------------------------------
// Uniqueness certificate: A_T (the tight rows) has full row rank and P is
// positive definite on null(A_T). One Householder QR of A_Tᵀ gives both: |R_jj|
// is the distance of tight row j from the span of the earlier ones, and the
// trailing n−k columns of Q span null(A_T), so the trailing block of QᵀPQ is the
// reduced Hessian ZᵀPZ.

// Relative thresholds: far below what random data produces (the tests then ask
// for 1e-7 accuracy, which an almost singular KKT system would not allow), far
// above rounding.
constexpr double kRowIndependenceTol = 1e-6;
constexpr double kReducedHessianTol = 1e-8;

struct Reflector {
  int start;               // acts on entries start..n-1
  std::vector<double> v;   // Householder vector, length n - start
  double beta;             // I - beta v vᵀ
};

void apply_left(const Reflector& h, std::vector<double>& column) {
  const int len = static_cast<int>(h.v.size());
  const double w = h.beta * dot(h.v.data(), column.data() + h.start, len);
  for (int i = 0; i < len; ++i) column[h.start + i] -= w * h.v[i];
}

// Returns false when some tight row is (nearly) a combination of the others.
bool householder_qr(std::vector<std::vector<double>> columns, int n, std::vector<Reflector>& out) {
  const int k = static_cast<int>(columns.size());
  for (int j = 0; j < k; ++j) {
    std::vector<double>& c = columns[j];
    // Earlier reflectors are orthogonal, so the norm of c is still the row's norm.
    const double row_norm = std::sqrt(dot(c.data(), c.data(), n));
    const double tail = std::sqrt(dot(c.data() + j, c.data() + j, n - j));
    if (!(tail > kRowIndependenceTol * row_norm)) return false;
    Reflector h{j, std::vector<double>(c.begin() + j, c.end()), 0.0};
    const double alpha = c[j] >= 0.0 ? -tail : tail;  // avoids cancellation in v[0]
    h.v[0] -= alpha;
    h.beta = 2.0 / dot(h.v.data(), h.v.data(), n - j);
    for (int later = j + 1; later < k; ++later) apply_left(h, columns[later]);
    out.push_back(std::move(h));
  }
  return true;
}

// M <- H M H for a reflector H and a symmetric n×n row-major M.
void apply_both_sides(const Reflector& h, std::vector<double>& M, int n) {
  const int len = static_cast<int>(h.v.size());
  for (int c = 0; c < n; ++c) {  // left: rows start..n-1 of every column
    double w = 0.0;
    for (int i = 0; i < len; ++i) w += h.v[i] * M[static_cast<size_t>(h.start + i) * n + c];
    w *= h.beta;
    for (int i = 0; i < len; ++i) M[static_cast<size_t>(h.start + i) * n + c] -= w * h.v[i];
  }
  for (int r = 0; r < n; ++r) {  // right: columns start..n-1 of every row
    double* row = M.data() + static_cast<size_t>(r) * n + h.start;
    const double w = h.beta * dot(row, h.v.data(), len);
    for (int i = 0; i < len; ++i) row[i] -= w * h.v[i];
  }
}

// Cholesky of the trailing (n−k)×(n−k) block of M; false if a pivot is not
// clearly positive. (A pivot bounds the smallest eigenvalue from above, so this
// is a guard against bad draws, not a condition-number bound.)
bool trailing_block_is_positive_definite(std::vector<double> M, int n, int k, double scale) {
  const int d = n - k;
  auto at = [&](int i, int j) -> double& { return M[static_cast<size_t>(k + i) * n + (k + j)]; };
  for (int j = 0; j < d; ++j) {
    double pivot = at(j, j);
    for (int p = 0; p < j; ++p) pivot -= at(j, p) * at(j, p);
    if (!(pivot > kReducedHessianTol * scale)) return false;
    const double root = std::sqrt(pivot);
    at(j, j) = root;
    for (int i = j + 1; i < d; ++i) {
      double s = at(i, j);
      for (int p = 0; p < j; ++p) s -= at(i, p) * at(j, p);
      at(i, j) = s / root;
    }
  }
  return true;
}

bool solution_is_unique(const DenseQp& qp, const std::vector<int>& row_kind) {
  const int n = qp.n;
  std::vector<std::vector<double>> tight_rows;
  for (int i = 0; i < qp.m; ++i) {
    if (row_kind[i] == RowKind::inactive) continue;
    tight_rows.emplace_back(qp.A.begin() + static_cast<long>(i) * n, qp.A.begin() + static_cast<long>(i + 1) * n);
  }
  std::vector<Reflector> reflectors;
  if (!householder_qr(tight_rows, n, reflectors)) return false;
  std::vector<double> reduced = qp.P;
  for (const Reflector& h : reflectors) apply_both_sides(h, reduced, n);
  double max_diag = 0.0;
  for (int i = 0; i < n; ++i) max_diag = std::max(max_diag, qp.P[static_cast<size_t>(i) * n + i]);
  return trailing_block_is_positive_definite(std::move(reduced), n, static_cast<int>(tight_rows.size()),
                                             std::max(max_diag, 1e-300));
}

// ---------------------------------------------------------------------------
// Planted construction.

void require(bool ok, const std::string& message) {
  if (!ok) throw bpqp::InvalidArgument("make_planted_qp: " + message);
}

void check_options(const PlantedOptions& o) {
  const int tight = o.n_equality + o.n_active;
  const int rank = o.lp ? 0 : (o.p_rank < 0 ? o.n : o.p_rank);
  require(o.n >= 1, "n must be >= 1, got " + std::to_string(o.n));
  require(o.m >= 0, "m must be >= 0, got " + std::to_string(o.m));
  require(o.n_equality >= 0 && o.n_equality <= o.m,
          "n_equality must lie in [0, m] (equalities are general rows), got " + std::to_string(o.n_equality));
  require(o.n_variable_bounds >= 0 && o.n_variable_bounds <= o.n,
          "n_variable_bounds must lie in [0, n], got " + std::to_string(o.n_variable_bounds));
  require(o.n_active >= 0 && o.n_active <= o.m + o.n_variable_bounds - o.n_equality,
          "n_active must lie in [0, m + n_variable_bounds - n_equality], got " + std::to_string(o.n_active));
  require(tight <= o.n, "n_equality + n_active must be <= n for linearly independent tight rows, got " +
                            std::to_string(tight));
  require(o.p_rank <= o.n, "p_rank must be <= n, got " + std::to_string(o.p_rank));
  require(rank + tight >= o.n,
          "rank(P) + n_equality + n_active must be >= n for a unique solution (an LP needs n tight rows), got " +
              std::to_string(rank) + " + " + std::to_string(tight) + " < n = " + std::to_string(o.n));
  require(o.margin > 0.0, "margin must be > 0 for strictly inactive rows");
  require(o.dual_min > 0.0, "dual_min must be > 0 for strict complementarity");
}

// Equalities among the general rows (fixing a variable is not what a variable
// bound row is for); active rows among all the others, with alternating sides
// in random order so that both signs appear whenever n_active >= 2.
std::vector<int> draw_row_kinds(const PlantedOptions& o, Draws& draws) {
  const int rows = o.m + o.n_variable_bounds;
  std::vector<int> kind(rows, RowKind::inactive);
  std::vector<int> general = iota(0, o.m);
  draws.shuffle(general);
  std::vector<int> candidates;
  for (int k = 0; k < o.m; ++k) {
    if (k < o.n_equality) kind[general[k]] = RowKind::equality;
    else candidates.push_back(general[k]);
  }
  for (int i = o.m; i < rows; ++i) candidates.push_back(i);
  draws.shuffle(candidates);
  int side = draws.coin(0.5) ? RowKind::active_upper : RowKind::active_lower;
  for (int k = 0; k < o.n_active; ++k) {
    kind[candidates[k]] = side;
    side = -side;
  }
  return kind;
}

// Draws everything that decides uniqueness: x*, A, P and the tight rows.
PlantedQp draw_structure(const PlantedOptions& o, Draws& draws) {
  const int n = o.n;
  const int rows = o.m + o.n_variable_bounds;
  PlantedQp out;
  out.x_star.resize(n);
  for (double& v : out.x_star) v = draws.normal();

  DenseQp& qp = out.qp;
  qp.n = n;
  qp.m = rows;
  qp.A = gaussian_matrix(draws, o.m, n, 1.0 / std::sqrt(static_cast<double>(n)));
  std::vector<int> bounded = iota(0, n);  // which variables get a bound row
  draws.shuffle(bounded);
  bounded.resize(o.n_variable_bounds);
  std::sort(bounded.begin(), bounded.end());
  qp.A.resize(static_cast<size_t>(rows) * n, 0.0);
  for (int k = 0; k < o.n_variable_bounds; ++k) qp.A[static_cast<size_t>(o.m + k) * n + bounded[k]] = 1.0;

  if (o.lp) {
    qp.P.assign(static_cast<size_t>(n) * n, 0.0);
  } else {
    const int rank = o.p_rank < 0 ? n : o.p_rank;
    const std::vector<double> M = gaussian_matrix(draws, rank, n, 1.0 / std::sqrt(static_cast<double>(n)));
    qp.P = gram(M, rank, n, o.p_rank < 0 ? 1e-2 : 0.0);
  }
  out.row_kind = draw_row_kinds(o, draws);
  return out;
}

// A bound that is not active: at least `margin` away, or infinite now and then.
double far_bound(double value, double direction, const PlantedOptions& o, Draws& draws) {
  if (o.infinite_bounds && draws.coin(0.25)) return direction * kInf;
  return value + direction * o.margin * (1.0 + draws.uniform());
}

// Duals, bounds and q for an accepted structure.
void plant_solution(const PlantedOptions& o, Draws& draws, PlantedQp& out) {
  DenseQp& qp = out.qp;
  const int n = qp.n;
  out.y_star.assign(qp.m, 0.0);
  qp.l.resize(qp.m);
  qp.u.resize(qp.m);
  for (int i = 0; i < qp.m; ++i) {
    const double a = dot(qp.A.data() + static_cast<size_t>(i) * n, out.x_star.data(), n);
    const double magnitude = o.dual_min + draws.uniform();
    switch (out.row_kind[i]) {
      case RowKind::equality:
        qp.l[i] = qp.u[i] = a;
        out.y_star[i] = draws.coin(0.5) ? magnitude : -magnitude;
        break;
      case RowKind::active_upper:
        qp.u[i] = a;
        qp.l[i] = far_bound(a, -1.0, o, draws);
        out.y_star[i] = magnitude;
        break;
      case RowKind::active_lower:
        qp.l[i] = a;
        qp.u[i] = far_bound(a, 1.0, o, draws);
        out.y_star[i] = -magnitude;
        break;
      default:
        qp.l[i] = far_bound(a, -1.0, o, draws);
        qp.u[i] = far_bound(a, 1.0, o, draws);
        break;
    }
  }
  // Stationarity P x* + q + Aᵀ y* = 0 defines q.
  qp.q.assign(n, 0.0);
  for (int j = 0; j < n; ++j) qp.q[j] = -dot(qp.P.data() + static_cast<size_t>(j) * n, out.x_star.data(), n);
  for (int i = 0; i < qp.m; ++i) {
    if (out.y_star[i] == 0.0) continue;
    for (int j = 0; j < n; ++j) qp.q[j] -= qp.A[static_cast<size_t>(i) * n + j] * out.y_star[i];
  }
}

}  // namespace

PlantedQp make_planted_qp(const PlantedOptions& options) {
  check_options(options);
  Draws draws(options.seed);
  // Random data fails the certificate with probability ~0; a few redraws
  // (still a function of the seed alone) cover the unlucky case.
  constexpr int kMaxAttempts = 20;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    PlantedQp out = draw_structure(options, draws);
    if (!solution_is_unique(out.qp, out.row_kind)) continue;
    plant_solution(options, draws, out);
    out.qp.name = std::string(options.lp ? "planted_lp" : "planted_qp") + "_n" + std::to_string(options.n) + "_m" +
                  std::to_string(out.qp.m) + "_seed" + std::to_string(options.seed);
    return out;
  }
  throw std::runtime_error("make_planted_qp: no draw with a unique solution after 20 attempts (seed " +
                           std::to_string(options.seed) + ")");
}

PlantedQp make_planted_lp(int n, int m_extra_inactive, std::uint64_t seed) {
  if (m_extra_inactive < 0)
    throw bpqp::InvalidArgument("make_planted_lp: m_extra_inactive must be >= 0, got " +
                                std::to_string(m_extra_inactive));
  PlantedOptions o;
  o.n = n;
  o.m = n + m_extra_inactive;
  o.n_equality = 0;
  o.n_active = n;
  o.lp = true;
  o.seed = seed;
  return make_planted_qp(o);
}

namespace {

// Cone coordinates ↔ the rotated cone's own: (a, b) ← ((a+b)/√2, (a−b)/√2), an involution.
void rotate_pair(double& a, double& b) {
  const double s = (a + b) / std::sqrt(2.0), d = (a - b) / std::sqrt(2.0);
  a = s;
  b = d;
}

// One planted block in the cone's coordinates: its rows B (d×n), slack s and dual y.
struct PlantedBlock {
  std::vector<double> B, s, y;
};

PlantedBlock draw_block(const PlantedConeBlock& c, int n, const PlantedOptions& o, Draws& draws) {
  const int d = c.dim;
  PlantedBlock b;
  b.B = gaussian_matrix(draws, d, n, 1.0 / std::sqrt(static_cast<double>(n)));
  b.s.assign(d, 0.0);
  b.y.assign(d, 0.0);
  double tail = 0.0;
  switch (c.position) {
    case RowKind::cone_interior:
      for (int r = 1; r < d; ++r) tail += (b.s[r] = draws.normal()) * b.s[r];
      b.s[0] = std::sqrt(tail) + o.margin * (1.0 + draws.uniform());
      break;
    case RowKind::cone_boundary: {
      for (int r = 1; r < d; ++r) tail += (b.s[r] = draws.normal()) * b.s[r];
      b.s[0] = std::sqrt(tail);
      const double lambda = o.dual_min + draws.uniform();
      b.y[0] = -lambda;
      for (int r = 1; r < d; ++r) b.y[r] = lambda * b.s[r] / b.s[0];
      break;
    }
    default: {  // apex
      for (int r = 1; r < d; ++r) tail += (b.y[r] = draws.normal()) * b.y[r];
      b.y[0] = -(std::sqrt(tail) + o.dual_min * (1.0 + draws.uniform()));
      for (int r = 1; r < d; ++r) b.y[r] = -b.y[r];
      break;
    }
  }
  return b;
}

}  // namespace

PlantedQp make_planted_socp(const PlantedSocpOptions& options) {
  const PlantedOptions& o = options.box;
  if (o.lp || o.p_rank >= 0)
    throw bpqp::InvalidArgument("make_planted_socp: box.p_rank must be -1 (P positive definite) and box.lp false");
  for (std::size_t k = 0; k < options.blocks.size(); ++k) {
    const PlantedConeBlock& c = options.blocks[k];
    const std::string which = "make_planted_socp: blocks[" + std::to_string(k) + "]";
    if (c.dim < (c.rotated ? 3 : 1)) throw bpqp::InvalidArgument(which + ".dim too small for its cone");
    if (c.position != RowKind::cone_interior && c.position != RowKind::cone_boundary &&
        c.position != RowKind::cone_apex)
      throw bpqp::InvalidArgument(which + ".position must be a RowKind::cone_* value");
    if (c.position == RowKind::cone_boundary && c.dim < 2)
      throw bpqp::InvalidArgument(which + ": a block of dim 1 has no boundary apart from its apex");
  }
  Draws draws(o.seed ^ 0x5eed50c9ull);
  for (int attempt = 0; attempt < 20; ++attempt) {
    PlantedOptions box = o;
    box.seed = o.seed + 7919ull * attempt;
    PlantedQp out = make_planted_qp(box);
    DenseQp& qp = out.qp;
    const int n = qp.n;
    std::vector<PlantedBlock> blocks;
    for (const PlantedConeBlock& c : options.blocks) blocks.push_back(draw_block(c, n, o, draws));
    // Uniqueness of y*: the tight constraints' gradients independent (P > 0 makes x* unique).
    std::vector<std::vector<double>> tight;
    for (int i = 0; i < qp.m; ++i)
      if (out.row_kind[i] != RowKind::inactive)
        tight.emplace_back(qp.A.begin() + static_cast<long>(i) * n, qp.A.begin() + static_cast<long>(i + 1) * n);
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      const PlantedBlock& b = blocks[k];
      const int d = options.blocks[k].dim;
      if (options.blocks[k].position == RowKind::cone_apex) {
        for (int r = 0; r < d; ++r) tight.emplace_back(b.B.begin() + static_cast<long>(r) * n, b.B.begin() + static_cast<long>(r + 1) * n);
      } else if (options.blocks[k].position == RowKind::cone_boundary) {
        std::vector<double> row(n, 0.0);  // Bᵀ∇φ = −B₀ + Σ ŝ_r B_r
        for (int j = 0; j < n; ++j) {
          row[j] = -b.B[j];
          for (int r = 1; r < d; ++r) row[j] += b.s[r] / b.s[0] * b.B[static_cast<size_t>(r) * n + j];
        }
        tight.push_back(row);
      }
    }
    std::vector<Reflector> reflectors;
    if (static_cast<int>(tight.size()) > n || !householder_qr(tight, n, reflectors)) continue;
    // Place the blocks: after the box rows, or each at a random position between them.
    std::vector<int> at(blocks.size(), qp.m);
    Draws places(options.layout_seed);
    if (options.interleave)
      for (int& a : at) a = static_cast<int>(places.uniform() * (qp.m + 1));
    std::vector<int> order(blocks.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int>(k);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return at[a] < at[b]; });
    DenseQp socp = qp;
    socp.A.clear();
    socp.l.clear();
    socp.u.clear();
    std::vector<double> y;
    std::vector<int> kind;
    socp.cones.assign(blocks.size(), ConeBlock{});
    int box_row = 0;
    auto put_box_rows = [&](int until) {
      for (; box_row < until; ++box_row) {
        socp.A.insert(socp.A.end(), qp.A.begin() + static_cast<long>(box_row) * n,
                      qp.A.begin() + static_cast<long>(box_row + 1) * n);
        socp.l.push_back(qp.l[box_row]);
        socp.u.push_back(qp.u[box_row]);
        y.push_back(out.y_star[box_row]);
        kind.push_back(out.row_kind[box_row]);
      }
    };
    for (int k : order) {
      put_box_rows(at[k]);
      const PlantedConeBlock& c = options.blocks[k];
      PlantedBlock& b = blocks[k];
      const int d = c.dim;
      std::vector<double> offset(d);
      for (int r = 0; r < d; ++r) offset[r] = dot(b.B.data() + static_cast<size_t>(r) * n, out.x_star.data(), n) - b.s[r];
      if (c.rotated) {  // the user's rows, offset and dual: R times the cone's
        for (int j = 0; j < n; ++j) rotate_pair(b.B[j], b.B[n + j]);
        rotate_pair(offset[0], offset[1]);
        rotate_pair(b.y[0], b.y[1]);
      }
      socp.cones[k] = ConeBlock{static_cast<int>(socp.l.size()), d,
                                c.rotated ? ConeKind::rotated_second_order : ConeKind::second_order};
      socp.A.insert(socp.A.end(), b.B.begin(), b.B.end());
      for (int r = 0; r < d; ++r) {
        socp.l.push_back(offset[r]);
        socp.u.push_back(kInf);
        y.push_back(b.y[r]);
        kind.push_back(c.position);
      }
    }
    put_box_rows(qp.m);
    socp.m = static_cast<int>(socp.l.size());
    // Stationarity P x* + q + Aᵀy* = 0 over every row defines q.
    for (int j = 0; j < n; ++j) socp.q[j] = -dot(socp.P.data() + static_cast<size_t>(j) * n, out.x_star.data(), n);
    for (int i = 0; i < socp.m; ++i)
      for (int j = 0; j < n; ++j) socp.q[j] -= socp.A[static_cast<size_t>(i) * n + j] * y[i];
    socp.name = "planted_socp_n" + std::to_string(n) + "_m" + std::to_string(socp.m) + "_seed" + std::to_string(o.seed);
    out.qp = std::move(socp);
    out.y_star = std::move(y);
    out.row_kind = std::move(kind);
    return out;
  }
  throw std::runtime_error("make_planted_socp: no draw with a unique solution after 20 attempts (seed " +
                           std::to_string(o.seed) + ")");
}

DenseQp make_random_feasible_qp(int n, int m, std::uint64_t seed) {
  if (n < 1) throw bpqp::InvalidArgument("make_random_feasible_qp: n must be >= 1, got " + std::to_string(n));
  if (m < 0) throw bpqp::InvalidArgument("make_random_feasible_qp: m must be >= 0, got " + std::to_string(m));
  Draws draws(seed);
  DenseQp qp;
  qp.name = "random_qp_n" + std::to_string(n) + "_m" + std::to_string(m) + "_seed" + std::to_string(seed);
  qp.n = n;
  qp.m = m;
  qp.P = gram(gaussian_matrix(draws, n, n, 1.0), n, n, 1e-2);
  qp.q.resize(n);
  for (double& v : qp.q) v = draws.normal();
  qp.A = gaussian_matrix(draws, m, n, 1.0);
  std::vector<double> x0(n);
  for (double& v : x0) v = draws.normal();
  qp.l.assign(m, -kInf);
  qp.u.resize(m);
  for (int i = 0; i < m; ++i) qp.u[i] = dot(qp.A.data() + static_cast<size_t>(i) * n, x0.data(), n) + draws.uniform();
  return qp;
}

}  // namespace bpqp::generators
