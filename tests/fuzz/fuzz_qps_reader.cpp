// libFuzzer target: arbitrary bytes → bpqp::io::parse_qps. The reader's contract
// (qps_reader.hpp): malformed input is a ParseError, nothing else is thrown; a problem it
// returns has the documented layout (rows of ROWS, then one identity row per bounded
// variable) and survives a JSON write/read round trip bit for bit; parse_qps_sparse reads the
// same text into a well-formed SparseQp whose dense form is that problem.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <bpqp/io/qps_reader.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  bpqp::io::QpsInfo info;
  bpqp::DenseQp qp;
  try {
    qp = bpqp::io::parse_qps(in, "fuzz.qps", &info);
  } catch (const bpqp::ParseError& e) {
    BPQP_FUZZ_CHECK(e.file() == "fuzz.qps", "ParseError names file '" << e.file() << "'");
    BPQP_FUZZ_CHECK(e.line() >= 0, "ParseError at line " << e.line());
    return 0;
  } catch (const std::exception& e) {
    // InvalidArgument included: the header promises ParseError for every malformed input.
    bpqp::fuzz::unexpected_exception("parse_qps", &e);
  } catch (...) {
    bpqp::fuzz::unexpected_exception("parse_qps", nullptr);
  }

  bpqp::fuzz::check_shape(qp, "parse_qps");
  BPQP_FUZZ_CHECK(info.row_constraints >= 0 && info.bounded_variables >= 0 &&
                      info.row_constraints + info.bounded_variables == qp.m,
                  "QpsInfo: " << info.row_constraints << " rows + " << info.bounded_variables
                              << " bounded variables != m = " << qp.m);
  const std::size_t n = static_cast<std::size_t>(qp.n);
  for (int i = 0; i < qp.m; ++i) {
    // Bounds are checked by the reader: never NaN, never crossed, never an empty side.
    const double l = qp.l[i], u = qp.u[i];
    BPQP_FUZZ_CHECK(!std::isnan(l) && !std::isnan(u) && l <= u && l != HUGE_VAL && u != -HUGE_VAL,
                    "row " << i << " has bounds [" << l << ", " << u << "]");
    if (i < info.row_constraints) continue;
    // Identity rows: exactly one entry, 1.0, in strictly increasing columns.
    int ones = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double a = qp.A[static_cast<std::size_t>(i) * n + j];
      BPQP_FUZZ_CHECK(a == 0.0 || a == 1.0, "bound row " << i << " has A = " << a << " in column " << j);
      ones += a == 1.0;
    }
    BPQP_FUZZ_CHECK(ones == 1, "bound row " << i << " has " << ones << " unit entries");
  }
  bpqp::fuzz::check_json_round_trip({qp});

  // The sparse form of the same text: a well-formed SparseQp whose dense form is qp, bit for bit.
  std::istringstream again(std::string(reinterpret_cast<const char*>(data), size));
  bpqp::SparseQp sparse;
  try {
    sparse = bpqp::io::parse_qps_sparse(again, "fuzz.qps");
    bpqp::validate(sparse);
  } catch (const std::exception& e) {
    bpqp::fuzz::unexpected_exception("parse_qps_sparse", &e);
  }
  const bpqp::DenseQp dense = bpqp::to_dense(sparse);
  BPQP_FUZZ_CHECK(dense.n == qp.n && dense.m == qp.m && dense.P == qp.P && dense.q == qp.q && dense.A == qp.A &&
                      dense.l == qp.l && dense.u == qp.u && dense.objective_constant == qp.objective_constant,
                  "parse_qps_sparse's problem differs from parse_qps's");
  return 0;
}
