// The kernels/ code run by a team of std::threads (the CPU stand-in for a GPU
// block) must give what the one-thread group gives: this checks barrier
// placement and that loop-ending decisions are uniform (a non-uniform one
// deadlocks or diverges here). Run under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <vector>

#include "problems/problem_generators.hpp"
#include "core/admm_params.hpp"
#include "kernels/admm_solve.hpp"
#include "kernels/serial_group.hpp"
#include "kernels/sparse_pcg.hpp"
#include "cpu/sparse_structure.hpp"
#include "support/solver_test_support.hpp"
#include "support/thread_team_group.hpp"

namespace bpqp {
namespace {

struct Solved {
  std::vector<double> x, y;
  kernels::ProblemReport<double> report;
};

template <class Group>
void solve_with(const Group& g, const DenseQp& qp, const kernels::AdmmParams<double>& prm, std::vector<double>& buffer,
                Solved& out) {
  auto ws = kernels::AdmmWorkspace<double>::carve(buffer.data(), qp.n, qp.m);
  kernels::ProblemView<double> view{qp.n, qp.m, qp.P.data(), qp.q.data(), qp.A.data(), qp.l.data(), qp.u.data()};
  kernels::ProblemOutput<double> o;
  o.x = out.x.data();
  o.y = out.y.data();
  o.report = &out.report;
  kernels::admm_solve(g, view, prm, ws, o);
}

Solved solve_with_team(int threads, const DenseQp& qp, const kernels::AdmmParams<double>& prm) {
  Solved out{std::vector<double>(qp.n), std::vector<double>(qp.m), {}};
  std::vector<double> buffer(kernels::AdmmWorkspace<double>::bytes(qp.n, qp.m) / sizeof(double) + 1);
  testing::run_team(threads, [&](const testing::TeamGroup& g) { solve_with(g, qp, prm, buffer, out); });
  return out;
}

Solved solve_serially(const DenseQp& qp, const kernels::AdmmParams<double>& prm) {
  Solved out{std::vector<double>(qp.n), std::vector<double>(qp.m), {}};
  std::vector<double> buffer(kernels::AdmmWorkspace<double>::bytes(qp.n, qp.m) / sizeof(double) + 1);
  solve_with(kernels::SerialGroup{}, qp, prm, buffer, out);
  return out;
}

TEST(ThreadTeam, AdmmSolveMatchesTheOneThreadGroup) {
  const auto prm = detail::to_admm_params<double>(Settings{});
  for (int threads : {2, 3, 4}) {
    for (std::uint64_t seed : {11u, 12u}) {
      generators::PlantedOptions o;
      o.n = 9;
      o.m = 7;
      o.n_equality = 1;
      o.n_active = 3;
      o.n_variable_bounds = 4;
      o.seed = seed;
      const DenseQp qp = generators::make_planted_qp(o).qp;
      const Solved serial = solve_serially(qp, prm);
      const Solved team = solve_with_team(threads, qp, prm);
      SCOPED_TRACE("threads " + std::to_string(threads));
      ASSERT_EQ(serial.report.status, SolveStatus::solved);
      EXPECT_EQ(team.report.status, serial.report.status);
      EXPECT_EQ(team.report.polish, serial.report.polish);
      // Reductions add in another order, so iterates differ by rounding only.
      for (int j = 0; j < qp.n; ++j) EXPECT_NEAR(team.x[j], serial.x[j], 1e-8);
      for (int i = 0; i < qp.m; ++i) EXPECT_NEAR(team.y[i], serial.y[i], 1e-8);
    }
  }
}

// The sparse path's conjugate-gradient solve (kernels/sparse_pcg.hpp: what a GPU block runs on
// the CUDA executor), its CSC arrays built here from a dense problem's non-zeros.
// One problem's CSC arrays and workspace, built once and shared by the team (as a block's are):
// P in full, A and Aᵀ as the sparse path's driver builds them (cpu::make_structure).
struct SparseCase {
  int n, m;
  SparseQp qp;
  cpu::SharedStructure structure;
  std::vector<double> P_full, A, At, block;

  explicit SparseCase(const DenseQp& dense)
      : n(dense.n), m(dense.m), qp(to_sparse(dense)), structure(cpu::make_structure(qp.P.pattern(), qp.A.pattern())) {
    P_full.resize(structure.P_full.row_indices.size());
    A.resize(qp.A.values.size());
    At.resize(qp.A.values.size());
    structure.place_P(qp.P.values.data(), P_full.data());
    structure.place_A(qp.A.values.data(), A.data(), At.data());
    block.assign(static_cast<std::size_t>(kernels::pcg_workspace_doubles(n, m, static_cast<int>(P_full.size()),
                                                                         static_cast<int>(A.size()))),
                 0.0);
  }
};

template <class Group>
void solve_sparse_with(const Group& g, const DenseQp& qp, SparseCase& c, const kernels::AdmmParams<double>& prm,
                       Solved& out) {
  const int n = c.n, m = c.m;
  const cpu::SharedStructure& st = c.structure;
  const CscPattern A_pattern = c.qp.A.pattern();
  kernels::PcgAdmmWorkspace w = kernels::pcg_workspace_over(
      c.block.data(), n, m, st.P_full.col_starts.data(), st.P_full.row_indices.data(), A_pattern.col_starts,
      A_pattern.row_indices, st.At.col_starts.data(), st.At.row_indices.data(), st.At_position.data());
  kernels::SparseProblemView p;
  p.n = n;
  p.m = m;
  p.P = kernels::CscRef<const double>{n, n, st.P_full.col_starts.data(), st.P_full.row_indices.data(),
                                      c.P_full.data()};
  p.A = kernels::CscRef<const double>{m, n, A_pattern.col_starts, A_pattern.row_indices, c.A.data()};
  p.At = kernels::CscRef<const double>{n, m, st.At.col_starts.data(), st.At.row_indices.data(), c.At.data()};
  p.q = qp.q.data();
  p.l = qp.l.data();
  p.u = qp.u.data();
  kernels::ProblemReport<double> report;
  kernels::ProblemOutput<double> o;
  o.x = out.x.data();
  o.y = out.y.data();
  o.report = &out.report;
  kernels::sparse_admm_solve(g, p, prm, w, report, o);
}

TEST(ThreadTeam, SparseConjugateGradientMatchesTheOneThreadGroup) {
  Settings s;
  s.polish = false;
  s.interior_point_fallback = false;
  s.eps_abs = 1e-8;
  s.eps_rel = 1e-8;
  const auto prm = detail::to_admm_params<double>(s);
  for (int threads : {2, 3, 5}) {
    for (std::uint64_t seed : {21u, 22u}) {
      generators::PlantedOptions o;
      o.n = 14;
      o.m = 10;
      o.n_equality = 2;
      o.n_active = 3;
      o.n_variable_bounds = 5;
      o.seed = seed;
      const DenseQp qp = generators::make_planted_qp(o).qp;
      SparseCase serial_case(qp), team_case(qp);
      Solved serial{std::vector<double>(qp.n), std::vector<double>(qp.m), {}};
      solve_sparse_with(kernels::SerialGroup{}, qp, serial_case, prm, serial);
      Solved team{std::vector<double>(qp.n), std::vector<double>(qp.m), {}};
      testing::run_team(threads, [&](const testing::TeamGroup& g) { solve_sparse_with(g, qp, team_case, prm, team); });
      SCOPED_TRACE("threads " + std::to_string(threads) + ", seed " + std::to_string(seed));
      ASSERT_EQ(serial.report.status, SolveStatus::solved);
      EXPECT_EQ(team.report.status, serial.report.status);
      for (int j = 0; j < qp.n; ++j) EXPECT_NEAR(team.x[j], serial.x[j], 1e-6);
      for (int i = 0; i < qp.m; ++i) EXPECT_NEAR(team.y[i], serial.y[i], 1e-5);
    }
  }
}

TEST(ThreadTeam, InteriorPointFallbackMatchesTheOneThreadGroup) {
  Settings s;
  s.max_iter = 10;  // ADMM stops far from the answer; the fallback must produce it
  s.check_every = 5;
  s.interior_point_after = 10;
  s.polish_first_attempt = 0;
  s.polish = false;
  const auto prm = detail::to_admm_params<double>(s);
  generators::PlantedOptions o;
  o.n = 9;
  o.m = 7;
  o.n_equality = 2;
  o.n_active = 3;
  o.n_variable_bounds = 5;
  o.margin = 1e-2;
  o.seed = 5;
  const DenseQp qp = generators::make_planted_qp(o).qp;
  const Solved serial = solve_serially(qp, prm);
  ASSERT_EQ(serial.report.status, SolveStatus::solved);
  ASSERT_GT(serial.report.interior_point_iterations, 0);
  for (int threads : {2, 3}) {
    const Solved team = solve_with_team(threads, qp, prm);
    SCOPED_TRACE("threads " + std::to_string(threads));
    EXPECT_EQ(team.report.status, serial.report.status);
    for (int j = 0; j < qp.n; ++j) EXPECT_NEAR(team.x[j], serial.x[j], 1e-7);
  }
}

// The Group contract the kernels rely on (kernels/serial_group.hpp): a reduction orders
// the memory around it like sync(). Each rank writes its slot, reduces, reads its
// neighbour's slot, reduces again, and only then overwrites its slot; without the
// barrier in the reductions the reads would see stale or future values, and
// ThreadSanitizer (CI) would report the race. The CUDA warp tile keeps the same promise
// with a __syncwarp (src/cuda/tile_group.cuh).
TEST(ThreadTeam, AReductionOrdersTheMemoryAroundItLikeABarrier) {
  constexpr int threads = 4, rounds = 200;
  std::vector<double> slot(threads, 0.0), seen(threads, 0.0);
  testing::run_team(threads, [&](const testing::TeamGroup& g) {
    const int r = g.rank(), neighbour = (r + 1) % threads;
    for (int round = 0; round < rounds; ++round) {
      slot[r] = round * threads + r;  // written before the first reduction …
      g.sum(1.0);
      seen[r] += slot[neighbour] - (round * threads + neighbour);  // … read after it: 0 each round
      g.max(0.0);  // every read done before the next round's writes
    }
  });
  for (int r = 0; r < threads; ++r) EXPECT_EQ(seen[r], 0.0) << "rank " << r;
}

TEST(ThreadTeam, InvalidAndInfeasibleOutcomesAreUniform) {
  const auto prm = detail::to_admm_params<double>(Settings{});
  DenseQp qp = testing::small_infeasible_qp();
  EXPECT_EQ(solve_with_team(3, qp, prm).report.status, SolveStatus::primal_infeasible);
  qp.P = {1, 0, 0, -1};
  const Solved bad = solve_with_team(3, qp, prm);
  EXPECT_EQ(bad.report.status, SolveStatus::invalid_input);
  EXPECT_EQ(bad.report.input_issue, InputIssue::p_not_psd);
}

}  // namespace
}  // namespace bpqp
