// libFuzzer target: arbitrary bytes → bpqp::io::parse_json_batch. The reader's contract
// (json_batch.hpp): malformed input is a ParseError; every problem it returns has the
// documented layout, no NaN, and write_json_batch writes the batch back bit for bit. The same
// bytes through parse_json_sparse: a ParseError, or problems that validate, write back bit for
// bit through write_json_sparse and, where the dense reading succeeded too, densify to its
// problems (its one extra refusal: a dense P that is not symmetric).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <bpqp/io/json_batch.hpp>
#include <bpqp/sparse_qp.hpp>

#include "fuzz_support.hpp"

namespace {

bool same_cones(const std::vector<bpqp::ConeBlock>& a, const std::vector<bpqp::ConeBlock>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].first_row != b[k].first_row || a[k].dim != b[k].dim || a[k].kind != b[k].kind) return false;
  return true;
}

// parse_json_sparse: a ParseError (with a line) or problems that pass validate and write back
// bit for bit through write_json_sparse; `sparse` is left empty after a ParseError.
bool parse_sparse_checked(const std::string& text, std::vector<bpqp::SparseQp>& sparse, std::string& refusal) {
  try {
    sparse = bpqp::io::parse_json_sparse(text, "fuzz.json");
  } catch (const bpqp::ParseError& e) {
    BPQP_FUZZ_CHECK(e.file() == "fuzz.json" && e.line() >= 1, "parse_json_sparse: " << e.what());
    refusal = e.what();
    return false;
  } catch (const std::exception& e) {
    bpqp::fuzz::unexpected_exception("parse_json_sparse", &e);
  }
  for (const bpqp::SparseQp& qp : sparse) {
    try {
      bpqp::validate(qp);
    } catch (const std::exception& e) {
      BPQP_FUZZ_CHECK(false, "parse_json_sparse returned a malformed problem: " << e.what());
    }
  }
  std::vector<bpqp::SparseQp> back;
  try {
    back = bpqp::io::parse_json_sparse(bpqp::io::write_json_sparse(sparse), "round-trip.json");
  } catch (const std::exception& e) {
    BPQP_FUZZ_CHECK(false, "write_json_sparse output does not read back: " << e.what());
  }
  BPQP_FUZZ_CHECK(back.size() == sparse.size(), "sparse round trip changed the problem count");
  for (std::size_t k = 0; k < back.size(); ++k) {
    const bpqp::SparseQp &a = sparse[k], &b = back[k];
    BPQP_FUZZ_CHECK(a.n == b.n && a.m == b.m && a.P.col_starts == b.P.col_starts &&
                        a.P.row_indices == b.P.row_indices && bpqp::fuzz::same_values(a.P.values, b.P.values) &&
                        a.A.col_starts == b.A.col_starts && a.A.row_indices == b.A.row_indices &&
                        bpqp::fuzz::same_values(a.A.values, b.A.values) && bpqp::fuzz::same_values(a.q, b.q) &&
                        bpqp::fuzz::same_values(a.l, b.l) && bpqp::fuzz::same_values(a.u, b.u) &&
                        bpqp::fuzz::same_bits(a.objective_constant, b.objective_constant) &&
                        same_cones(a.cones, b.cones),
                    "sparse round trip changed problem " << k);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<bpqp::DenseQp> batch;
  std::vector<bpqp::SparseQp> sparse;
  std::string sparse_refusal;
  const bool sparse_read = parse_sparse_checked(text, sparse, sparse_refusal);
  try {
    batch = bpqp::io::parse_json_batch(text, "fuzz.json");
  } catch (const bpqp::ParseError& e) {
    BPQP_FUZZ_CHECK(e.file() == "fuzz.json", "ParseError names file '" << e.file() << "'");
    BPQP_FUZZ_CHECK(e.line() >= 1, "ParseError at line " << e.line() << ": " << e.what());
    return 0;
  } catch (const std::exception& e) {
    // InvalidArgument included: the header promises ParseError for every malformed input.
    bpqp::fuzz::unexpected_exception("parse_json_batch", &e);
  } catch (...) {
    bpqp::fuzz::unexpected_exception("parse_json_batch", nullptr);
  }

  for (const bpqp::DenseQp& qp : batch) {
    bpqp::fuzz::check_shape(qp, "parse_json_batch");
    BPQP_FUZZ_CHECK(!bpqp::fuzz::has_nan(qp), "parse_json_batch returned a NaN (problem '" << qp.name << "')");
  }
  bpqp::fuzz::check_json_round_trip(batch);

  // Where the dense reading succeeds, the sparse one reads the same problems (densified, equal
  // in value: a −0 entry of a dense row is not stored), or refuses an asymmetric dense P.
  BPQP_FUZZ_CHECK(sparse_read || sparse_refusal.find("is not symmetric") != std::string::npos,
                  "parse_json_sparse refused what parse_json_batch read: " << sparse_refusal);
  if (!sparse_read) return 0;
  BPQP_FUZZ_CHECK(sparse.size() == batch.size(), "the two readings disagree on the problem count");
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const bpqp::DenseQp d = bpqp::to_dense(sparse[k], 1LL << 40);
    const bpqp::DenseQp& qp = batch[k];
    BPQP_FUZZ_CHECK(d.n == qp.n && d.m == qp.m && d.P == qp.P && d.q == qp.q && d.A == qp.A && d.l == qp.l &&
                        d.u == qp.u && same_cones(d.cones, qp.cones) && d.name == qp.name &&
                        bpqp::fuzz::same_bits(d.objective_constant, qp.objective_constant),
                    "parse_json_sparse's problem " << k << ", densified, differs from parse_json_batch's");
  }
  return 0;
}
