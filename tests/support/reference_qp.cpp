// Primal-dual interior-point reference solver (Mehrotra predictor-corrector),
// in the form of Vandenberghe's CVXOPT coneqp notes / Nocedal & Wright §16.6.
#include "support/reference_qp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Dense>

#include "support/kkt_certificate.hpp"

namespace bpqp::testing {
namespace {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;

constexpr int kMaxIterations = 200;
// Fraction of the way to the boundary of s, z > 0 that a step may go.
constexpr double kStepToBoundary = 0.99;
// Regularization of the factored matrices, removed again by iterative
// refinement: it keeps the factorization defined when equality rows are redundant.
constexpr double kRegularization = 1e-11;
constexpr int kRefinementSteps = 3;
// A refined Newton solve whose residual is above this (relative to its
// right-hand side) is redone in the augmented form.
constexpr double kSolveAccuracy = 1e-10;

// The QP rewritten for the interior-point method:
//   minimize ½xᵀPx + qᵀx   s.t.   E x = b,   G x + s = h,  s >= 0.
// A finite u_i gives the row A_i x <= u_i, a finite l_i the row −A_i x <= −l_i;
// rows with l_i = u_i go to E; rows with both bounds infinite are dropped.
struct StandardForm {
  Matrix P;
  Vector q;
  Matrix E;
  Vector b;
  Matrix G;
  Vector h;
  std::vector<int> equality_row;     // original row of each row of E
  std::vector<int> inequality_row;   // original row of each row of G
  std::vector<double> inequality_sign;  // +1: from u_i, −1: from l_i
};

StandardForm to_standard_form(const DenseQp& qp) {
  const int n = qp.n;
  StandardForm f;
  f.P = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(qp.P.data(), n, n);
  f.q = Eigen::Map<const Vector>(qp.q.data(), n);
  for (int i = 0; i < qp.m; ++i) {
    if (qp.l[i] == qp.u[i]) {
      f.equality_row.push_back(i);
      continue;
    }
    if (std::isfinite(qp.u[i])) {
      f.inequality_row.push_back(i);
      f.inequality_sign.push_back(1.0);
    }
    if (std::isfinite(qp.l[i])) {
      f.inequality_row.push_back(i);
      f.inequality_sign.push_back(-1.0);
    }
  }
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> A(qp.A.data(),
                                                                                                  qp.m, n);
  const int me = static_cast<int>(f.equality_row.size());
  const int mi = static_cast<int>(f.inequality_row.size());
  f.E.resize(me, n);
  f.b.resize(me);
  for (int k = 0; k < me; ++k) {
    f.E.row(k) = A.row(f.equality_row[k]);
    f.b(k) = qp.u[f.equality_row[k]];
  }
  f.G.resize(mi, n);
  f.h.resize(mi);
  for (int k = 0; k < mi; ++k) {
    const int i = f.inequality_row[k];
    const double sign = f.inequality_sign[k];
    f.G.row(k) = sign * A.row(i);
    f.h(k) = sign > 0 ? qp.u[i] : -qp.l[i];
  }
  return f;
}

double inf_norm(const Vector& v) { return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>(); }

struct Iterate {
  Vector x, nu, z, s;
};

struct Direction {
  Vector dx, dnu, dz, ds;
};

// Right-hand side of the linearized KKT system solved at every step:
//   P dx + Eᵀdν + Gᵀdz = rx,   E dx = re,   G dx + ds = rp,   Z ds + S dz = rc.
struct NewtonRhs {
  Vector rx, re, rp, rc;
};

// The system above is solved in one of two factored forms, both refined
// against the full system so that the regularization and the rounding of the
// factorization do not show in the direction:
//  - condensed, by eliminating ds = rp − G dx and dz = S⁻¹(rc − Z rp) + W G dx
//    (W = Z S⁻¹):
//      [P + Gᵀ W G   Eᵀ] [dx]   [rx − Gᵀ S⁻¹(rc − Z rp)]
//      [E            0 ] [dν] = [re                    ]
//    small (n + me) and enough for most iterations;
//  - augmented, eliminating only ds = Z⁻¹(rc − S dz):
//      [P   Eᵀ  Gᵀ     ] [dx]   [rx          ]
//      [E   0   0      ] [dν] = [re          ]
//      [G   0   −S Z⁻¹ ] [dz]   [rp − Z⁻¹ rc ]
//    larger (n + me + mi), used when the condensed solve cannot be refined to
//    kSolveAccuracy: near the solution W spans ~20 orders of magnitude and
//    Gᵀ W G swamps P, which the augmented form never forms.
// Both are symmetric indefinite: LU with partial pivoting.
class NewtonSystem {
 public:
  explicit NewtonSystem(const StandardForm& f)
      : f_(f),
        n_(static_cast<int>(f.P.rows())),
        me_(static_cast<int>(f.E.rows())),
        mi_(static_cast<int>(f.G.rows())) {}

  void factor(const Vector& s, const Vector& z) {
    s_ = s;
    z_ = z;
    Matrix K = Matrix::Zero(n_ + me_, n_ + me_);
    K.topLeftCorner(n_, n_) = f_.P + f_.G.transpose() * z.cwiseQuotient(s).asDiagonal() * f_.G;
    K.topRightCorner(n_, me_) = f_.E.transpose();
    K.bottomLeftCorner(me_, n_) = f_.E;
    regularize(K);
    condensed_.compute(K);
    augmented_ready_ = false;
  }

  Direction solve(const NewtonRhs& rhs) {
    Direction d = refined_solve(rhs, false);
    if (relative_residual(rhs, d) <= kSolveAccuracy) return d;
    if (!augmented_ready_) factor_augmented();
    return refined_solve(rhs, true);
  }

 private:
  void regularize(Matrix& K) const {
    K.topLeftCorner(n_, n_).diagonal().array() += kRegularization;
    K.block(n_, n_, me_, me_).diagonal().array() -= kRegularization;
  }

  void factor_augmented() {
    const int size = n_ + me_ + mi_;
    Matrix K = Matrix::Zero(size, size);
    K.topLeftCorner(n_, n_) = f_.P;
    K.block(0, n_, n_, me_) = f_.E.transpose();
    K.block(n_, 0, me_, n_) = f_.E;
    K.block(0, n_ + me_, n_, mi_) = f_.G.transpose();
    K.block(n_ + me_, 0, mi_, n_) = f_.G;
    K.bottomRightCorner(mi_, mi_).diagonal() = -s_.cwiseQuotient(z_);
    regularize(K);
    augmented_.compute(K);
    augmented_ready_ = true;
  }

  Direction refined_solve(const NewtonRhs& rhs, bool augmented) const {
    Direction d = augmented ? solve_augmented(rhs) : solve_condensed(rhs);
    for (int k = 0; k < kRefinementSteps; ++k) {
      const NewtonRhs r = residual(rhs, d);
      const Direction correction = augmented ? solve_augmented(r) : solve_condensed(r);
      d.dx += correction.dx;
      d.dnu += correction.dnu;
      d.dz += correction.dz;
      d.ds += correction.ds;
    }
    return d;
  }

  Direction solve_condensed(const NewtonRhs& r) const {
    Direction d;
    const Vector t = (r.rc - z_.cwiseProduct(r.rp)).cwiseQuotient(s_);
    Vector rhs(n_ + me_);
    rhs << r.rx - f_.G.transpose() * t, r.re;
    const Vector sol = condensed_.solve(rhs);
    d.dx = sol.head(n_);
    d.dnu = sol.tail(me_);
    const Vector g_dx = f_.G * d.dx;
    d.dz = t + z_.cwiseQuotient(s_).cwiseProduct(g_dx);
    d.ds = r.rp - g_dx;
    return d;
  }

  Direction solve_augmented(const NewtonRhs& r) const {
    Direction d;
    Vector rhs(n_ + me_ + mi_);
    rhs << r.rx, r.re, r.rp - r.rc.cwiseQuotient(z_);
    const Vector sol = augmented_.solve(rhs);
    d.dx = sol.head(n_);
    d.dnu = sol.segment(n_, me_);
    d.dz = sol.tail(mi_);
    d.ds = (r.rc - s_.cwiseProduct(d.dz)).cwiseQuotient(z_);
    return d;
  }

  NewtonRhs residual(const NewtonRhs& r, const Direction& d) const {
    return {r.rx - (f_.P * d.dx + f_.E.transpose() * d.dnu + f_.G.transpose() * d.dz), r.re - f_.E * d.dx,
            r.rp - (f_.G * d.dx + d.ds), r.rc - (z_.cwiseProduct(d.ds) + s_.cwiseProduct(d.dz))};
  }

  // ‖residual‖∞ / ‖rhs‖∞ over all four blocks (NaN when the solve broke down).
  double relative_residual(const NewtonRhs& rhs, const Direction& d) const {
    const NewtonRhs r = residual(rhs, d);
    const double res = std::max({inf_norm(r.rx), inf_norm(r.re), inf_norm(r.rp), inf_norm(r.rc)});
    const double ref = std::max({inf_norm(rhs.rx), inf_norm(rhs.re), inf_norm(rhs.rp), inf_norm(rhs.rc)});
    return ref > 0.0 ? res / ref : res;
  }

  const StandardForm& f_;
  int n_;
  int me_;
  int mi_;
  Vector s_, z_;
  Eigen::PartialPivLU<Matrix> condensed_;
  Eigen::PartialPivLU<Matrix> augmented_;
  bool augmented_ready_ = false;
};

struct Residuals {
  Vector dual;      // Px + q + Eᵀν + Gᵀz
  Vector equality;  // Ex − b
  Vector primal;    // Gx + s − h
};

Residuals residuals(const StandardForm& f, const Iterate& it) {
  return {f.P * it.x + f.q + f.E.transpose() * it.nu + f.G.transpose() * it.z, f.E * it.x - f.b,
          f.G * it.x + it.s - f.h};
}

// Largest of the relative primal, dual and complementarity errors; the
// iterate is converged when it is <= tol.
double kkt_error(const StandardForm& f, const Iterate& it, const Residuals& r) {
  const double primal_scale =
      1.0 + std::max({inf_norm(f.E * it.x), inf_norm(f.b), inf_norm(f.G * it.x), inf_norm(f.h)});
  const double dual_scale = 1.0 + std::max({inf_norm(f.P * it.x), inf_norm(f.q), inf_norm(f.E.transpose() * it.nu),
                                            inf_norm(f.G.transpose() * it.z)});
  const double primal = std::max(inf_norm(r.equality), inf_norm(r.primal)) / primal_scale;
  const double dual = inf_norm(r.dual) / dual_scale;
  // Per-row products, not their mean: the error of x on an active row is s_i itself.
  const double complementarity = inf_norm(it.s.cwiseProduct(it.z)) / (1.0 + inf_norm(it.z));
  const double error = std::max({primal, dual, complementarity});
  return std::isfinite(error) ? error : std::numeric_limits<double>::infinity();
}

// Newton direction towards residuals 0 and s∘z + Z ds + S dz = s∘z + rc.
Direction newton_direction(NewtonSystem& system, const Residuals& r, const Vector& rc) {
  return system.solve({-r.dual, -r.equality, -r.primal, rc});
}

// Largest alpha >= 0 with v + alpha·dv >= 0 (infinite if nothing blocks).
double max_step(const Vector& v, const Vector& dv) {
  double alpha = std::numeric_limits<double>::infinity();
  for (int i = 0; i < v.size(); ++i)
    if (dv(i) < 0.0) alpha = std::min(alpha, -v(i) / dv(i));
  return alpha;
}

double step_length(const Iterate& it, const Direction& d) {
  return std::min(max_step(it.s, d.ds), max_step(it.z, d.dz));
}

// Moves v into the interior as CVXOPT's coneqp does: unchanged if already
// positive, otherwise shifted so that its smallest entry becomes 1.
void shift_into_interior(Vector& v) {
  if (v.size() == 0) return;
  const double most_negative = -v.minCoeff();
  if (most_negative >= 0.0) v.array() += 1.0 + most_negative;
}

// Starting point (CVXOPT's coneqp): x minimizes ½xᵀPx + qᵀx + ½‖Gx − h‖²
// subject to Ex = b — the Newton system at s = z = 1 — then s = h − Gx and
// z = Gx − h, both shifted into the interior.
Iterate initial_point(const StandardForm& f, NewtonSystem& system) {
  const int mi = static_cast<int>(f.G.rows());
  system.factor(Vector::Ones(mi), Vector::Ones(mi));
  const Direction d = system.solve({-f.q, f.b, f.h, Vector::Zero(mi)});
  Iterate it{d.dx, d.dnu, d.dz, d.ds};
  shift_into_interior(it.s);
  shift_into_interior(it.z);
  return it;
}

bool all_finite(const Iterate& it) {
  return it.x.allFinite() && it.nu.allFinite() && it.z.allFinite() && it.s.allFinite();
}

// One predictor-corrector step from `it`, factoring the Newton system anew.
void mehrotra_step(const StandardForm& f, NewtonSystem& system, Iterate& it, const Residuals& r) {
  const double mi = static_cast<double>(f.G.rows());
  system.factor(it.s, it.z);

  // Predictor: the affine-scaling direction (target s∘z = 0).
  const Vector sz = it.s.cwiseProduct(it.z);
  const Direction affine = newton_direction(system, r, -sz);
  const double alpha_affine = std::min(1.0, step_length(it, affine));

  // Corrector: centre with Mehrotra's sigma = (mu_affine / mu)^3 and cancel the
  // second-order term ds_aff∘dz_aff that the predictor ignored.
  Vector rc = -sz;
  if (mi > 0) {
    const double mu = it.s.dot(it.z) / mi;
    const double mu_affine = (it.s + alpha_affine * affine.ds).dot(it.z + alpha_affine * affine.dz) / mi;
    const double sigma = std::pow(std::max(mu_affine, 0.0) / mu, 3);
    rc.array() += sigma * mu;
    rc -= affine.ds.cwiseProduct(affine.dz);
  }
  const Direction d = newton_direction(system, r, rc);
  const double alpha = std::min(1.0, kStepToBoundary * step_length(it, d));
  it.x += alpha * d.dx;
  it.nu += alpha * d.dnu;
  it.z += alpha * d.dz;
  it.s += alpha * d.ds;
}

struct IpmResult {
  Iterate best;  // the iterate with the smallest kkt_error seen
  double error = std::numeric_limits<double>::infinity();
  int iterations = 0;
};

// Runs until kkt_error <= tol, or until the best error has not improved by 10%
// for kPatience iterations. Infeasible-start iterations may wander for a dozen
// steps before converging (PRIMALC2 of Maros–Mészáros does), hence the
// generous patience; past the accuracy that double precision allows, further
// steps only make the iterate worse, hence keeping the best one.
IpmResult run_ipm(const StandardForm& f, double tol) {
  constexpr int kPatience = 30;
  NewtonSystem system(f);
  Iterate it = initial_point(f, system);
  IpmResult result;
  int since_best = 0;
  for (int iteration = 0; iteration <= kMaxIterations && all_finite(it); ++iteration) {
    const Residuals r = residuals(f, it);
    const double error = kkt_error(f, it, r);
    if (error < result.error) {
      since_best = error < 0.9 * result.error ? 0 : since_best + 1;
      result.best = it;
      result.error = error;
      result.iterations = iteration;
    } else {
      ++since_best;
    }
    if (error <= tol || iteration == kMaxIterations || since_best >= kPatience) break;
    mehrotra_step(f, system, it, r);
  }
  return result;
}

ReferenceSolution to_solution(const DenseQp& qp, const StandardForm& f, const Iterate& it) {
  ReferenceSolution out;
  out.x.assign(it.x.data(), it.x.data() + qp.n);
  out.y.assign(qp.m, 0.0);
  for (size_t k = 0; k < f.equality_row.size(); ++k) out.y[f.equality_row[k]] = it.nu(static_cast<int>(k));
  // y = z_upper − z_lower: the multiplier of A_i x <= u_i enters Aᵀy with +, that of −A_i x <= −l_i with −.
  for (size_t k = 0; k < f.inequality_row.size(); ++k)
    out.y[f.inequality_row[k]] += f.inequality_sign[k] * it.z(static_cast<int>(k));
  return out;
}

// ---------------------------------------------------------------------------
// Active-set finish. The interior point's error in x and y is about
// (complementarity) × cond(KKT), i.e. 1e-10 × cond; where the IPM identified
// the active set, solving the equality-constrained KKT system of that set
// gives the solution to rounding × cond instead. The result is accepted only if
// it passes the full KKT test below, so a wrong active set is never taken.

// Tight rows guessed from the IPM: equalities, and inequalities with s_k < z_k.
// Returns, per original row, the bound it is held at (NaN: not tight).
std::vector<double> guess_tight_bounds(const DenseQp& qp, const StandardForm& f, const Iterate& it) {
  std::vector<double> bound(qp.m, std::numeric_limits<double>::quiet_NaN());
  for (int i : f.equality_row) bound[i] = qp.u[i];
  for (size_t k = 0; k < f.inequality_row.size(); ++k) {
    const int i = f.inequality_row[k];
    if (it.s(static_cast<int>(k)) < it.z(static_cast<int>(k)))
      bound[i] = f.inequality_sign[k] > 0 ? qp.u[i] : qp.l[i];
  }
  return bound;
}

// Solves  [P  A_Tᵀ; A_T  0] [x; y_T] = [−q; bound_T]  (regularized, refined).
bool solve_on_active_set(const DenseQp& qp, const StandardForm& f, const std::vector<double>& bound,
                         ReferenceSolution& out) {
  const int n = qp.n;
  std::vector<int> tight;
  for (int i = 0; i < qp.m; ++i)
    if (!std::isnan(bound[i])) tight.push_back(i);
  const int t = static_cast<int>(tight.size());
  Matrix K = Matrix::Zero(n + t, n + t);
  Vector rhs(n + t);
  K.topLeftCorner(n, n) = f.P;
  rhs.head(n) = -f.q;
  for (int k = 0; k < t; ++k) {
    for (int j = 0; j < n; ++j) K(n + k, j) = K(j, n + k) = qp.A[static_cast<size_t>(tight[k]) * n + j];
    rhs(n + k) = bound[tight[k]];
  }
  Matrix regularized = K;
  regularized.topLeftCorner(n, n).diagonal().array() += kRegularization;
  regularized.bottomRightCorner(t, t).diagonal().array() -= kRegularization;
  const Eigen::PartialPivLU<Matrix> lu(regularized);
  Vector sol = lu.solve(rhs);
  for (int k = 0; k < kRefinementSteps; ++k) sol += lu.solve(rhs - K * sol);
  if (!sol.allFinite()) return false;
  out.x.assign(sol.data(), sol.data() + n);
  out.y.assign(qp.m, 0.0);
  for (int k = 0; k < t; ++k) out.y[tight[k]] = sol(n + k);
  return true;
}

// KKT test on the original rows, in the sign convention of DESIGN.md §1.
bool passes_kkt(const DenseQp& qp, const ReferenceSolution& s, double tol) {
  const KktResiduals r = kkt_residuals(qp, s.x.data(), s.y.data());
  const double scale = 1.0 + std::max(r.primal_scale, r.dual_scale);
  return r.primal <= tol * (1.0 + r.primal_scale) && r.dual <= tol * (1.0 + r.dual_scale) &&
         r.complementarity <= tol * scale;
}

}  // namespace

ReferenceSolution reference_solve(const DenseQp& qp, double tol, bool active_set_finish) {
  const StandardForm f = to_standard_form(qp);
  const IpmResult ipm = run_ipm(f, tol);

  ReferenceSolution out = to_solution(qp, f, ipm.best);
  out.converged = ipm.error <= tol;
  ReferenceSolution polished;
  if (active_set_finish && all_finite(ipm.best) && solve_on_active_set(qp, f, guess_tight_bounds(qp, f, ipm.best), polished) &&
      passes_kkt(qp, polished, tol)) {
    out.x = polished.x;
    out.y = polished.y;
    out.converged = true;
    out.polished = true;
  }
  out.objective = objective(qp, out.x.data());
  out.iterations = ipm.iterations;
  return out;
}

}  // namespace bpqp::testing
