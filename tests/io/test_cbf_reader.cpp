// CBF reader (the LP/SOCP subset): the layout it produces from each cone of the CON and VAR
// sections, OBJSENSE and OBJBCOORD, and errors that name their line — also for what is outside
// the subset (integers, PSD, exponential and power cones).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "bpqp/errors.hpp"
#include "bpqp/io/cbf_reader.hpp"
#include "support/parse_errors.hpp"
#include "support/same_cones.hpp"

namespace {

using bpqp::ConeKind;
using bpqp::DenseQp;
using bpqp::ParseError;

constexpr double kInf = std::numeric_limits<double>::infinity();

DenseQp parse(const std::string& text) {
  std::istringstream in(text);
  return bpqp::io::parse_cbf(in, "test.cbf");
}

void expect_error(const std::string& text, long line, const std::string& reason) {
  bpqp::testing::expect_parse_error(parse, text, "test.cbf", line, reason);
}

double at(const DenseQp& qp, int row, int column) { return qp.A[static_cast<std::size_t>(row) * qp.n + column]; }

TEST(CbfReader, ConstraintConesBecomeBoxRowsAndConeBlocks) {
  const DenseQp qp = bpqp::io::read_cbf(std::string(BPQP_TEST_DATA_DIR) + "/cbf/cqo1.cbf");
  EXPECT_EQ(qp.name, "cqo1.cbf");
  ASSERT_EQ(qp.n, 6);
  ASSERT_EQ(qp.m, 7 + 3);  // the CON rows, then x0..x2 ≥ 0 as identity rows
  EXPECT_EQ(qp.l[0], 1.0);  // x1 + x2 + 2x3 − 1 = 0
  EXPECT_EQ(qp.u[0], 1.0);
  EXPECT_EQ(at(qp, 0, 2), 2.0);
  ASSERT_EQ(qp.cones.size(), 2u);
  EXPECT_EQ(qp.cones[0].first_row, 1);
  EXPECT_EQ(qp.cones[0].dim, 3);
  EXPECT_EQ(qp.cones[0].kind, ConeKind::second_order);
  EXPECT_EQ(qp.cones[1].first_row, 4);
  EXPECT_EQ(qp.cones[1].kind, ConeKind::rotated_second_order);
  for (int r = 1; r < 7; ++r) {
    EXPECT_EQ(qp.l[r], 0.0) << r;
    EXPECT_EQ(qp.u[r], kInf) << r;
  }
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(at(qp, 7 + j, j), 1.0);
    EXPECT_EQ(qp.l[7 + j], 0.0);
    EXPECT_EQ(qp.u[7 + j], kInf);
  }
  EXPECT_EQ(qp.q, (std::vector<double>{0, 0, 0, 1, 1, 1}));
  for (double p : qp.P) EXPECT_EQ(p, 0.0);
}

TEST(CbfReader, VariableConesOtherRowKindsAndTheObjectiveConstant) {
  const DenseQp qp = bpqp::io::read_cbf(std::string(BPQP_TEST_DATA_DIR) + "/cbf/hypotenuse.cbf");
  ASSERT_EQ(qp.m, 4 + 3);
  EXPECT_EQ(qp.objective_constant, 0.5);
  EXPECT_EQ(qp.l[1], 4.0);  // L=: x2 − 4 = 0
  EXPECT_EQ(qp.u[1], 4.0);
  EXPECT_EQ(qp.l[2], -kInf);  // L−: x0 − 100 ≤ 0
  EXPECT_EQ(qp.u[2], 100.0);
  EXPECT_EQ(qp.l[3], -kInf);  // F
  EXPECT_EQ(qp.u[3], kInf);
  ASSERT_EQ(qp.cones.size(), 1u);  // the VAR cone, on identity rows 4..6 with offset 0
  EXPECT_EQ(qp.cones[0].first_row, 4);
  EXPECT_EQ(qp.cones[0].dim, 3);
  for (int j = 0; j < 3; ++j) EXPECT_EQ(at(qp, 4 + j, j), 1.0);
}

TEST(CbfReader, MaximizationIsStoredAsTheNegatedMinimization) {
  const DenseQp qp = bpqp::io::read_cbf(std::string(BPQP_TEST_DATA_DIR) + "/cbf/max_on_disk.cbf");
  EXPECT_EQ(qp.q, (std::vector<double>{-1, -1}));
  EXPECT_EQ(qp.l[0], -1.0);  // the block's first entry t = 0·x + 1: offset l = −1
}

TEST(CbfReader, ARotatedConeOfDimensionTwoIsTwoNonnegativeRows) {
  const DenseQp qp = parse("VER\n3\nVAR\n2 1\nF 2\nCON\n2 1\nQR 2\nACOORD\n2\n0 0 1\n1 1 1\n");
  EXPECT_TRUE(qp.cones.empty());
  EXPECT_EQ(qp.l, (std::vector<double>{0, 0}));
  EXPECT_EQ(qp.u, (std::vector<double>{kInf, kInf}));
}

TEST(CbfReader, CommentsAndBlankLinesAreSkipped) {
  const DenseQp qp = parse("# a comment\n\nVER\n  # indented comment\n1\n\nVAR\n1 1\nF 1\n");
  EXPECT_EQ(qp.n, 1);
  EXPECT_EQ(qp.m, 0);
}

TEST(CbfReaderErrors, WhatIsOutsideTheSubsetIsReportedAtItsLine) {
  const std::string head = "VER\n3\nVAR\n2 1\nF 2\n";  // lines 1–5
  expect_error(head + "INT\n1\n0\n", 6, "integer variables (INT) are outside the continuous subset");
  expect_error(head + "PSDVAR\n1\n2\n", 6, "PSDVAR: semidefinite data is outside");
  expect_error(head + "CON\n3 1\nEXP 3\n", 8, "cone EXP is outside the LP/SOCP subset");
  expect_error(head + "POWCONES\n1 1\n", 6, "POWCONES: power cones are outside");
  expect_error(head + "CON\n3 1\nSOC 3\n", 8, "unknown cone 'SOC'");
  expect_error(head + "FOO\n", 6, "unknown keyword FOO");
}

TEST(CbfReaderErrors, MalformedDataIsReportedAtItsLine) {
  const std::string head = "VER\n3\nVAR\n2 1\nF 2\nCON\n1 1\nL+ 1\n";  // lines 1–8
  expect_error("VAR\n1 1\nF 1\n", 1, "the file must start with VER");
  expect_error("", 0, "empty file");
  expect_error("VER\n3\n", 2, "no VAR section");
  expect_error(head + "ACOORD\n1\n1 0 2.0\n", 11, "ACOORD: index 1 is out of range (0 … 0)");
  expect_error(head + "ACOORD\n2\n0 0 1\n0 0 2\n", 12, "ACOORD: repeated coordinate");
  expect_error(head + "BCOORD\n1\n0 nan\n", 11, "BCOORD value: nan is not a finite number");
  expect_error(head + "OBJACOORD\n1\n0 x\n", 11, "OBJACOORD value: expected a number, found 'x'");
  expect_error(head + "VAR\n1 1\nF 1\n", 9, "repeated keyword VAR");
  expect_error("VER\n3\nVAR\n3 2\nF 1\nQ 1\n", 6, "VAR: the cones cover 2 of 3 entries");
  expect_error("VER\n3\nVAR\n2 1\nQ 3\n", 5, "VAR: cone Q of dimension 3 does not fit");
  expect_error("VER\n3\nVAR\n2 1\nQR 1\nQ 1\n", 5, "VAR: a QR cone needs dimension >= 2");
  expect_error("VER\n3\nACOORD\n1\n0 0 1\n", 3, "ACOORD before VAR");
  expect_error("VER\n3\nVAR\n1 1\nF 1\nOBJSENSE\nUP\n", 7, "OBJSENSE: expected MIN or MAX");
  expect_error("VER\n3\nVAR\n1 1\nF 1\nOBJACOORD\n1\n", 7, "unexpected end of file: expected OBJACOORD coordinate 0");
  expect_error("VER\n3\nVAR\n100000 1\nF 100000\nCON\n100000 1\nF 100000\n", 8, "problem too large for dense storage");
}

}  // namespace

namespace {

bpqp::SparseQp parse_sparse(const std::string& text) {
  std::istringstream in(text);
  return bpqp::io::parse_cbf_sparse(in, "test.cbf");
}

void expect_same_problem(const DenseQp& a, const DenseQp& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.m, b.m);
  EXPECT_EQ(a.P, b.P);
  EXPECT_EQ(a.q, b.q);
  EXPECT_EQ(a.A, b.A);
  EXPECT_EQ(a.l, b.l);
  EXPECT_EQ(a.u, b.u);
  EXPECT_EQ(a.objective_constant, b.objective_constant);
  bpqp::testing::expect_same_cones(a.cones, b.cones);
}

}  // namespace

// The sparse reader's problem, densified, is the dense reader's, bit for bit, on every file of
// the test data (constraint and variable cones, QR of dimension 2, maximization, constants).
TEST(CbfReaderSparse, DensifiedItIsTheDenseReadersProblem) {
  for (const char* file : {"cqo1", "fermat_point", "hypotenuse", "infeasible_disk", "max_on_disk",
                           "sum_of_inverses"}) {
    SCOPED_TRACE(file);
    const std::string path = std::string(BPQP_TEST_DATA_DIR) + "/cbf/" + file + ".cbf";
    const bpqp::SparseQp sparse = bpqp::io::read_cbf_sparse(path);
    EXPECT_NO_THROW(bpqp::validate(sparse));
    EXPECT_EQ(sparse.P.nonzeros(), 0);
    expect_same_problem(bpqp::to_dense(sparse), bpqp::io::read_cbf(path));
  }
  const std::string rotated = "VER\n3\nVAR\n2 1\nF 2\nCON\n2 1\nQR 2\nACOORD\n2\n0 0 1\n1 1 1\n";
  expect_same_problem(bpqp::to_dense(parse_sparse(rotated)), parse(rotated));
}

// Entries are kept as written (an explicit zero too), columns sorted by row with the variable
// cones' identity rows after every CON row; a problem the dense reader refuses for its size is
// read, and malformed input is the same ParseError at the same line.
TEST(CbfReaderSparse, KeepsEntriesAsWrittenAndHasNoDenseSizeLimit) {
  const bpqp::SparseQp qp =
      parse_sparse("VER\n3\nVAR\n3 2\nF 1\nL+ 2\nCON\n2 1\nL- 2\nACOORD\n3\n1 0 2.5\n0 0 0\n0 2 -1\n");
  EXPECT_EQ(qp.m, 4);  // 2 CON rows, then the L+ variables' identity rows 2 and 3
  EXPECT_EQ(qp.A.col_starts, (std::vector<int>{0, 2, 3, 5}));
  EXPECT_EQ(qp.A.row_indices, (std::vector<int>{0, 1, 2, 0, 3}));
  EXPECT_EQ(qp.A.values, (std::vector<double>{0.0, 2.5, 1.0, -1.0, 1.0}));

  const std::string huge = "VER\n3\nVAR\n200000 1\nL+ 200000\n";  // dense: 200000 × 400000 entries
  expect_error(huge, 5, "problem too large for dense storage");
  const bpqp::SparseQp big = parse_sparse(huge);
  EXPECT_EQ(big.n, 200000);
  EXPECT_EQ(big.m, 200000);
  EXPECT_EQ(big.A.nonzeros(), 200000);
  EXPECT_EQ(big.l[199999], 0.0);

  bpqp::testing::expect_parse_error(parse_sparse, "VER\n3\nVAR\n2 1\nF 2\nINT\n1\n0\n", "test.cbf", 6,
                                    "integer variables (INT) are outside");
}
