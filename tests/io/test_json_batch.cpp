// JSON batch reader and writer: the schema's optional parts, infinities, bit-exact round trips,
// and error messages that carry the line of the fault.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <limits>
#include <string>
#include <vector>

#include "bpqp/errors.hpp"
#include "bpqp/io/json_batch.hpp"
#include "bpqp/io/qps_reader.hpp"

#ifndef BPQP_MAROS_MESZAROS_DIR
#error "BPQP_MAROS_MESZAROS_DIR must name the folder of the Maros-Meszaros QPS files"
#endif

#include "support/parse_errors.hpp"
#include "support/same_cones.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::ParseError;

constexpr double kInf = std::numeric_limits<double>::infinity();
const char* const kSource = "batch.json";

std::vector<DenseQp> parse(const std::string& text) { return bpqp::io::parse_json_batch(text, kSource); }

void expect_error(const std::string& text, long line, const std::string& reason) {
  bpqp::testing::expect_parse_error(parse, text, kSource, line, reason);
}

// Bitwise equality, so that -0.0 and 0.0 differ and infinities compare equal.
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::signbit(a[i]) != std::signbit(b[i]) || !(a[i] == b[i])) return false;
  }
  return true;
}

void expect_same(const DenseQp& a, const DenseQp& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.m, b.m);
  EXPECT_TRUE(same_bits(a.P, b.P));
  EXPECT_TRUE(same_bits(a.q, b.q));
  EXPECT_TRUE(same_bits(a.A, b.A));
  EXPECT_TRUE(same_bits(a.l, b.l));
  EXPECT_TRUE(same_bits(a.u, b.u));
  EXPECT_TRUE(same_bits({a.objective_constant}, {b.objective_constant}));
}

// ---------------------------------------------------------------------------------------------
// Reading.

TEST(JsonBatch, ReadsABatchOfProblems) {
  std::vector<DenseQp> batch = parse(R"({"problems": [
    {"name": "box", "P": [[2, 1], [1, 3]], "q": [1, -1],
     "A": [[1, 0], [0, 1], [1, 1]], "l": ["-inf", 0, 1], "u": [4, "inf", 1],
     "objective_constant": 2.5},
    {"q": [3]}
  ]})");
  ASSERT_EQ(batch.size(), 2u);
  const DenseQp& a = batch[0];
  EXPECT_EQ(a.name, "box");
  EXPECT_EQ(a.n, 2);
  EXPECT_EQ(a.m, 3);
  EXPECT_EQ(a.P, (std::vector<double>{2, 1, 1, 3}));
  EXPECT_EQ(a.q, (std::vector<double>{1, -1}));
  EXPECT_EQ(a.A, (std::vector<double>{1, 0, 0, 1, 1, 1}));
  EXPECT_EQ(a.l, (std::vector<double>{-kInf, 0, 1}));
  EXPECT_EQ(a.u, (std::vector<double>{4, kInf, 1}));
  EXPECT_EQ(a.objective_constant, 2.5);
  const DenseQp& b = batch[1];  // only q: an unconstrained LP, everything else defaulted
  EXPECT_EQ(b.name, "");
  EXPECT_EQ(b.n, 1);
  EXPECT_EQ(b.m, 0);
  EXPECT_EQ(b.P, (std::vector<double>{0.0}));
  EXPECT_TRUE(b.A.empty() && b.l.empty() && b.u.empty());
  EXPECT_EQ(b.objective_constant, 0.0);
}

TEST(JsonBatch, SingleProblemObjectIsABatchOfOne) {
  std::vector<DenseQp> batch = parse(R"({"q": [1, 2], "A": [[1, 1]], "l": [0], "u": [1]})");
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].n, 2);
  EXPECT_EQ(batch[0].m, 1);
}

TEST(JsonBatch, EmptyPIsTheZeroMatrix) {
  std::vector<DenseQp> batch = parse(R"({"P": [], "q": [1, 2], "A": [], "l": [], "u": []})");
  EXPECT_EQ(batch[0].P, (std::vector<double>(4, 0.0)));
  EXPECT_EQ(batch[0].m, 0);
}

TEST(JsonBatch, EmptyProblemListIsAnEmptyBatch) {
  EXPECT_TRUE(parse(R"({"problems": []})").empty());
}

TEST(JsonBatch, InfinityStringsAreCaseInsensitive) {
  std::vector<DenseQp> batch = parse(
      R"({"q": [0, 0, 0], "A": [[1,0,0],[0,1,0],[0,0,1]],
          "l": ["-INF", "-Infinity", "-inf"], "u": ["INF", "+Infinity", "+inf"]})");
  EXPECT_EQ(batch[0].l, (std::vector<double>(3, -kInf)));
  EXPECT_EQ(batch[0].u, (std::vector<double>(3, kInf)));
}

TEST(JsonBatch, InfiniteCostIsReadForTheSolverToReport) {
  // Not the reader's call: one invalid problem must not stop the rest of a batch from loading.
  std::vector<DenseQp> batch = parse(R"({"q": ["inf", 1]})");
  EXPECT_EQ(batch[0].q[0], kInf);
}

TEST(JsonBatch, AsymmetricPIsReadAsGivenForTheSolverToReport) {
  std::vector<DenseQp> batch = parse(R"({"P": [[1, 2], [0, 1]], "q": [0, 0]})");
  EXPECT_EQ(batch[0].P, (std::vector<double>{1, 2, 0, 1}));
}

// ---------------------------------------------------------------------------------------------
// Writing and round trips.

DenseQp awkward_problem() {
  DenseQp qp;
  qp.name = "quote \" backslash \\ and unicode \xc3\xa9";
  qp.n = 2;
  qp.m = 3;
  qp.P = {1.0 / 3.0, 1e-300, 1e-300, 2.0};
  qp.q = {-0.0, 0.1};
  qp.A = {1, 2, 3, 4, 5, 6};
  qp.l = {-kInf, 0.0, 123456789.123456789};
  qp.u = {kInf, 5e300, 123456789.123456789};
  qp.objective_constant = -7.25;
  return qp;
}

TEST(JsonBatch, RoundTripPreservesEveryBit) {
  DenseQp lp;  // an LP without constraints: P written as [], A as []
  lp.n = 3;
  lp.m = 0;
  lp.P.assign(9, 0.0);
  lp.q = {1, 2, 3};
  const std::vector<DenseQp> batch = {awkward_problem(), lp};
  const std::vector<DenseQp> back = parse(bpqp::io::write_json_batch(batch));
  ASSERT_EQ(back.size(), 2u);
  expect_same(back[0], batch[0]);
  expect_same(back[1], batch[1]);
}

TEST(JsonBatch, RoundTripOfMarosMeszarosProblem) {
  const DenseQp qp = bpqp::io::read_qps(std::string(BPQP_MAROS_MESZAROS_DIR) + "/HS118.QPS");
  const std::vector<DenseQp> back = parse(bpqp::io::write_json_batch({qp}));
  ASSERT_EQ(back.size(), 1u);
  expect_same(back[0], qp);
}

TEST(JsonBatch, WriterSpellsInfiniteBoundsAsStrings) {
  const std::string text = bpqp::io::write_json_batch({awkward_problem()});
  EXPECT_NE(text.find("\"l\": [\"-inf\", 0.0, "), std::string::npos) << text;
  EXPECT_NE(text.find("\"u\": [\"inf\", "), std::string::npos) << text;
}

TEST(JsonBatch, EmptyBatchRoundTrips) {
  EXPECT_TRUE(parse(bpqp::io::write_json_batch({})).empty());
}

TEST(JsonBatch, WriterRejectsNaN) {
  DenseQp qp = awkward_problem();
  qp.q[1] = std::nan("");
  EXPECT_THROW(bpqp::io::write_json_batch({qp}), bpqp::InvalidArgument);
}

TEST(JsonBatch, WriterRejectsArraysThatDoNotMatchTheSizes) {
  DenseQp qp = awkward_problem();
  qp.l.pop_back();
  try {
    bpqp::io::write_json_batch({awkward_problem(), qp});
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("problems[1].l has 2 entries, expected m = 3"), std::string::npos)
        << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// Errors: file:line: reason.

TEST(JsonBatchErrors, FileNotFoundIsLineZero) {
  try {
    bpqp::io::read_json_batch("/nonexistent/dir/batch.json");
    ADD_FAILURE() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/dir/batch.json:0: cannot open file");
  }
}

TEST(JsonBatchErrors, SyntaxErrorReportsItsLine) {
  expect_error("{\"problems\": [\n  {\"q\": [1, 2]},\n  {\"q\": [1 2]}\n]}\n", 3, "invalid JSON");
  expect_error("{\n\"q\": [1],\n\"l\": [tru]\n}", 3, "invalid JSON");
}

TEST(JsonBatchErrors, NumberTooLargeForADoubleReportsItsLine) {
  expect_error("{\"q\": [1,\n 1e999]}", 2, "number overflow parsing '1e999'");
}

TEST(JsonBatchErrors, UnexpectedEndReportsTheLastLineWithText) {
  expect_error("{\"problems\": [\n  {\"q\": [1, 2]}\n\n\n", 2, "invalid JSON");
  expect_error("", 1, "invalid JSON");
}

TEST(JsonBatchErrors, AHasWrongNumberOfColumns) {
  expect_error(R"({"problems": [
  {"q": [1, 2, 3, 4, 5]},
  {"name": "second",
   "q": [1, 2, 3, 4, 5],
   "A": [[1, 2, 3, 4]],
   "l": [0], "u": [1]}
]})",
               5, "problem 1 (\"second\"): A has 4 columns in row 0, expected n = 5 (length of q)");
}

TEST(JsonBatchErrors, BoundsLengthMustMatchRowsOfA) {
  expect_error("{\"q\": [1],\n \"A\": [[1], [2]],\n \"l\": [0, 0],\n \"u\": [1]}", 4,
               "problem 0: u has 1 entries, expected m = 2 (rows of A)");
  expect_error("{\"q\": [1],\n \"l\": [0]}", 2, "l has 1 entries, expected m = 0 (rows of A)");
  expect_error("{\"q\": [1],\n \"A\": [[1]],\n \"u\": [0]}", 2, "l is missing");
}

TEST(JsonBatchErrors, PMustBeNByN) {
  expect_error("{\"q\": [1, 2],\n\n \"P\": [[1, 0]]}", 3, "P has 1 rows, expected n = 2 (length of q)");
  expect_error("{\"q\": [1, 2],\n \"P\": [[1, 0], [0]]}", 2, "P has 1 columns in row 1, expected n = 2");
}

TEST(JsonBatchErrors, MissingQIsReportedAtTheProblem) {
  expect_error("{\"problems\": [\n  {\"q\": [1]},\n\n  {\"P\": [[1]]}\n]}", 4, "problem 1: q is missing");
}

TEST(JsonBatchErrors, UnknownKeyIsReportedAtTheKey) {
  expect_error("{\"problems\": [{\"q\": [1],\n  \"Q\": [[1]]}]}", 2, "unknown key \"Q\"");
}

TEST(JsonBatchErrors, EntriesMustBeNumbersOrInfinities) {
  expect_error("{\"q\": [1, \"nan\"]}", 1, "q[1]: NaN is not allowed");
  expect_error("{\"q\": [1, \"NaN\"]}", 1, "q[1]: NaN is not allowed");
  expect_error("{\"q\": [1, \"one\"]}", 1, "q[1]: expected a number or \"inf\"/\"-inf\"");
  expect_error("{\"q\": [1],\n \"A\": [[null]], \"l\": [0], \"u\": [0]}", 2, "A[0][0]: expected a number, found null");
  expect_error("{\"q\": [1],\n \"objective_constant\": true}", 2, "objective_constant: expected a number");
  expect_error("{\"q\": 1}", 1, "q must be an array");
  expect_error("{\"q\": [1], \"name\": 7}", 1, "name must be a string");
}

TEST(JsonBatchErrors, DocumentShapeErrors) {
  expect_error("\n[1, 2]", 2, "expected an object");
  expect_error("{\"problems\": {\"q\": [1]}}", 1, "\"problems\" must be an array");
  expect_error("{\"problems\": [\n {\"q\": [1]},\n 7]}", 3, "problem 1: expected an object, found number");
  expect_error("{\"problems\": [],\n \"q\": [1]}", 2, "unexpected key \"q\" next to \"problems\"");
}

TEST(JsonBatchErrors, StringsWithBracketsDoNotShiftTheReportedLine) {
  expect_error(R"({"problems": [
  {"name": "tricky \" { [ } ] \\", "q": [1]},
  {"name": "a\nb", "q": [1],
   "A": [[1, 2]], "l": [0], "u": [0]}
]})",
               4, "problem 1 (\"a\\nb\"): A has 2 columns in row 0, expected n = 1");
}

TEST(JsonBatchErrors, HugeImpliedPIsRefused) {
  std::string text = "{\"q\": [0";
  for (int i = 0; i < 20000; ++i) text += ",0";
  text += "]}";
  expect_error(text, 1, "problem too large for dense storage");
}

}  // namespace

namespace {

const char* const kConeProblem = R"({
  "q": [1, 2],
  "A": [[0, 0], [1, 0], [0, 1], [1, 1]],
  "l": [-1, 0, 0, 0],
  "u": ["inf", "inf", "inf", 5],
  "cones": [{"first_row": 0, "dim": 3}]
})";

TEST(JsonBatchCones, ReadsConeBlocksWithTheirKinds) {
  auto batch = parse(kConeProblem);
  ASSERT_EQ(batch[0].cones.size(), 1u);
  EXPECT_EQ(batch[0].cones[0].first_row, 0);
  EXPECT_EQ(batch[0].cones[0].dim, 3);
  EXPECT_EQ(batch[0].cones[0].kind, bpqp::ConeKind::second_order);
  batch = parse(R"({"q": [1, 2, 3], "A": [[1,0,0],[0,1,0],[0,0,1]], "l": [0,0,0], "u": ["inf","inf","inf"],
                    "cones": [{"first_row": 0, "dim": 3, "kind": "rotated_second_order"}]})");
  EXPECT_EQ(batch[0].cones[0].kind, bpqp::ConeKind::rotated_second_order);
}

TEST(JsonBatchCones, RoundTripKeepsTheBlocks) {
  const auto batch = parse(kConeProblem);
  const auto again = parse(bpqp::io::write_json_batch(batch));
  expect_same(batch[0], again[0]);
  ASSERT_EQ(again[0].cones.size(), 1u);
  EXPECT_EQ(again[0].cones[0].dim, 3);
}

TEST(JsonBatchCones, BadBlocksAreReportedAtTheConesKey) {
  const std::string head = "{\n\"q\": [1, 2],\n\"A\": [[0, 0], [1, 0], [0, 1]],\n\"l\": [0, 0, 0],\n"
                           "\"u\": [\"inf\", \"inf\", \"inf\"],\n\"cones\": ";
  expect_error(head + "[{\"first_row\": 1, \"dim\": 3}]}", 6, "cones[0] (first_row = 1, dim = 3, second_order): rows 1 … 3");
  expect_error(head + "[{\"first_row\": 0, \"dim\": 2}, {\"first_row\": 1, \"dim\": 2}]}", 6, "overlaps");
  expect_error(head + "[{\"first_row\": 0, \"dim\": 2, \"kind\": \"psd\"}]}", 6, "cones[0].kind must be");
  expect_error(head + "[{\"first_row\": 0}]}", 6, "cones[0]: dim is missing");
  expect_error(head + "[{\"first_row\": 0, \"dim\": 1.5}]}", 6, "cones[0].dim must be an integer");
  expect_error(head + "[{\"first_row\": 0, \"dim\": 3, \"offset\": 1}]}", 6, "unknown key \"offset\"");
  expect_error(head + "[{\"first_row\": 0, \"dim\": 2, \"kind\": \"rotated_second_order\"}]}", 6, "expected dim >= 3");
  expect_error(head + "{\"first_row\": 0}}", 6, "cones must be an array");
}

}  // namespace

namespace {

// The example of docs/json_batch_format.md, as the page shows it.
std::string documented_example() {
  std::ifstream in(std::string(BPQP_DOCS_DIR) + "/json_batch_format.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string page = text.str();
  const std::size_t begin = page.find("```json\n", page.find("## Example"));
  const std::size_t end = page.find("```", begin + 8);
  EXPECT_NE(begin, std::string::npos);
  return page.substr(begin + 8, end - begin - 8);
}

TEST(JsonBatchDocs, TheDocumentedExampleReadsAsItSays) {
  const auto batch = parse(documented_example());
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].name, "box");
  EXPECT_EQ(batch[0].objective_constant, 2.5);
  EXPECT_EQ(batch[1].n, 1);
  ASSERT_EQ(batch[2].cones.size(), 1u);
  EXPECT_EQ(batch[2].cones[0].dim, 3);
  EXPECT_EQ(batch[2].u[0], kInf);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// P and A as triplets, and the sparse reading.
namespace {

using bpqp::SparseQp;

std::vector<SparseQp> parse_sparse(const std::string& text) { return bpqp::io::parse_json_sparse(text, kSource); }

void expect_sparse_error(const std::string& text, long line, const std::string& reason) {
  bpqp::testing::expect_parse_error(parse_sparse, text, kSource, line, reason);
}

void expect_same_csc(const bpqp::CscMatrix& a, const bpqp::CscMatrix& b) {
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.cols, b.cols);
  EXPECT_EQ(a.col_starts, b.col_starts);
  EXPECT_EQ(a.row_indices, b.row_indices);
  EXPECT_TRUE(same_bits(a.values, b.values));
}

void expect_same_sparse(const SparseQp& a, const SparseQp& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.m, b.m);
  expect_same_csc(a.P, b.P);
  expect_same_csc(a.A, b.A);
  EXPECT_TRUE(same_bits(a.q, b.q));
  EXPECT_TRUE(same_bits(a.l, b.l));
  EXPECT_TRUE(same_bits(a.u, b.u));
  bpqp::testing::expect_same_cones(a.cones, b.cones);
  EXPECT_TRUE(same_bits({a.objective_constant}, {b.objective_constant}));
}

// One problem twice: P and A as rows, and as triplets (listed out of order, A's m from l).
const char* const kRows = R"({"name": "t", "P": [[4, 1, 0], [1, 2, 0], [0, 0, 0]], "q": [1, -1, 0.5],
  "A": [[1, 0, 2], [0, 0, 0], [0, 3, 1]], "l": [-1, "-inf", 0], "u": [1, 4, "inf"],
  "objective_constant": 2})";
const char* const kTriplets = R"({"name": "t", "P": {"rows": [1, 0, 0], "cols": [1, 1, 0], "values": [2, 1, 4]},
  "q": [1, -1, 0.5],
  "A": {"rows": [2, 0, 0, 2], "cols": [1, 0, 2, 2], "values": [3, 1, 2, 1]},
  "l": [-1, "-inf", 0], "u": [1, 4, "inf"], "objective_constant": 2})";

TEST(JsonTriplets, DenseReadingOfTripletsEqualsTheRows) {
  const auto rows = parse(kRows), triplets = parse(kTriplets);
  ASSERT_EQ(triplets.size(), 1u);
  expect_same(triplets[0], rows[0]);  // P symmetric from its upper triangle, A's empty row kept
}

TEST(JsonTriplets, SparseReadingOfEitherFormIsTheSameProblem) {
  const auto rows = parse_sparse(kRows), triplets = parse_sparse(kTriplets);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(triplets.size(), 1u);
  expect_same_sparse(triplets[0], rows[0]);
  EXPECT_EQ(triplets[0].m, 3);
  EXPECT_EQ(triplets[0].P.nonzeros(), 3);  // the upper triangle only
  EXPECT_EQ(triplets[0].A.nonzeros(), 4);
  expect_same(bpqp::to_dense(triplets[0]), parse(kRows)[0]);
}

TEST(JsonTriplets, SparseReadingKeepsAnExplicitZeroTriplet) {
  // A stored zero is part of the pattern (a layer's structure may hold a value that is zero now).
  const auto qp = parse_sparse(R"({"q": [1, 1], "P": {"rows": [0, 1], "cols": [0, 1], "values": [0, 1]},
    "A": {"rows": [0], "cols": [1], "values": [0]}, "l": [0], "u": [1]})");
  EXPECT_EQ(qp[0].P.nonzeros(), 2);
  EXPECT_EQ(qp[0].A.nonzeros(), 1);
  EXPECT_EQ(qp[0].A.values[0], 0.0);
}

TEST(JsonTriplets, AsymmetricRowsOfPHaveNoSparseForm) {
  const std::string text = "{\"q\": [1, 1],\n\"P\": [[1, 2], [3, 1]]}";
  EXPECT_EQ(parse(text)[0].P[1], 2.0);  // the dense reading leaves it to the solver
  expect_sparse_error(text, 2, "P is not symmetric: P[0][1] = 2.0 but P[1][0] = 3.0");
  expect_sparse_error("{\"q\": [1, 1],\n\"P\": [[1, \"inf\"], [2, 1]]}", 2,
                      "P is not symmetric: P[0][1] = inf but P[1][0] = 2.0");
}

TEST(JsonTriplets, EmptyTripletsWithoutBoundsAreNoRows) {
  for (const auto& qp : {bpqp::to_dense(parse_sparse(R"({"q": [1, 2], "A": {"rows": [], "cols": [], "values": []}})")[0]),
                         parse(R"({"q": [1, 2], "A": {"rows": [], "cols": [], "values": []}})")[0]}) {
    EXPECT_EQ(qp.m, 0);
    EXPECT_EQ(qp.n, 2);
  }
}

TEST(JsonTriplets, TripletRowsCarryConeBlocks) {
  const char* const text = R"({"q": [1, 2],
    "A": {"rows": [1, 2, 3, 3], "cols": [0, 1, 0, 1], "values": [1, 1, 1, 1]},
    "l": [-1, 0, 0, 0], "u": ["inf", "inf", "inf", 5],
    "cones": [{"first_row": 0, "dim": 3}]})";
  const auto sparse = parse_sparse(text);
  const auto dense = parse(text);
  const auto rows = parse(kConeProblem);
  expect_same(dense[0], rows[0]);
  ASSERT_EQ(sparse[0].cones.size(), 1u);
  EXPECT_EQ(sparse[0].cones[0].dim, 3);
  expect_same(bpqp::to_dense(sparse[0]), rows[0]);
}

// Rows are checked before anything is allocated for them: 200000 empty rows against n = 200000
// once asked the sparse reading for a 4·10^10-entry array.
TEST(JsonTriplets, ShortRowsOfAHugeMatrixAreAnErrorNotAnAllocation) {
  std::string zeros = "0", empty_rows = "[]";
  for (int j = 1; j < 200000; ++j) {
    zeros += ",0";
    empty_rows += ",[]";
  }
  const std::string text = "{\"q\": [" + zeros + "],\n\"P\": [" + empty_rows + "]}";
  expect_sparse_error(text, 2, "P has 0 columns in row 0, expected n = 200000 (length of q)");
  expect_error(text, 1, "problem too large for dense storage");
}

TEST(JsonTriplets, ALargeSparseProblemIsReadOnlySparse) {
  // n = 300000: its dense P alone would be 9·10^10 entries.
  const int n = 300000;
  std::string q = "[", rows = "[", values = "[";
  for (int j = 0; j < n; ++j) {
    const char* comma = j > 0 ? ", " : "";
    q += comma + std::string("1");
    rows += comma + std::to_string(j);
    values += comma + std::string("2");
  }
  const std::string text = "{\"q\": " + q + "],\n\"P\": {\"rows\": " + rows + "], \"cols\": " + rows +
                           "], \"values\": " + values + "]}}";
  expect_error(text, 1, "problem too large for dense storage");
  const auto qp = parse_sparse(text);
  ASSERT_EQ(qp.size(), 1u);
  EXPECT_EQ(qp[0].n, n);
  EXPECT_EQ(qp[0].P.nonzeros(), n);
  EXPECT_EQ(qp[0].m, 0);
}

TEST(JsonTriplets, MalformedTripletsAreReportedAtTheirKey) {
  const std::string head = "{\"q\": [1, 2],\n\"l\": [0], \"u\": [1],\n";
  for (auto parse_with : {&expect_error, &expect_sparse_error}) {
    parse_with("{\"q\": [1, 2],\n\n\"P\": {\"rows\": [1], \"cols\": [0], \"values\": [1]}}", 3,
               "P entry 0 at (1, 0) is below the diagonal");
    parse_with(head + "\"A\": {\"rows\": [0, 0], \"cols\": [1, 1], \"values\": [1, 2]}}", 3,
               "A has two entries at (0, 1)");
    parse_with(head + "\"A\": {\"rows\": [1], \"cols\": [0], \"values\": [1]}}", 3,
               "A.rows[0] = 1 is out of range: m = 1");
    parse_with(head + "\"A\": {\"rows\": [0], \"cols\": [-1], \"values\": [1]}}", 3,
               "A.cols[0] = -1 is out of range: n = 2");
    parse_with(head + "\"A\": {\"rows\": [0], \"cols\": [0.5], \"values\": [1]}}", 3,
               "A.cols[0] must be an integer, found 0.5");
    parse_with(head + "\"A\": {\"rows\": [0, 0], \"cols\": [0], \"values\": [1]}}", 3,
               "A.rows, .cols and .values have 2, 1 and 1 entries");
    parse_with(head + "\"A\": {\"rows\": [0], \"cols\": [0]}}", 3, "A.values is missing");
    parse_with(head + "\"A\": {\"rows\": [0], \"cols\": [0], \"values\": [1], \"shape\": [1, 2]}}", 3,
               "A: unknown key \"shape\"");
    parse_with(head + "\"A\": {\"rows\": [0], \"cols\": [0], \"values\": [\"nan\"]}}", 3,
               "A.values[0]: NaN is not allowed");
    parse_with("{\"q\": [1, 2],\n\"A\": {\"rows\": [0], \"cols\": [0], \"values\": [1]}}", 2,
               "A.rows[0] = 0 is out of range: m = 0");  // no l, no u: m = 0
    parse_with("{\"q\": [1, 2],\n\"A\": {\"rows\": [0], \"cols\": [0], \"values\": [1]}, \"u\": [1]}", 2,
               "l is missing (A has 1 rows)");  // m from u
    parse_with(head + "\"A\": {\"rows\": [18446744073709551615], \"cols\": [0], \"values\": [1]}}", 3,
               "A.rows[0] = 18446744073709551615 is out of range: m = 1");
    parse_with("{\"q\": [1, 2],\n\"P\": {\"rows\": [2], \"cols\": [1], \"values\": [1]}}", 2,
               "P.rows[0] = 2 is out of range: n = 2");
    parse_with("{\"q\": [1, 2],\n\"A\": 3}", 2, "A must be an array of rows or an object of triplets");
  }
}

TEST(JsonTriplets, SparseWriterRoundTripsBitForBitThroughBothReaders) {
  SparseQp qp = bpqp::io::read_qps_sparse(std::string(BPQP_MAROS_MESZAROS_DIR) + "/QPCBOEI1.QPS");
  qp.A.values[0] = -0.0;  // the sign of a zero survives too
  const std::string text = bpqp::io::write_json_sparse({qp, qp});
  const auto back = parse_sparse(text);
  ASSERT_EQ(back.size(), 2u);
  expect_same_sparse(back[0], qp);
  expect_same_sparse(back[1], qp);
  expect_same(parse(text)[1], bpqp::to_dense(qp));
}

TEST(JsonTriplets, SparseWriterRefusesAMalformedProblem) {
  SparseQp qp = parse_sparse(kTriplets)[0];
  qp.l.pop_back();
  EXPECT_THROW(bpqp::io::write_json_sparse({qp}), bpqp::InvalidArgument);
  qp = parse_sparse(kTriplets)[0];
  qp.A.values[2] = std::numeric_limits<double>::quiet_NaN();
  try {
    bpqp::io::write_json_sparse({qp});
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("write_json_sparse: problems[0].A holds a NaN"), std::string::npos)
        << e.what();
  }
}

}  // namespace
