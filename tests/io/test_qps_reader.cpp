// QPS reader: every section and bound type on small hand-checkable texts, the error messages
// (file:line: reason), fixed format, and the 40 Maros–Mészáros files against reference.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bpqp/errors.hpp"
#include "bpqp/io/qps_reader.hpp"

#ifndef BPQP_MAROS_MESZAROS_DIR
#error "BPQP_MAROS_MESZAROS_DIR must name the folder of the Maros-Meszaros QPS files"
#endif

#include "support/parse_errors.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::ParseError;
using bpqp::io::QpsInfo;

constexpr double kInf = std::numeric_limits<double>::infinity();
const char* const kSource = "test.qps";

DenseQp parse(const std::string& text, QpsInfo* info = nullptr) {
  std::istringstream in(text);
  return bpqp::io::parse_qps(in, kSource, info);
}

double P(const DenseQp& qp, int i, int j) { return qp.P[i * qp.n + j]; }

// Parses text that must fail, and checks the line and that the reason is in the message.
void expect_error(const std::string& text, long line, const std::string& reason) {
  bpqp::testing::expect_parse_error([](const std::string& t) { return parse(t); }, text, kSource, line, reason);
}

// min x + 2y  s.t.  x + y <= 4,  x >= 1,  y = 2,  0 <= x <= 3,  y >= 0.
const char* const kTiny = R"(NAME          TINY
ROWS
 N  obj
 L  c1
 G  c2
 E  c3
COLUMNS
    x         obj       1.0        c1        1.0
    x         c2        1.0
    y         obj       2.0        c1        1.0
    y         c3        1.0
RHS
    rhs       c1        4.0        c2        1.0
    rhs       c3        2.0
BOUNDS
 UP bnd       x         3.0
ENDATA
)";

// ---------------------------------------------------------------------------------------------
// Layout and sections.

TEST(QpsReader, RowsThenIdentityRowsForBoundedVariables) {
  QpsInfo info;
  DenseQp qp = parse(kTiny, &info);
  EXPECT_EQ(qp.name, "TINY");
  ASSERT_EQ(qp.n, 2);
  EXPECT_EQ(info.row_constraints, 3);
  EXPECT_EQ(info.bounded_variables, 2);
  EXPECT_FALSE(info.fixed_format);
  ASSERT_EQ(qp.m, 5);
  EXPECT_EQ(qp.q, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(qp.A, (std::vector<double>{1, 1,    // c1
                                       1, 0,    // c2
                                       0, 1,    // c3
                                       1, 0,    // bounds of x
                                       0, 1}));  // bounds of y
  EXPECT_EQ(qp.l, (std::vector<double>{-kInf, 1.0, 2.0, 0.0, 0.0}));
  EXPECT_EQ(qp.u, (std::vector<double>{4.0, kInf, 2.0, 3.0, kInf}));
  EXPECT_EQ(qp.P, (std::vector<double>(4, 0.0)));  // no QUADOBJ: an LP
  EXPECT_EQ(qp.objective_constant, 0.0);
}

TEST(QpsReader, ObjectiveNeedNotBeFirstRowAndFurtherNRowsAreDropped) {
  DenseQp qp = parse(R"(NAME
ROWS
 E  c1
 N  cost
 N  spare
 G  c2
COLUMNS
    x  c1  1.0  cost  5.0
    x  spare  7.0  c2  2.0
RHS
    rhs  c1  1.0  spare  9.0
    rhs  c2  3.0
RANGES
    rng  spare  4.0
ENDATA
)");
  ASSERT_EQ(qp.n, 1);
  ASSERT_EQ(qp.m, 3);  // c1, c2, bound row of x
  EXPECT_EQ(qp.q[0], 5.0);
  EXPECT_EQ(qp.A, (std::vector<double>{1.0, 2.0, 1.0}));
  EXPECT_EQ(qp.l, (std::vector<double>{1.0, 3.0, 0.0}));
  EXPECT_EQ(qp.u, (std::vector<double>{1.0, kInf, kInf}));
}

TEST(QpsReader, QuadobjLowerTriangleIsMirrored) {
  DenseQp qp = parse(R"(NAME
ROWS
 N  obj
COLUMNS
    x  obj  1.0
    y  obj  1.0
QUADOBJ
    x  x  4.0
    y  x  1.5
    y  y  2.0
ENDATA
)");
  ASSERT_EQ(qp.n, 2);
  EXPECT_EQ(P(qp, 0, 0), 4.0);
  EXPECT_EQ(P(qp, 0, 1), 1.5);
  EXPECT_EQ(P(qp, 1, 0), 1.5);
  EXPECT_EQ(P(qp, 1, 1), 2.0);
}

// The sparse form of the same text: P's upper triangle only, one entry per listed pair.
TEST(QpsReader, SparseFormHoldsTheUpperTriangleOfTheMirroredQuadobj) {
  std::istringstream in(R"(NAME
ROWS
 N  obj
 L  c1
COLUMNS
    x  obj  1.0  c1  2.0
    y  obj  1.0
QUADOBJ
    x  x  4.0
    y  x  1.5
    y  y  2.0
RHS
    rhs  c1  3.0
ENDATA
)");
  const bpqp::SparseQp qp = bpqp::io::parse_qps_sparse(in, kSource);
  EXPECT_NO_THROW(bpqp::validate(qp));
  EXPECT_EQ(qp.P.col_starts, (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(qp.P.row_indices, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(qp.P.values, (std::vector<double>{4.0, 1.5, 2.0}));
  // A: row c1 = (2, 0), then the identity rows of x and y (default bounds [0, inf)).
  EXPECT_EQ(qp.A.col_starts, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(qp.A.row_indices, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(qp.A.values, (std::vector<double>{2.0, 1.0, 1.0}));
  EXPECT_EQ(qp.u[0], 3.0);
}

// A one-sided QMATRIX entry is halved into the upper triangle: P = (Q + Qᵀ)/2.
TEST(QpsReader, SparseFormHalvesAOneSidedQmatrixEntry) {
  std::istringstream in(R"(NAME
ROWS
 N  obj
COLUMNS
    x  obj  1.0
    y  obj  1.0
QMATRIX
    y  x  3.0
    x  x  2.0
ENDATA
)");
  const bpqp::SparseQp qp = bpqp::io::parse_qps_sparse(in, kSource);
  EXPECT_EQ(qp.P.row_indices, (std::vector<int>{0, 0}));
  EXPECT_EQ(qp.P.values, (std::vector<double>{2.0, 1.5}));
}

// 20000 bounded variables: 8·10⁸ dense entries, past the dense reader's limit; the sparse
// form holds one entry per identity row.
TEST(QpsReader, SparseFormReadsAProblemTooLargeForDenseStorage) {
  const int n = 20000;
  std::string text = "NAME BIG\nROWS\n N obj\nCOLUMNS\n";
  for (int j = 0; j < n; ++j) text += " x" + std::to_string(j) + " obj 1.0\n";
  text += "ENDATA\n";
  std::istringstream dense_in(text);
  EXPECT_THROW(bpqp::io::parse_qps(dense_in, kSource), ParseError);
  std::istringstream sparse_in(text);
  QpsInfo info;
  const bpqp::SparseQp qp = bpqp::io::parse_qps_sparse(sparse_in, kSource, &info);
  EXPECT_EQ(qp.n, n);
  EXPECT_EQ(qp.m, n);
  EXPECT_EQ(info.bounded_variables, n);
  EXPECT_EQ(qp.A.nonzeros(), n);
  EXPECT_EQ(qp.P.nonzeros(), 0);
  EXPECT_EQ(qp.A.row_indices[n - 1], n - 1);
}

TEST(QpsReader, QuadobjListingBothTrianglesWithEqualValuesIsNotDoubled) {
  DenseQp qp = parse(R"(NAME
ROWS
 N  obj
COLUMNS
    x  obj  1.0
    y  obj  1.0
QUADOBJ
    x  y  1.5
    y  x  1.5
ENDATA
)");
  EXPECT_EQ(P(qp, 0, 1), 1.5);
  EXPECT_EQ(P(qp, 1, 0), 1.5);
}

TEST(QpsReader, QmatrixFullMatrixIsNotDoubled) {
  DenseQp qp = parse(R"(NAME
ROWS
 N  obj
COLUMNS
    x  obj  1.0
    y  obj  1.0
QMATRIX
    x  x  4.0
    x  y  1.5
    y  x  1.5
    y  y  2.0
ENDATA
)");
  EXPECT_EQ(qp.P, (std::vector<double>{4.0, 1.5, 1.5, 2.0}));
}

TEST(QpsReader, QsectionIsReadAsQmatrixAndOneSidedEntriesAreSymmetrized) {
  // QMATRIX holds Q itself: a lone (x, y) entry is Q_xy, and ½xᵀQx = ½xᵀ((Q+Qᵀ)/2)x.
  DenseQp qp = parse(R"(NAME
ROWS
 N  obj
COLUMNS
    x  obj  1.0
    y  obj  1.0
QSECTION
    x  y  3.0
ENDATA
)");
  EXPECT_EQ(qp.P, (std::vector<double>{0.0, 1.5, 1.5, 0.0}));
}

TEST(QpsReader, RhsOfObjectiveRowIsMinusTheObjectiveConstant) {
  DenseQp qp = parse(R"(NAME
ROWS
 N  obj
COLUMNS
    x  obj  1.0
RHS
    rhs  obj  100.0
ENDATA
)");
  EXPECT_EQ(qp.objective_constant, -100.0);
}

TEST(QpsReader, ObjsenseMaxOnNextLineNegatesTheWholeObjective) {
  DenseQp qp = parse(R"(NAME
OBJSENSE
    MAX
ROWS
 N  obj
COLUMNS
    x  obj  3.0
RHS
    rhs  obj  2.0
QUADOBJ
    x  x  -4.0
ENDATA
)");
  EXPECT_EQ(qp.q[0], -3.0);
  EXPECT_EQ(P(qp, 0, 0), 4.0);
  EXPECT_EQ(qp.objective_constant, 2.0);  // max (... - 2) = -min (... + 2)
}

TEST(QpsReader, ObjsenseOnSameLineIsRead) {
  DenseQp max_qp = parse("NAME\nOBJSENSE MAXIMIZE\nROWS\n N obj\nCOLUMNS\n x obj 3.0\nENDATA\n");
  EXPECT_EQ(max_qp.q[0], -3.0);
  DenseQp min_qp = parse("NAME\nOBJSENSE MIN\nROWS\n N obj\nCOLUMNS\n x obj 3.0\nENDATA\n");
  EXPECT_EQ(min_qp.q[0], 3.0);
}

// ---------------------------------------------------------------------------------------------
// RANGES: R on a row of type `type` with RHS b.

std::pair<double, double> ranged_row(const std::string& type, double b, double r) {
  std::ostringstream text;
  text << "NAME\nROWS\n N obj\n " << type << " c\nCOLUMNS\n x c 1.0\nRHS\n rhs c " << b
       << "\nRANGES\n rng c " << r << "\nBOUNDS\n FR bnd x\nENDATA\n";
  DenseQp qp = parse(text.str());
  EXPECT_EQ(qp.m, 1);
  return {qp.l[0], qp.u[0]};
}

TEST(QpsReader, RangeOnGRowAddsAbsoluteValueAbove) {
  EXPECT_EQ(ranged_row("G", 2.0, 3.0), std::make_pair(2.0, 5.0));
  EXPECT_EQ(ranged_row("G", 2.0, -3.0), std::make_pair(2.0, 5.0));
}

TEST(QpsReader, RangeOnLRowSubtractsAbsoluteValueBelow) {
  EXPECT_EQ(ranged_row("L", 2.0, 3.0), std::make_pair(-1.0, 2.0));
  EXPECT_EQ(ranged_row("L", 2.0, -3.0), std::make_pair(-1.0, 2.0));
}

TEST(QpsReader, RangeOnERowTakesItsSideFromTheSign) {
  EXPECT_EQ(ranged_row("E", 2.0, 3.0), std::make_pair(2.0, 5.0));
  EXPECT_EQ(ranged_row("E", 2.0, -3.0), std::make_pair(-1.0, 2.0));
  EXPECT_EQ(ranged_row("E", 2.0, 0.0), std::make_pair(2.0, 2.0));
}

TEST(QpsReader, RowsWithoutRhsHaveZeroRhs) {
  DenseQp qp = parse("NAME\nROWS\n N obj\n L a\n G b\n E c\nCOLUMNS\n x a 1 b 1\n x c 1\nENDATA\n");
  EXPECT_EQ(qp.l, (std::vector<double>{-kInf, 0.0, 0.0, 0.0}));
  EXPECT_EQ(qp.u, (std::vector<double>{0.0, kInf, 0.0, kInf}));
}

// ---------------------------------------------------------------------------------------------
// BOUNDS: the bounds of x after the given BOUNDS lines; {nan, nan} when x has no identity row.

std::pair<double, double> bounds_of_x(const std::string& bound_lines) {
  const std::string text = "NAME\nROWS\n N obj\nCOLUMNS\n x obj 1.0\nBOUNDS\n" + bound_lines + "ENDATA\n";
  QpsInfo info;
  DenseQp qp = parse(text, &info);
  EXPECT_EQ(info.row_constraints, 0);
  if (qp.m == 0) return {std::nan(""), std::nan("")};
  EXPECT_EQ(qp.m, 1);
  EXPECT_EQ(qp.A[0], 1.0);
  return {qp.l[0], qp.u[0]};
}

TEST(QpsReader, DefaultBoundsAreZeroToInfinity) {
  EXPECT_EQ(bounds_of_x(""), std::make_pair(0.0, kInf));
}

TEST(QpsReader, EachBoundTypeSetsItsSide) {
  EXPECT_EQ(bounds_of_x(" UP b x 4\n"), std::make_pair(0.0, 4.0));
  EXPECT_EQ(bounds_of_x(" LO b x -2\n"), std::make_pair(-2.0, kInf));
  EXPECT_EQ(bounds_of_x(" FX b x 1.5\n"), std::make_pair(1.5, 1.5));
  EXPECT_EQ(bounds_of_x(" MI b x\n UP b x 5\n"), std::make_pair(-kInf, 5.0));
  EXPECT_EQ(bounds_of_x(" UP b x 5\n PL b x\n"), std::make_pair(0.0, kInf));
  EXPECT_EQ(bounds_of_x(" LO b x 1\n UP b x 5\n"), std::make_pair(1.0, 5.0));
}

TEST(QpsReader, FreeVariableGetsNoIdentityRow) {
  std::pair<double, double> b = bounds_of_x(" FR b x\n");
  EXPECT_TRUE(std::isnan(b.first) && std::isnan(b.second));
  b = bounds_of_x(" MI b x\n");  // MI keeps the default upper bound +inf: free as well
  EXPECT_TRUE(std::isnan(b.first) && std::isnan(b.second));
}

TEST(QpsReader, NegativeUpperBoundWithDefaultLowerMakesLowerMinusInfinity) {
  EXPECT_EQ(bounds_of_x(" UP b x -3\n"), std::make_pair(-kInf, -3.0));
}

TEST(QpsReader, NegativeUpperBoundKeepsAnExplicitLowerBound) {
  EXPECT_EQ(bounds_of_x(" LO b x -5\n UP b x -3\n"), std::make_pair(-5.0, -3.0));
}

TEST(QpsReader, BoundsOfMagnitude1e30AreInfinite) {
  EXPECT_EQ(bounds_of_x(" LO b x -1e30\n UP b x 5\n"), std::make_pair(-kInf, 5.0));
  std::pair<double, double> b = bounds_of_x(" LO b x -1e30\n UP b x 1e30\n");
  EXPECT_TRUE(std::isnan(b.first));  // both infinite: no identity row
  EXPECT_EQ(bounds_of_x(" UP b x Infinity\n"), std::make_pair(0.0, kInf));
}

TEST(QpsReader, SetNamesAreOptionalInFreeFormat) {
  DenseQp qp = parse("NAME\nROWS\n N obj\n G c\nCOLUMNS\n x c 1\nRHS\n c 2.5\nBOUNDS\n UP x 7\n MI x\nENDATA\n");
  EXPECT_EQ(qp.l, (std::vector<double>{2.5, -kInf}));
  EXPECT_EQ(qp.u, (std::vector<double>{kInf, 7.0}));
}

TEST(QpsReader, OnlyTheFirstNamedRhsSetIsUsed) {
  DenseQp qp = parse("NAME\nROWS\n N obj\n G c\nCOLUMNS\n x c 1\nRHS\n first c 2\n second c 9\nENDATA\n");
  EXPECT_EQ(qp.l[0], 2.0);
}

TEST(QpsReader, CommentsBlankLinesAndCrlfAreIgnored) {
  std::string text = kTiny;
  std::string crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  crlf.insert(crlf.find("ROWS"), "* a comment line\r\n\r\n   \r\n");
  EXPECT_EQ(parse(crlf).A, parse(kTiny).A);
  EXPECT_EQ(parse(crlf).u, parse(kTiny).u);
}

TEST(QpsReader, MissingEndataIsToleratedAndTextAfterItIgnored) {
  std::string text = kTiny;
  std::string without = text.substr(0, text.find("ENDATA"));
  EXPECT_EQ(parse(without).l, parse(kTiny).l);
  EXPECT_EQ(parse(text + "garbage that is never read\n").l, parse(kTiny).l);
}

TEST(QpsReader, FreeFormatAcceptsLongNamesAndLooseAlignment) {
  DenseQp qp = parse(
      "NAME long\nROWS\n N the_objective_row\n L a_very_long_constraint_name\nCOLUMNS\n"
      "\tvariable_number_one\tthe_objective_row 2   a_very_long_constraint_name   3\nRHS\n"
      " set a_very_long_constraint_name 6\nENDATA\n");
  EXPECT_EQ(qp.q[0], 2.0);
  EXPECT_EQ(qp.A[0], 3.0);
  EXPECT_EQ(qp.u[0], 6.0);
}

// ---------------------------------------------------------------------------------------------
// Fixed format.

// A fixed-MPS data line: fields start in columns 2, 5, 15, 25, 40 and 50.
std::string fixed_line(const std::vector<std::string>& fields) {
  static const size_t kStart[] = {2, 5, 15, 25, 40, 50};
  std::string line;
  for (size_t k = 0; k < fields.size(); ++k) {
    if (fields[k].empty()) continue;
    line.resize(kStart[k] - 1, ' ');
    line += fields[k];
  }
  return line + "\n";
}

// min x1 + 2 x2  s.t.  MY ROW: x1 + x2 >= 1,  0 <= x1 <= 4; names contain spaces.
std::string fixed_text() {
  return "NAME          FIXED ONE\n"
         "ROWS\n" +
         fixed_line({"N", "COST"}) + fixed_line({"G", "MY ROW"}) +
         "COLUMNS\n" +
         fixed_line({"", "X 1", "COST", "1.", "MY ROW", "1."}) +
         fixed_line({"", "X 2", "COST", "2.", "MY ROW", "1."}) +
         "RHS\n" +
         fixed_line({"", "RHS 1", "MY ROW", "1."}) +
         "BOUNDS\n" +
         fixed_line({"UP", "BND 1", "X 1", "4."}) +
         "QUADOBJ\n" +
         fixed_line({"", "X 1", "X 2", "0.5"}) +
         "ENDATA\n";
}

TEST(QpsReader, FixedFormatWithSpacesInNamesIsDetectedAndRead) {
  QpsInfo info;
  DenseQp qp = parse(fixed_text(), &info);
  EXPECT_TRUE(info.fixed_format);
  EXPECT_EQ(qp.name, "FIXED ONE");
  ASSERT_EQ(qp.n, 2);
  EXPECT_EQ(info.row_constraints, 1);
  EXPECT_EQ(info.bounded_variables, 2);
  EXPECT_EQ(qp.q, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(qp.P, (std::vector<double>{0.0, 0.5, 0.5, 0.0}));
  EXPECT_EQ(qp.A, (std::vector<double>{1, 1, 1, 0, 0, 1}));
  EXPECT_EQ(qp.l, (std::vector<double>{1.0, 0.0, 0.0}));
  EXPECT_EQ(qp.u, (std::vector<double>{kInf, 4.0, kInf}));
}

TEST(QpsReader, FixedLayoutWithoutSpacesInNamesIsReadAsFree) {
  QpsInfo info;
  parse(kTiny, &info);
  EXPECT_FALSE(info.fixed_format);
}

TEST(QpsReader, FixedFormatErrorIsReportedAtItsLine) {
  // Free parsing fails early (line 4, "MY ROW" is two fields); the fixed parse gets further and
  // its error, the missing value on the second COLUMNS line, is the one reported.
  std::string text = fixed_text();
  const std::string good = fixed_line({"", "X 2", "COST", "2.", "MY ROW", "1."});
  text.replace(text.find(good), good.size(), fixed_line({"", "X 2", "COST", "2.", "MY ROW"}));
  expect_error(text, 7, "missing fields");
}

// ---------------------------------------------------------------------------------------------
// Errors: file:line: reason.

TEST(QpsReaderErrors, FileNotFoundIsLineZero) {
  try {
    bpqp::io::read_qps("/nonexistent/dir/none.qps");
    ADD_FAILURE() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(std::string(e.what()), "/nonexistent/dir/none.qps:0: cannot open file");
  }
}

TEST(QpsReaderErrors, UnknownSection) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNZ\n", 4, "unknown section 'COLUMNZ'");
}

TEST(QpsReaderErrors, SectionAppearingTwice) {
  expect_error("NAME\nROWS\n N obj\nROWS\n", 4, "section ROWS appears twice");
}

TEST(QpsReaderErrors, DataLineOutsideAnySection) {
  expect_error("* comment\n x obj 1\n", 2, "data line outside of any section");
}

TEST(QpsReaderErrors, UnknownRowType) {
  expect_error("NAME\nROWS\n N obj\n X c\n", 4, "unknown row type 'X'");
}

TEST(QpsReaderErrors, DuplicateRowName) {
  expect_error("NAME\nROWS\n N obj\n L c\n G c\n", 5, "duplicate row name 'c'");
}

TEST(QpsReaderErrors, NoObjectiveRow) {
  expect_error("NAME\nROWS\n L c\nCOLUMNS\n x c 1\n", 4, "no objective row");
  expect_error("NAME\nROWS\n L c\n", 3, "no objective row");
  expect_error("", 1, "no objective row");
}

TEST(QpsReaderErrors, UnknownRowInColumns) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1 nope 2\n", 5, "unknown row 'nope'");
}

TEST(QpsReaderErrors, UnknownRowInRhs) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nRHS\n rhs nope 2\n", 7, "unknown row 'nope'");
}

TEST(QpsReaderErrors, UnknownRowInRanges) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nRANGES\n rng nope 2\n", 7, "unknown row 'nope'");
}

TEST(QpsReaderErrors, UnknownColumnInBounds) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n UP b y 2\n", 7, "unknown column 'y'");
}

TEST(QpsReaderErrors, UnknownColumnInQuadobj) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nQUADOBJ\n x y 2\n", 7, "unknown column 'y'");
}

TEST(QpsReaderErrors, NonNumericValue) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1.0.0\n", 5, "non-numeric value '1.0.0'");
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nRHS\n r obj 12abc\n", 7, "non-numeric value '12abc'");
}

TEST(QpsReaderErrors, NanValueIsRejected) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj nan\n", 5, "NaN value 'nan' is not allowed");
}

TEST(QpsReaderErrors, MissingFields) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj\n", 5, "missing or extra fields");
  expect_error("NAME\nROWS\n N\n", 3, "missing or extra fields");
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n UP x\n", 7, "missing or extra fields");
}

TEST(QpsReaderErrors, LowerBoundAboveUpperBoundReportsTheBoundLine) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n LO b x 5\n UP b x 3\nENDATA\n", 8,
               "invalid bounds for column 'x': lower bound 5 > upper bound 3");
}

TEST(QpsReaderErrors, RowBoundsThatAreNotANumberAreRejected) {
  // An infinite RHS with an infinite range would give inf - inf.
  expect_error("NAME\nROWS\n N obj\n L c\nCOLUMNS\n x c 1\nRHS\n r c inf\nRANGES\n g c inf\n", 10,
               "invalid bounds for row 'c'");
}

TEST(QpsReaderErrors, IntegerMarkersAreNotSupported) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n    MARKER                 'MARKER'                 'INTORG'\n",
               5, "integer variables are not supported");
}

TEST(QpsReaderErrors, IntegerBoundTypesAreNotSupported) {
  for (const char* type : {"BV", "LI", "UI", "SC"}) {
    expect_error(std::string("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n ") + type + " b x 1\n", 7,
                 std::string("unsupported integer bound type '") + type + "'");
  }
}

TEST(QpsReaderErrors, UnknownBoundType) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\nBOUNDS\n XX b x 1\n", 7, "unknown bound type 'XX'");
}

TEST(QpsReaderErrors, UnknownObjectiveSense) {
  expect_error("NAME\nOBJSENSE\n    SIDEWAYS\n", 3, "unknown objective sense 'SIDEWAYS'");
}

TEST(QpsReaderErrors, ConflictingRepeatedEntry) {
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\n x obj 2\n", 6, "conflicting values");
  expect_error("NAME\nROWS\n N obj\nCOLUMNS\n x obj 1\n y obj 1\nQUADOBJ\n x y 1\n y x 2\n", 9,
               "conflicting values");
}

// Arbitrary bytes must end in a DenseQp or a ParseError, never a crash, a hang or another
// exception. A seeded sweep of mutations of a valid file; the real fuzzing comes later.
TEST(QpsReaderErrors, MutatedInputEndsInResultOrParseError) {
  const std::string base = std::string(kTiny) + fixed_text();
  std::mt19937 rng(20240611);
  const char alphabet[] = " \t\n\r*0123456789.eE+-NLGEUPLOFXRMIBVQ'abcxyz\x80\xff";
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text = trial % 2 == 0 ? std::string(kTiny) : fixed_text();
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = alphabet[rng() % (sizeof(alphabet) - 1)]; break;
        case 1: text.erase(at, 1 + rng() % 8); break;
        default: text.insert(at, base.substr(rng() % base.size(), 1 + rng() % 20)); break;
      }
    }
    try {
      DenseQp qp = parse(text);
      EXPECT_EQ(qp.P.size(), static_cast<size_t>(qp.n) * qp.n);
      EXPECT_EQ(qp.A.size(), static_cast<size_t>(qp.m) * qp.n);
    } catch (const ParseError& e) {
      EXPECT_GE(e.line(), 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The Maros–Mészáros files.

struct Reference {
  std::string name;
  int n = 0;
  int m = 0;
  int equality_rows = 0;
};

std::vector<Reference> read_reference() {
  std::ifstream in(std::string(BPQP_MAROS_MESZAROS_DIR) + "/reference.csv");
  std::vector<Reference> out;
  std::string line;
  std::getline(in, line);  // header: name,n,m,n_equality_rows,optimal_objective
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Reference r;
    std::string n, m, eq;
    std::getline(fields, r.name, ',');
    std::getline(fields, n, ',');
    std::getline(fields, m, ',');
    std::getline(fields, eq, ',');
    if (r.name.empty()) continue;
    r.n = std::stoi(n);
    r.m = std::stoi(m);
    r.equality_rows = std::stoi(eq);
    out.push_back(r);
  }
  return out;
}

TEST(QpsReaderMarosMeszaros, AllFortyFilesMatchReferenceDimensions) {
  const std::vector<Reference> reference = read_reference();
  ASSERT_EQ(reference.size(), 40u);
  for (const Reference& r : reference) {
    SCOPED_TRACE(r.name);
    QpsInfo info;
    DenseQp qp;
    ASSERT_NO_THROW(qp = bpqp::io::read_qps(std::string(BPQP_MAROS_MESZAROS_DIR) + "/" + r.name + ".QPS", &info));
    EXPECT_EQ(qp.name, r.name);
    EXPECT_EQ(qp.n, r.n);
    EXPECT_EQ(info.row_constraints, r.m);
    EXPECT_EQ(qp.m, info.row_constraints + info.bounded_variables);
    ASSERT_EQ(qp.P.size(), static_cast<size_t>(qp.n) * qp.n);
    ASSERT_EQ(qp.A.size(), static_cast<size_t>(qp.m) * qp.n);
    ASSERT_EQ(qp.l.size(), static_cast<size_t>(qp.m));
    ASSERT_EQ(qp.u.size(), static_cast<size_t>(qp.m));

    bool symmetric = true;
    for (int i = 0; i < qp.n; ++i) {
      for (int j = 0; j < i; ++j) symmetric = symmetric && P(qp, i, j) == P(qp, j, i);
    }
    EXPECT_TRUE(symmetric);

    // No file here ranges an E row, so the equality rows are exactly the rows with l = u.
    int equalities = 0;
    for (int i = 0; i < info.row_constraints; ++i) equalities += qp.l[i] == qp.u[i];
    EXPECT_EQ(equalities, r.equality_rows);

    // The appended rows are unit rows of distinct variables, in column order.
    int previous = -1;
    for (int i = info.row_constraints; i < qp.m; ++i) {
      const double* row = qp.A.data() + static_cast<size_t>(i) * qp.n;
      const int j = static_cast<int>(std::find(row, row + qp.n, 1.0) - row);
      ASSERT_LT(j, qp.n);
      EXPECT_EQ(std::count(row, row + qp.n, 0.0), qp.n - 1);
      EXPECT_GT(j, previous);
      previous = j;
      EXPECT_LE(qp.l[i], qp.u[i]);
      EXPECT_TRUE(std::isfinite(qp.l[i]) || std::isfinite(qp.u[i]));
    }
    EXPECT_EQ(info.fixed_format, r.name == "QFORPLAN");  // the one file with spaces in names
  }
}

TEST(QpsReaderMarosMeszaros, Hs21ReadsAsDocumented) {
  // README.md: the RHS 100 of OBJ.FUNC is the constant −100.
  QpsInfo info;
  DenseQp qp = bpqp::io::read_qps(std::string(BPQP_MAROS_MESZAROS_DIR) + "/HS21.QPS", &info);
  ASSERT_EQ(qp.n, 2);
  EXPECT_EQ(qp.objective_constant, -100.0);
  EXPECT_EQ(qp.P, (std::vector<double>{0.02, 0.0, 0.0, 2.0}));
  EXPECT_EQ(qp.q, (std::vector<double>{0.0, 0.0}));
  ASSERT_EQ(qp.m, 3);
  EXPECT_EQ(qp.A, (std::vector<double>{10.0, -1.0, 1.0, 0.0, 0.0, 1.0}));
  EXPECT_EQ(qp.l, (std::vector<double>{10.0, 2.0, -50.0}));
  EXPECT_EQ(qp.u, (std::vector<double>{kInf, 50.0, 50.0}));
}

TEST(QpsReaderMarosMeszaros, QptestQuadobjIsMirrored) {
  DenseQp qp = bpqp::io::read_qps(std::string(BPQP_MAROS_MESZAROS_DIR) + "/QPTEST.QPS");
  EXPECT_EQ(qp.P, (std::vector<double>{8.0, 2.0, 2.0, 10.0}));
  EXPECT_EQ(qp.q, (std::vector<double>{1.5, -2.0}));
}

}  // namespace
