// When the forward solve first tries to polish (kernels/admm_solve.hpp,
// first_polish_iteration): at the setting for small problems, later where an attempt
// costs many iterations, never when in-loop polishing is off.
#include <gtest/gtest.h>

#include "kernels/admm_solve.hpp"

namespace bpqp::kernels {
namespace {

TEST(PolishSchedule, SmallProblemsPolishAtTheSetting) {
  AdmmParams<double> prm;
  prm.polish_first_attempt = 25;
  EXPECT_EQ(first_polish_iteration(100, 20, prm), 25);
  EXPECT_EQ(first_polish_iteration(20, 1001, prm), 25) << "many rows, few variables: a vertex has at most n active";
}

TEST(PolishSchedule, AnExpensiveAttemptWaitsForHalfItsCostInIterations) {
  AdmmParams<double> prm;
  prm.polish_first_attempt = 25;
  const int n = 1350, m = 147;
  const double rows = n + m;
  const double attempt = (rows * rows * rows + double(n) * n * n) / 6.0, iteration = double(n) * n + 2.0 * n * m;
  const int first = first_polish_iteration(n, m, prm);
  EXPECT_GT(first, 25);
  EXPECT_NEAR(first, 0.5 * attempt / iteration, 1.0);
}

TEST(PolishSchedule, ZeroMeansOnlyAtTheEnd) {
  AdmmParams<double> prm;
  prm.polish_first_attempt = 0;
  EXPECT_EQ(first_polish_iteration(1350, 147, prm), 0);
}

}  // namespace
}  // namespace bpqp::kernels
