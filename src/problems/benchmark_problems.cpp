// Benchmark problem families (see src/problems/benchmark_problems.hpp).
// Plain loops, no Eigen, like problem_generators.cpp; every draw comes from
// detail::Draws so that a seed gives the same problem with every standard library.
#include "problems/benchmark_problems.hpp"
#include "problems/problem_generators.hpp"
#include "bpqp/errors.hpp"
#include "problems/random_draws.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace bpqp::generators {
namespace {

using detail::dot;
using detail::Draws;
using detail::gaussian_matrix;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct FamilyName {
  ProblemFamily family;
  const char* name;
};

constexpr FamilyName kFamilies[] = {
    {ProblemFamily::random_qp, "random_qp"}, {ProblemFamily::equality_qp, "equality_qp"},
    {ProblemFamily::random_lp, "random_lp"}, {ProblemFamily::mixed_lp, "mixed_lp"},
    {ProblemFamily::portfolio, "portfolio"},
    {ProblemFamily::control, "control"},     {ProblemFamily::lasso, "lasso"},
    {ProblemFamily::huber, "huber"},         {ProblemFamily::svm, "svm"},
    {ProblemFamily::random_socp, "random_socp"},
};

std::string valid_names() {
  std::string list;
  for (const FamilyName& f : kFamilies) list += (list.empty() ? "" : ", ") + std::string(f.name);
  return list;
}

// A zero problem of the final size that a family fills in block by block.
class QpBuilder {
 public:
  QpBuilder(std::string name, int n, int m) {
    qp_.name = std::move(name);
    qp_.n = n;
    qp_.m = m;
    qp_.P.assign(static_cast<std::size_t>(n) * n, 0.0);
    qp_.q.assign(n, 0.0);
    qp_.A.assign(static_cast<std::size_t>(m) * n, 0.0);
    qp_.l.assign(m, 0.0);
    qp_.u.assign(m, 0.0);
  }

  // Writes P_ij and P_ji together, so that P is exactly symmetric.
  void set_P(int i, int j, double value) {
    qp_.P[static_cast<std::size_t>(i) * qp_.n + j] = value;
    qp_.P[static_cast<std::size_t>(j) * qp_.n + i] = value;
  }
  double& q(int j) { return qp_.q[j]; }
  double& A(int row, int col) { return qp_.A[static_cast<std::size_t>(row) * qp_.n + col]; }
  void bounds(int row, double lower, double upper) {
    qp_.l[row] = lower;
    qp_.u[row] = upper;
  }
  DenseQp take() { return std::move(qp_); }

 private:
  DenseQp qp_;
};

std::string instance_name(ProblemFamily family, int n, std::uint64_t seed) {
  return std::string(family_name(family)) + "_n" + std::to_string(n) + "_seed" + std::to_string(seed);
}

std::string instance_name(ProblemFamily family, int n, int m, std::uint64_t seed) {
  return std::string(family_name(family)) + "_n" + std::to_string(n) + "_m" + std::to_string(m) + "_seed" +
         std::to_string(seed);
}

// An entry of one of OSQP's sparse random matrices: N(0,1) with probability
// `density`, else 0. `nonzero` reports which, since N(0,1) itself is never 0 in practice.
double sparse_normal(Draws& draws, double density, bool* nonzero = nullptr) {
  const bool keep = draws.coin(density);
  if (nonzero != nullptr) *nonzero = keep;
  return keep ? draws.normal() : 0.0;
}

std::vector<double> sparse_gaussian_matrix(Draws& draws, int rows, int cols, double density) {
  std::vector<double> M(static_cast<std::size_t>(rows) * cols);
  for (double& v : M) v = sparse_normal(draws, density);
  return M;
}

// Data points per feature of lasso, huber and svm: OSQP's 100 would make the
// dense matrices 100× larger; 2 keeps the regressions overdetermined.
constexpr int kDataPerFeature = 2;

// ---------------------------------------------------------------------------
// Paper families.

// The random QP with its rows made equalities at their upper bounds u = A x0 + s:
// reachable, because m < n Gaussian rows have full row rank (with probability one).
DenseQp equality_qp(int n, int m, std::uint64_t seed) {
  DenseQp qp = make_random_feasible_qp(n, m, seed);
  qp.name = instance_name(ProblemFamily::equality_qp, n, m, seed);
  qp.l = qp.u;
  return qp;
}

DenseQp random_lp(int n, int m, std::uint64_t seed) {
  Draws draws(seed);
  QpBuilder b(instance_name(ProblemFamily::random_lp, n, m, seed), n, m + n);
  const std::vector<double> A = gaussian_matrix(draws, m, n, 1.0);
  std::vector<double> x0(n);
  for (double& v : x0) v = 0.1 + 0.8 * draws.uniform();  // strictly inside [0, 1]: a Slater point
  for (int j = 0; j < n; ++j) b.q(j) = draws.normal();
  for (int i = 0; i < m; ++i) {
    const double* row = A.data() + static_cast<std::size_t>(i) * n;
    for (int j = 0; j < n; ++j) b.A(i, j) = row[j];
    const double rhs = dot(row, x0.data(), n);
    b.bounds(i, rhs, rhs);
  }
  for (int j = 0; j < n; ++j) {
    b.A(m + j, j) = 1.0;
    b.bounds(m + j, 0.0, 1.0);
  }
  return b.take();
}

DenseQp mixed_lp(int n, int m, std::uint64_t seed) {
  Draws draws(seed);
  QpBuilder b(instance_name(ProblemFamily::mixed_lp, n, m, seed), n, m + n);
  const int m_eq = (m + 1) / 2;
  std::vector<double> x0(n), width(n);
  for (int j = 0; j < n; ++j) {
    const bool boxed = draws.coin(0.7);
    width[j] = boxed ? 0.5 + 1.5 * draws.uniform() : kInf;
    x0[j] = (0.1 + 0.8 * draws.uniform()) * (boxed ? width[j] : 1.0);
    b.q(j) = boxed ? draws.normal() : std::abs(draws.normal()) + 0.1;
    b.A(m + j, j) = 1.0;
    b.bounds(m + j, 0.0, width[j]);
  }
  for (int i = 0; i < m; ++i) {
    const double row_scale = std::pow(10.0, -1.5 + 3.0 * draws.uniform());
    for (int j = 0; j < n; ++j) b.A(i, j) = row_scale * draws.normal();
    double ax0 = 0.0;
    for (int j = 0; j < n; ++j) ax0 += b.A(i, j) * x0[j];
    if (i < m_eq) b.bounds(i, ax0, ax0);
    else b.bounds(i, -kInf, ax0 + draws.uniform());
  }
  return b.take();
}

// ---------------------------------------------------------------------------
// OSQP-suite families.

DenseQp portfolio(int n, std::uint64_t seed) {
  const int k = (n + 9) / 10;
  const double gamma = 1.0;
  Draws draws(seed);
  const std::vector<double> F = sparse_gaussian_matrix(draws, n, k, 0.5);
  QpBuilder b(instance_name(ProblemFamily::portfolio, n, seed), n + k, 1 + k + n);
  // D_ii in (0, √k]: a zero would leave x_i's risk to the factors alone.
  for (int i = 0; i < n; ++i) b.set_P(i, i, 2.0 * std::sqrt(static_cast<double>(k)) * (1.0 - draws.uniform()));
  for (int i = 0; i < n; ++i) b.q(i) = -draws.normal() / gamma;
  for (int f = 0; f < k; ++f) b.set_P(n + f, n + f, 2.0);

  for (int i = 0; i < n; ++i) b.A(0, i) = 1.0;  // fully invested
  b.bounds(0, 1.0, 1.0);
  for (int f = 0; f < k; ++f) {  // y = Fᵀx
    for (int i = 0; i < n; ++i) b.A(1 + f, i) = F[static_cast<std::size_t>(i) * k + f];
    b.A(1 + f, n + f) = -1.0;
    b.bounds(1 + f, 0.0, 0.0);
  }
  for (int i = 0; i < n; ++i) {  // long only
    b.A(1 + k + i, i) = 1.0;
    b.bounds(1 + k + i, 0.0, 1.0);
  }
  return b.take();
}

// Solves S X = G for symmetric positive definite S (d×d) by Cholesky; G (d×cols)
// is overwritten with X.
void cholesky_solve(std::vector<double> S, int d, std::vector<double>& G, int cols) {
  auto L = [&](int i, int j) -> double& { return S[static_cast<std::size_t>(i) * d + j]; };
  for (int j = 0; j < d; ++j) {
    for (int i = j; i < d; ++i) {
      double s = L(i, j);
      for (int p = 0; p < j; ++p) s -= L(i, p) * L(j, p);
      L(i, j) = i == j ? std::sqrt(s) : s / L(j, j);
    }
  }
  for (int c = 0; c < cols; ++c) {
    auto g = [&](int i) -> double& { return G[static_cast<std::size_t>(i) * cols + c]; };
    for (int i = 0; i < d; ++i) {
      for (int p = 0; p < i; ++p) g(i) -= L(i, p) * g(p);
      g(i) /= L(i, i);
    }
    for (int i = d - 1; i >= 0; --i) {
      for (int p = i + 1; p < d; ++p) g(i) -= L(p, i) * g(p);
      g(i) /= L(i, i);
    }
  }
}

// The LQR cost-to-go X = Q + AᵀXA − AᵀXB (R + BᵀXB)⁻¹ BᵀXA (the discrete
// algebraic Riccati equation), OSQP's terminal cost, by value iteration from
// X = Q. A is stable here, so the iteration converges. Any PSD X would give a
// valid problem, so the step cap only bounds the cost. The upper triangle is
// computed and mirrored: X is exactly symmetric.
std::vector<double> lqr_cost_to_go(const std::vector<double>& A, const std::vector<double>& B,
                                   const std::vector<double>& q_diag, double r, int nx, int nu) {
  auto at = [](const std::vector<double>& M, int cols, int i, int j) {
    return M[static_cast<std::size_t>(i) * cols + j];
  };
  std::vector<double> X(static_cast<std::size_t>(nx) * nx, 0.0);
  for (int i = 0; i < nx; ++i) X[static_cast<std::size_t>(i) * nx + i] = q_diag[i];
  std::vector<double> XA(X.size()), XB(static_cast<std::size_t>(nx) * nu), S(static_cast<std::size_t>(nu) * nu),
      G(static_cast<std::size_t>(nu) * nx), next(X.size());
  constexpr int kMaxSteps = 10000;
  for (int step = 0; step < kMaxSteps; ++step) {
    for (int i = 0; i < nx; ++i) {
      for (int j = 0; j < nx; ++j) {
        double s = 0.0;
        for (int p = 0; p < nx; ++p) s += at(X, nx, i, p) * at(A, nx, p, j);
        XA[static_cast<std::size_t>(i) * nx + j] = s;
      }
      for (int j = 0; j < nu; ++j) {
        double s = 0.0;
        for (int p = 0; p < nx; ++p) s += at(X, nx, i, p) * at(B, nu, p, j);
        XB[static_cast<std::size_t>(i) * nu + j] = s;
      }
    }
    for (int a = 0; a < nu; ++a) {
      for (int c = a; c < nu; ++c) {
        double s = a == c ? r : 0.0;
        for (int p = 0; p < nx; ++p) s += at(B, nu, p, a) * at(XB, nu, p, c);
        S[static_cast<std::size_t>(a) * nu + c] = S[static_cast<std::size_t>(c) * nu + a] = s;
      }
      for (int j = 0; j < nx; ++j) {
        double s = 0.0;
        for (int p = 0; p < nx; ++p) s += at(B, nu, p, a) * at(XA, nx, p, j);
        G[static_cast<std::size_t>(a) * nx + j] = s;  // BᵀXA
      }
    }
    std::vector<double> K = G;
    cholesky_solve(S, nu, K, nx);  // K = (R + BᵀXB)⁻¹ BᵀXA
    double change = 0.0, size = 0.0;
    for (int i = 0; i < nx; ++i) {
      for (int j = i; j < nx; ++j) {
        double s = i == j ? q_diag[i] : 0.0;
        for (int p = 0; p < nx; ++p) s += at(A, nx, p, i) * at(XA, nx, p, j);
        for (int a = 0; a < nu; ++a) s -= at(G, nx, a, i) * at(K, nx, a, j);
        next[static_cast<std::size_t>(i) * nx + j] = next[static_cast<std::size_t>(j) * nx + i] = s;
        change = std::max(change, std::abs(s - at(X, nx, i, j)));
        size = std::max(size, std::abs(s));
      }
    }
    X.swap(next);
    if (change <= 1e-12 * size) break;
  }
  return X;
}

DenseQp control(int n, std::uint64_t seed) {
  const int nx = n, nu = std::max(1, n / 2), T = 10;
  const double r = 0.1;
  Draws draws(seed);
  std::vector<double> Ad = gaussian_matrix(draws, nx, nx, 0.1);
  for (int i = 0; i < nx; ++i) Ad[static_cast<std::size_t>(i) * nx + i] += 1.0;
  const std::vector<double> Bd = gaussian_matrix(draws, nx, nu, 1.0);
  std::vector<double> q_diag(nx), x_max(nx), u_max(nu), x_init(nx);
  for (double& v : q_diag) v = draws.uniform() * (draws.coin(0.7) ? 1.0 : 0.0);  // ~30% of states free
  for (double& v : x_max) v = 1.0 + draws.uniform();
  for (double& v : u_max) v = draws.uniform();
  for (int i = 0; i < nx; ++i) x_init[i] = (draws.uniform() - 0.5) * x_max[i];  // inside the half-size box

  // OSQP pulls A's eigenvalues inside the unit circle, which needs a complex
  // eigensolver and still leaves feasibility to chance. Instead, bound the
  // x_max-weighted ∞-norm of A by 0.99: then |x_t| <= x_max/2 for all t under
  // u = 0 (a strictly feasible trajectory) and A is stable (for the Riccati step).
  double gain = 0.0;
  for (int i = 0; i < nx; ++i) {
    double s = 0.0;
    for (int j = 0; j < nx; ++j) s += std::abs(Ad[static_cast<std::size_t>(i) * nx + j]) * x_max[j];
    gain = std::max(gain, s / x_max[i]);
  }
  if (gain > 0.99)
    for (double& v : Ad) v *= 0.99 / gain;
  const std::vector<double> Q_T = lqr_cost_to_go(Ad, Bd, q_diag, r, nx, nu);

  const int states = (T + 1) * nx;
  auto x_at = [&](int t, int i) { return t * nx + i; };
  auto u_at = [&](int t, int j) { return states + t * nu + j; };
  QpBuilder b(instance_name(ProblemFamily::control, n, seed), states + T * nu, 2 * states + T * nu);
  // Objective Σ x_tᵀQx_t + u_tᵀRu_t + x_TᵀQ_T x_T = ½ vᵀPv with P = 2·blockdiag(Q, …, Q_T, R, …).
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < nx; ++i) b.set_P(x_at(t, i), x_at(t, i), 2.0 * q_diag[i]);
  for (int i = 0; i < nx; ++i)
    for (int j = i; j < nx; ++j) b.set_P(x_at(T, i), x_at(T, j), 2.0 * Q_T[static_cast<std::size_t>(i) * nx + j]);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < nu; ++j) b.set_P(u_at(t, j), u_at(t, j), 2.0 * r);

  for (int i = 0; i < nx; ++i) {  // x_0 = x̄0
    b.A(i, x_at(0, i)) = 1.0;
    b.bounds(i, x_init[i], x_init[i]);
  }
  for (int t = 0; t < T; ++t) {  // x_{t+1} − A x_t − B u_t = 0
    for (int i = 0; i < nx; ++i) {
      const int row = (t + 1) * nx + i;
      b.A(row, x_at(t + 1, i)) = 1.0;
      for (int j = 0; j < nx; ++j) b.A(row, x_at(t, j)) = -Ad[static_cast<std::size_t>(i) * nx + j];
      for (int j = 0; j < nu; ++j) b.A(row, u_at(t, j)) = -Bd[static_cast<std::size_t>(i) * nu + j];
      b.bounds(row, 0.0, 0.0);
    }
  }
  for (int t = 0; t <= T; ++t) {
    for (int i = 0; i < nx; ++i) {
      const int row = states + x_at(t, i);
      b.A(row, x_at(t, i)) = 1.0;
      b.bounds(row, -x_max[i], x_max[i]);
    }
  }
  for (int t = 0; t < T; ++t) {
    for (int j = 0; j < nu; ++j) {
      const int row = states + u_at(t, j);
      b.A(row, u_at(t, j)) = 1.0;
      b.bounds(row, -u_max[j], u_max[j]);
    }
  }
  return b.take();
}

DenseQp lasso(int n, std::uint64_t seed) {
  const int d = kDataPerFeature * n;
  Draws draws(seed);
  const std::vector<double> Ad = sparse_gaussian_matrix(draws, d, n, 0.5);
  std::vector<double> x_true(n);
  for (double& v : x_true) v = sparse_normal(draws, 0.5) / std::sqrt(static_cast<double>(n));
  std::vector<double> rhs(d);
  for (int i = 0; i < d; ++i)
    rhs[i] = dot(Ad.data() + static_cast<std::size_t>(i) * n, x_true.data(), n) + draws.normal();
  double lambda_max = 0.0;  // the smallest λ with solution x = 0
  for (int j = 0; j < n; ++j) {
    double s = 0.0;
    for (int i = 0; i < d; ++i) s += Ad[static_cast<std::size_t>(i) * n + j] * rhs[i];
    lambda_max = std::max(lambda_max, std::abs(s));
  }
  // λ = 0 (only if A_dᵀb = 0) would leave t free above |x|: keep λ positive.
  const double lambda = lambda_max > 0.0 ? lambda_max / 5.0 : 1.0;

  auto y_at = [&](int i) { return n + i; };
  auto t_at = [&](int j) { return n + d + j; };
  QpBuilder b(instance_name(ProblemFamily::lasso, n, seed), 2 * n + d, d + 2 * n);
  for (int i = 0; i < d; ++i) b.set_P(y_at(i), y_at(i), 2.0);
  for (int j = 0; j < n; ++j) b.q(t_at(j)) = lambda;
  for (int i = 0; i < d; ++i) {  // A_d x − y = b
    for (int j = 0; j < n; ++j) b.A(i, j) = Ad[static_cast<std::size_t>(i) * n + j];
    b.A(i, y_at(i)) = -1.0;
    b.bounds(i, rhs[i], rhs[i]);
  }
  for (int j = 0; j < n; ++j) {  // −t <= x <= t
    b.A(d + j, j) = 1.0;
    b.A(d + j, t_at(j)) = -1.0;
    b.bounds(d + j, -kInf, 0.0);
    b.A(d + n + j, j) = 1.0;
    b.A(d + n + j, t_at(j)) = 1.0;
    b.bounds(d + n + j, 0.0, kInf);
  }
  return b.take();
}

DenseQp huber(int n, std::uint64_t seed) {
  const int d = kDataPerFeature * n;
  Draws draws(seed);
  const std::vector<double> Ad = sparse_gaussian_matrix(draws, d, n, 0.5);
  const std::vector<double> x_true = gaussian_matrix(draws, n, 1, 1.0 / std::sqrt(static_cast<double>(n)));

  auto z_at = [&](int i) { return n + i; };
  auto r_at = [&](int i) { return n + d + i; };
  auto s_at = [&](int i) { return n + 2 * d + i; };
  QpBuilder b(instance_name(ProblemFamily::huber, n, seed), n + 3 * d, 3 * d);
  for (int i = 0; i < d; ++i) {
    b.set_P(z_at(i), z_at(i), 1.0);
    b.q(r_at(i)) = 1.0;
    b.q(s_at(i)) = 1.0;
  }
  for (int i = 0; i < d; ++i) {  // A_d x − z − r + s = b: residual = quadratic part + linear tails
    const double* row = Ad.data() + static_cast<std::size_t>(i) * n;
    const double noise = draws.coin(0.95) ? 0.5 * draws.normal() : 10.0 * draws.uniform();  // 5% outliers
    const double rhs = dot(row, x_true.data(), n) + noise;
    for (int j = 0; j < n; ++j) b.A(i, j) = row[j];
    b.A(i, z_at(i)) = -1.0;
    b.A(i, r_at(i)) = -1.0;
    b.A(i, s_at(i)) = 1.0;
    b.bounds(i, rhs, rhs);
    b.A(d + i, r_at(i)) = 1.0;
    b.bounds(d + i, 0.0, kInf);
    b.A(2 * d + i, s_at(i)) = 1.0;
    b.bounds(2 * d + i, 0.0, kInf);
  }
  return b.take();
}

DenseQp svm(int n, std::uint64_t seed) {
  const int d = kDataPerFeature * n;  // n points per class
  const double gamma = 1.0;
  const double root_n = std::sqrt(static_cast<double>(n));
  Draws draws(seed);
  QpBuilder b(instance_name(ProblemFamily::svm, n, seed), n + d, 2 * d);
  for (int j = 0; j < n; ++j) b.set_P(j, j, 1.0);
  for (int i = 0; i < d; ++i) b.q(n + i) = gamma / 2.0;
  for (int i = 0; i < d; ++i) {
    const double label = i < n ? 1.0 : -1.0;
    // t_i >= label·a_iᵀx + 1, a_i's nonzeros shifted by label/n so that the classes separate on average.
    for (int j = 0; j < n; ++j) {
      bool nonzero = false;
      const double a = sparse_normal(draws, 0.15, &nonzero);
      const double feature = nonzero ? a / root_n + label / n : 0.0;
      b.A(i, j) = label * feature;
    }
    b.A(i, n + i) = -1.0;
    b.bounds(i, -kInf, -1.0);
    b.A(d + i, n + i) = 1.0;
    b.bounds(d + i, 0.0, kInf);
  }
  return b.take();
}

// ---------------------------------------------------------------------------
// SOCP family.

DenseQp random_socp(int n, int m, std::uint64_t seed) {
  Draws draws(seed);
  QpBuilder b(instance_name(ProblemFamily::random_socp, n, m, seed), n + 1, n + 1 + m);
  for (int j = 0; j < n; ++j) b.q(j) = draws.normal();
  // The block (t, z) ∈ Q: row 0 is t (variable n), rows 1 … n are z; offsets 0.
  b.A(0, n) = 1.0;
  b.bounds(0, 0.0, kInf);
  for (int j = 0; j < n; ++j) {
    b.A(1 + j, j) = 1.0;
    b.bounds(1 + j, 0.0, kInf);
  }
  // a_iᵀz + t ≤ b_i with ‖a_i‖ ≤ 0.9 < 1, so that ‖z‖(1 − ‖a_i‖) ≤ b_i bounds z.
  for (int i = 0; i < m; ++i) {
    std::vector<double> a = gaussian_matrix(draws, 1, n, 0.5 / std::sqrt(static_cast<double>(n)));
    const double norm = std::sqrt(dot(a.data(), a.data(), n));
    const double shrink = norm > 0.9 ? 0.9 / norm : 1.0;
    for (int j = 0; j < n; ++j) b.A(n + 1 + i, j) = shrink * a[j];
    b.A(n + 1 + i, n) = 1.0;
    b.bounds(n + 1 + i, -kInf, 1.0 + draws.uniform());
  }
  DenseQp qp = b.take();
  qp.cones = {ConeBlock{0, n + 1, ConeKind::second_order}};
  return qp;
}

void require(bool ok, ProblemFamily family, const std::string& message) {
  if (!ok) throw InvalidArgument(std::string("make_benchmark_problem(") + family_name(family) + "): " + message);
}

}  // namespace

const char* family_name(ProblemFamily family) {
  for (const FamilyName& f : kFamilies)
    if (f.family == family) return f.name;
  throw InvalidArgument("family_name: family is not a ProblemFamily value (" +
                        std::to_string(static_cast<int>(family)) + ")");
}

ProblemFamily parse_family(const std::string& name) {
  for (const FamilyName& f : kFamilies)
    if (name == f.name) return f.family;
  throw InvalidArgument("parse_family: unknown problem family '" + name + "'; valid names: " + valid_names());
}

std::vector<ProblemFamily> all_families() {
  std::vector<ProblemFamily> out;
  for (const FamilyName& f : kFamilies) out.push_back(f.family);
  return out;
}

DenseQp make_benchmark_problem(ProblemFamily family, int n, int m, std::uint64_t seed) {
  require(n >= 1, family, "n must be >= 1, got " + std::to_string(n));
  require(m >= 0, family, "m must be >= 0, got " + std::to_string(m));
  switch (family) {
    case ProblemFamily::random_qp:
      return make_random_feasible_qp(n, m, seed);
    case ProblemFamily::equality_qp:
      require(m < n, family, "m must be < n for full-row-rank equalities, got m = " + std::to_string(m) + ", n = " +
                                 std::to_string(n));
      return equality_qp(n, m, seed);
    case ProblemFamily::random_lp:
      require(m < n, family,
              "m must be < n (n equalities alone would fix x), got m = " + std::to_string(m) + ", n = " +
                  std::to_string(n));
      return random_lp(n, m, seed);
    case ProblemFamily::mixed_lp:
      require(m < n, family,
              "m must be < n (like random_lp, whose vertex it generalizes), got m = " + std::to_string(m) +
                  ", n = " + std::to_string(n));
      return mixed_lp(n, m, seed);
    case ProblemFamily::portfolio:
      return portfolio(n, seed);
    case ProblemFamily::control:
      return control(n, seed);
    case ProblemFamily::lasso:
      return lasso(n, seed);
    case ProblemFamily::huber:
      return huber(n, seed);
    case ProblemFamily::svm:
      return svm(n, seed);
    case ProblemFamily::random_socp:
      require(m >= 1, family, "m must be >= 1 (without a row a linear cost over the cone is unbounded), got 0");
      return random_socp(n, m, seed);
  }
  throw InvalidArgument("make_benchmark_problem: family is not a ProblemFamily value (" +
                        std::to_string(static_cast<int>(family)) + ")");
}

}  // namespace bpqp::generators
