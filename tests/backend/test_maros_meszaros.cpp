// All 40 Maros–Mészáros problems of tests/data/maros_meszaros through the QPS reader and the
// solver at eps 1e-6, one test each: solved, an optimality certificate at the accuracy reached,
// and the published optimal objective to the precision reference.csv gives it.
// The problems with n + m > 300 are instantiated apart (LargeMarosMeszaros/…): a minute each for
// the largest (dense storage, README), so scripts/sanitize.sh leaves them out.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bpqp/bpqp.hpp"
#include "bpqp/io/qps_reader.hpp"
#include "support/kkt_certificate.hpp"
#include "support/solver_test_support.hpp"

namespace bpqp {
namespace {

struct Reference {
  std::string name;
  int n, m;
  double objective;
  double rounding;  // half a unit in the last significant digit that reference.csv prints
};

// Half a unit in the last nonzero digit of a decimal number as written ("7456631500.0" → 50,
// "0.033733676" → 5e-10): the published optima carry 8 significant digits, so the rounding of
// the reference itself is the tightest objective test there can be.
double half_unit_of_last_digit(const std::string& text) {
  const std::size_t e = text.find_first_of("eE");
  const std::string mantissa = text.substr(0, e);
  const int exponent = e == std::string::npos ? 0 : std::stoi(text.substr(e + 1));
  const std::size_t dot = mantissa.find('.');
  const std::size_t last = mantissa.find_last_of("123456789");
  if (last == std::string::npos) return 0.5;  // zero
  const std::size_t units = dot == std::string::npos ? mantissa.size() - 1 : dot - 1;  // position of 10⁰
  const int power = last > units ? -static_cast<int>(last - units - (dot == std::string::npos ? 0 : 1))
                                 : static_cast<int>(units - last);
  return 0.5 * std::pow(10.0, power + exponent);
}

std::vector<Reference> references(bool large) {
  std::ifstream in(std::string(BPQP_MAROS_MESZAROS_DIR) + "/reference.csv");
  std::vector<Reference> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string name, n, m, neq, obj;
    std::getline(ss, name, ',');
    std::getline(ss, n, ',');
    std::getline(ss, m, ',');
    std::getline(ss, neq, ',');
    std::getline(ss, obj, ',');
    Reference r{name, std::stoi(n), std::stoi(m), std::stod(obj), half_unit_of_last_digit(obj)};
    if ((r.n + r.m > 300) == large) out.push_back(r);
  }
  return out;
}

TEST(MarosMeszarosReference, RoundingOfThePublishedDigits) {
  EXPECT_DOUBLE_EQ(half_unit_of_last_digit("7456631500.0"), 50.0);
  EXPECT_DOUBLE_EQ(half_unit_of_last_digit("0.033733676"), 5e-10);
  EXPECT_DOUBLE_EQ(half_unit_of_last_digit("-99.96"), 0.005);
  EXPECT_DOUBLE_EQ(half_unit_of_last_digit("5.7310705e-07"), 5e-15);
  EXPECT_DOUBLE_EQ(half_unit_of_last_digit("820155.43"), 0.005);
  EXPECT_DOUBLE_EQ(half_unit_of_last_digit("-101693640.0"), 5.0);
  EXPECT_EQ(references(false).size() + references(true).size(), 40u) << "reference.csv not found or incomplete";
}

class MarosMeszaros : public ::testing::TestWithParam<Reference> {};

// Measured over the 40 at eps 1e-6 on this project's CPU build (the test prints each problem's
// figure): the worst certificate entry is 1.5e-7 (QSCRS8); most polished answers reach 1e-13 or
// better, HS268 4.9e-9 (cond(P) ≈ 1.2e6, README's known limitations). Bound: eps = 1e-6, 6.7×
// the worst figure. (A bound per polish status is the next step: ADMM points end near eps.)
constexpr double kCertificateBound = 1e-6;

TEST_P(MarosMeszaros, ReachesTheReferenceObjectiveWithACertificate) {
  const Reference& ref = GetParam();
  const DenseQp qp = io::read_qps(std::string(BPQP_MAROS_MESZAROS_DIR) + "/" + ref.name + ".QPS");
  Settings s;
  s.eps_abs = 1e-6;
  s.eps_rel = 1e-6;
  const auto r = Solver<double>(Executor::cpu(1), s).solve(QpBatch<double>::from_problems({qp}).view());
  ASSERT_EQ(r.status[0], SolveStatus::solved);
  // No independent solution to bound ‖x*‖∞ with: the answer's own size sets the scales here
  // (the objective test below is the independent check).
  const auto c = testing::certify_optimality(qp, r.x_of(0), r.y_of(0),
                                             testing::certificate_scales(qp, std::max(1.0, testing::inf_norm(r.x_of(0), qp.n))));
  EXPECT_LE(c.worst(), kCertificateBound) << c << "; polish " << to_string(r.polish[0]);
  // The published optima are rounded, or truncated, to 8 digits (PRIMAL4's is one unit off that
  // of DUAL4, its dual twin): allowed 1.5 units of the last printed digit — measured worst 1.18
  // units (PRIMAL4). The objective is also a sum of terms that may cancel (HS268: ½xᵀPx + qᵀx ≈
  // −14463 plus the constant 14463 give 5.7e-7), which double precision cannot evaluate below
  // the conditioning of x times a few ulp of those terms: allowed 1e-9 of the largest term —
  // measured 5.9e-10 on HS268, the one problem where it matters.
  double px_x = 0, q_x = 0;
  for (int i = 0; i < qp.n; ++i) {
    double pxi = 0;
    for (int j = 0; j < qp.n; ++j) pxi += qp.P[static_cast<std::size_t>(i) * qp.n + j] * r.x_of(0)[j];
    px_x += 0.5 * r.x_of(0)[i] * pxi;
    q_x += qp.q[i] * r.x_of(0)[i];
  }
  const double terms = std::max({std::abs(px_x), std::abs(q_x), std::abs(qp.objective_constant)});
  const double objective = r.objective[0] + qp.objective_constant;
  std::printf("[ MM ] %-9s %-12s certificate %.1e, objective off by %.2f units of the last digit, %.1e of the terms\n",
              ref.name.c_str(), to_string(r.polish[0]), c.worst(), std::abs(objective - ref.objective) / (2 * ref.rounding),
              std::abs(objective - ref.objective) / terms);
  EXPECT_NEAR(objective, ref.objective, 3 * ref.rounding + 1e-9 * terms);
}

std::string name_of(const ::testing::TestParamInfo<Reference>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Small, MarosMeszaros, ::testing::ValuesIn(references(false)), name_of);
INSTANTIATE_TEST_SUITE_P(Large, MarosMeszaros, ::testing::ValuesIn(references(true)), name_of);

}  // namespace
}  // namespace bpqp
