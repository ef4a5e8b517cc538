// libFuzzer target: arbitrary bytes → bpqp::io::parse_cbf. The reader's contract
// (cbf_reader.hpp): malformed or unsupported input is a ParseError, nothing else is thrown; a
// problem it returns has the documented layout — a valid cone layout, finite data, cone rows
// with a finite offset and u = +inf, box rows with l ≤ u — and survives a JSON write/read round
// trip bit for bit; parse_cbf_sparse reads the same input to the same problem (densified).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <bpqp/io/cbf_reader.hpp>
#include <bpqp/qp_batch_view.hpp>
#include <bpqp/sparse_qp.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  bpqp::DenseQp qp;
  try {
    qp = bpqp::io::parse_cbf(in, "fuzz.cbf");
  } catch (const bpqp::ParseError& e) {
    BPQP_FUZZ_CHECK(e.file() == "fuzz.cbf", "ParseError names file '" << e.file() << "'");
    BPQP_FUZZ_CHECK(e.line() >= 0, "ParseError at line " << e.line());
    return 0;
  } catch (const std::exception& e) {
    bpqp::fuzz::unexpected_exception("parse_cbf", &e);
  } catch (...) {
    bpqp::fuzz::unexpected_exception("parse_cbf", nullptr);
  }

  bpqp::fuzz::check_shape(qp, "parse_cbf");
  BPQP_FUZZ_CHECK(qp.n >= 1, "a problem without variables was returned");
  try {
    bpqp::validate_cones(qp.cones.data(), static_cast<int>(qp.cones.size()), qp.m);
  } catch (const std::exception& e) {
    BPQP_FUZZ_CHECK(false, "the cone layout is invalid: " << e.what());
  }
  std::vector<bool> in_cone(qp.m, false);
  for (const bpqp::ConeBlock& c : qp.cones)
    for (int r = 0; r < c.dim; ++r) in_cone[c.first_row + r] = true;
  for (double v : qp.P) BPQP_FUZZ_CHECK(v == 0.0, "P is not zero");
  for (double v : qp.q) BPQP_FUZZ_CHECK(std::isfinite(v), "q has " << v);
  for (double v : qp.A) BPQP_FUZZ_CHECK(std::isfinite(v), "A has " << v);
  BPQP_FUZZ_CHECK(std::isfinite(qp.objective_constant), "objective_constant " << qp.objective_constant);
  for (int i = 0; i < qp.m; ++i) {
    const double l = qp.l[i], u = qp.u[i];
    if (in_cone[i])
      BPQP_FUZZ_CHECK(std::isfinite(l) && u == HUGE_VAL, "cone row " << i << " has bounds [" << l << ", " << u << "]");
    else
      BPQP_FUZZ_CHECK(!std::isnan(l) && !std::isnan(u) && l <= u && l != HUGE_VAL && u != -HUGE_VAL,
                      "row " << i << " has bounds [" << l << ", " << u << "]");
  }
  bpqp::fuzz::check_json_round_trip({qp});

  // The sparse reader reads what the dense one read, and densified it is the same problem.
  std::istringstream again(std::string(reinterpret_cast<const char*>(data), size));
  bpqp::DenseQp densified;
  try {
    densified = bpqp::to_dense(bpqp::io::parse_cbf_sparse(again, "fuzz.cbf"));
  } catch (const std::exception& e) {
    bpqp::fuzz::unexpected_exception("parse_cbf_sparse after parse_cbf succeeded", &e);
  }
  BPQP_FUZZ_CHECK(densified.n == qp.n && densified.m == qp.m && densified.P == qp.P && densified.q == qp.q &&
                      densified.A == qp.A && densified.l == qp.l && densified.u == qp.u &&
                      densified.objective_constant == qp.objective_constant &&
                      densified.cones.size() == qp.cones.size(),
                  "parse_cbf_sparse's problem, densified, differs from parse_cbf's");
  return 0;
}
