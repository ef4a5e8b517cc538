// libFuzzer target: arbitrary bytes → bpqp::io::parse_json_batch. The reader's contract
// (json_batch.hpp): malformed input is a ParseError; every problem it returns has the
// documented layout, no NaN, and write_json_batch writes the batch back bit for bit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <bpqp/io/json_batch.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<bpqp::DenseQp> batch;
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
  return 0;
}
