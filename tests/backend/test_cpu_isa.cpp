// The CPU kernels' instruction-set variants (include/bpqp/cpu_isa.hpp): names, refusal of
// a variant this machine cannot run, and every variant it can run solving and
// differentiating to the accuracy the generic one promises — while really running other
// code (FMA changes the rounding, so the bits differ).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "support/promised_accuracy.hpp"

namespace bpqp {
namespace {

using generators::make_planted_qp;
using generators::PlantedOptions;
using generators::PlantedQp;

constexpr CpuIsa kAll[] = {CpuIsa::generic, CpuIsa::avx2, CpuIsa::avx512};

// Restores the widest variant when a test that switched variants ends.
struct VariantGuard {
  ~VariantGuard() { set_cpu_isa(best_cpu_isa()); }
};

std::vector<PlantedQp> planted_batch() {
  std::vector<PlantedQp> out;
  for (int k = 0; k < 12; ++k) {
    PlantedOptions o;
    o.n = 40;  // (a batch has uniform sizes)
    o.m = 15;
    o.n_equality = k % 3;
    o.n_active = 2 + k % 4;
    o.seed = 900 + k;
    out.push_back(make_planted_qp(o));
  }
  return out;
}

TEST(CpuIsa, NamesRoundTripAndAreTheOnlyOnesAccepted) {
  for (CpuIsa isa : kAll) EXPECT_EQ(cpu_isa_from_string(to_string(isa)), isa);
  try {
    cpu_isa_from_string("sse9");
    FAIL() << "an unknown variant name was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'sse9'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("generic, avx2, avx512"), std::string::npos) << e.what();
  }
}

TEST(CpuIsa, OnlyAVariantThisMachineRunsCanBeChosen) {
  VariantGuard guard;
  EXPECT_TRUE(cpu_isa_supported(CpuIsa::generic));
  EXPECT_TRUE(cpu_isa_supported(best_cpu_isa()));
  set_cpu_isa(CpuIsa::generic);
  EXPECT_EQ(cpu_isa(), CpuIsa::generic);
  for (CpuIsa isa : kAll) {
    SCOPED_TRACE(to_string(isa));
    if (cpu_isa_supported(isa)) {
      set_cpu_isa(isa);
      EXPECT_EQ(cpu_isa(), isa);
    } else {
      const CpuIsa before = cpu_isa();
      EXPECT_THROW(set_cpu_isa(isa), std::invalid_argument);
      EXPECT_EQ(cpu_isa(), before) << "a refused variant must leave the choice alone";
    }
  }
}

template <class T>
void expect_every_variant_as_accurate() {
  VariantGuard guard;
  const std::vector<PlantedQp> planted = planted_batch();
  std::vector<DenseQp> problems;
  for (const PlantedQp& p : planted) problems.push_back(p.qp);
  const auto batch = QpBatch<T>::from_problems(problems);
  const int n = batch.view().n;
  std::vector<T> dl_dx(static_cast<std::size_t>(problems.size()) * n);
  for (std::size_t i = 0; i < dl_dx.size(); ++i) dl_dx[i] = T(std::sin(0.7 * static_cast<double>(i)));

  Gradients<T> generic_grad;
  SolveResult<T> generic_fwd;
  for (CpuIsa isa : kAll) {
    if (!cpu_isa_supported(isa)) continue;
    SCOPED_TRACE(std::string("variant ") + to_string(isa));
    set_cpu_isa(isa);
    Solver<T> solver(Executor::cpu(1), Settings{});
    const SolveResult<T> fwd = solver.solve(batch.view());
    for (int b = 0; b < fwd.batch; ++b)
      testing::expect_answer_as_promised(problems[b], fwd, b, planted[b].x_star, planted[b].y_star);
    const Gradients<T> grad = backward(Executor::cpu(1), batch.view(), fwd, dl_dx.data());
    for (int b = 0; b < fwd.batch; ++b) EXPECT_EQ(grad.status[b], BackwardStatus::ok) << "problem " << b;
    if (isa == CpuIsa::generic) {
      generic_fwd = fwd;
      generic_grad = grad;
      continue;
    }
    // The gradient is a smooth function of the (polished, rounding-level) solution: every
    // variant's agrees with generic's to the polished solution's promise.
    const double bound = testing::promised<T>(PolishStatus::succeeded).solution;
    double scale = 1.0, diff = 0.0;
    for (std::size_t i = 0; i < grad.dq.size(); ++i) {
      scale = std::max(scale, std::abs(static_cast<double>(generic_grad.dq[i])));
      diff = std::max(diff, std::abs(static_cast<double>(grad.dq[i]) - static_cast<double>(generic_grad.dq[i])));
    }
    EXPECT_LE(diff / scale, bound) << "dL/dq differs from the generic variant's";
    // Different code really ran: contracted multiply-adds round differently somewhere.
    bool same_bits = fwd.x == generic_fwd.x && fwd.y == generic_fwd.y && grad.dq == generic_grad.dq;
    EXPECT_FALSE(same_bits) << "the " << to_string(isa) << " variant returned the generic variant's exact bits: "
                            << "is the dispatch running the generic kernels?";
  }
}

TEST(CpuIsa, EveryVariantThisMachineRunsSolvesAndDifferentiatesAsPromisedDouble) {
  expect_every_variant_as_accurate<double>();
}
TEST(CpuIsa, EveryVariantThisMachineRunsSolvesAndDifferentiatesAsPromisedFloat) {
  expect_every_variant_as_accurate<float>();
}

}  // namespace
}  // namespace bpqp
