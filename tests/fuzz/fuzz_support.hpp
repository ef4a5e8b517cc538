// Shared by the libFuzzer targets: a property check that aborts (libFuzzer then saves the input
// as a crash), and the properties every DenseQp a reader returns must have.
//   BPQP_FUZZ_CHECK(qp.q.size() == n, "q has " << qp.q.size() << " entries");
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include <bpqp/dense_qp.hpp>
#include <bpqp/errors.hpp>
#include <bpqp/io/json_batch.hpp>

// Prints the violated property and aborts; abort (not an exception) so that no catch in the
// harness can swallow it.
#define BPQP_FUZZ_CHECK(condition, message)                                                    \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::ostringstream bpqp_fuzz_message;                                                    \
      bpqp_fuzz_message << message;                                                            \
      std::fprintf(stderr, "\n== bpqp fuzz property violated at %s:%d: %s\n   %s\n", __FILE__, \
                   __LINE__, #condition, bpqp_fuzz_message.str().c_str());                     \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)

namespace bpqp::fuzz {

// Any exception the contract does not allow ends the run here, with its type and message.
[[noreturn]] inline void unexpected_exception(const char* where, const std::exception* e) {
  std::fprintf(stderr, "\n== bpqp fuzz: unexpected exception from %s: %s\n", where,
               e != nullptr ? e->what() : "(not a std::exception)");
  std::abort();
}

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!same_bits(a[k], b[k])) return false;
  return true;
}

inline bool has_nan(const DenseQp& qp) {
  for (const std::vector<double>* v : {&qp.P, &qp.q, &qp.A, &qp.l, &qp.u})
    for (double x : *v)
      if (std::isnan(x)) return true;
  return std::isnan(qp.objective_constant);
}

// The layout both readers promise: n, m ≥ 0 and arrays of n·n, n, m·n, m, m entries.
inline void check_shape(const DenseQp& qp, const char* reader) {
  BPQP_FUZZ_CHECK(qp.n >= 0 && qp.m >= 0, reader << ": n = " << qp.n << ", m = " << qp.m);
  const std::size_t n = static_cast<std::size_t>(qp.n), m = static_cast<std::size_t>(qp.m);
  BPQP_FUZZ_CHECK(qp.P.size() == n * n, reader << ": P has " << qp.P.size() << " entries, n = " << n);
  BPQP_FUZZ_CHECK(qp.q.size() == n, reader << ": q has " << qp.q.size() << " entries, n = " << n);
  BPQP_FUZZ_CHECK(qp.A.size() == m * n, reader << ": A has " << qp.A.size() << " entries, m·n = " << m * n);
  BPQP_FUZZ_CHECK(qp.l.size() == m, reader << ": l has " << qp.l.size() << " entries, m = " << m);
  BPQP_FUZZ_CHECK(qp.u.size() == m, reader << ": u has " << qp.u.size() << " entries, m = " << m);
}

// write_json_batch promises numbers that "read back bit for bit"; NaN is the one value it must
// refuse (InvalidArgument), since JSON has no NaN.
inline void check_json_round_trip(const std::vector<DenseQp>& batch) {
  bool any_nan = false;
  for (const DenseQp& qp : batch) any_nan = any_nan || has_nan(qp);
  std::string text;
  try {
    text = io::write_json_batch(batch);
  } catch (const InvalidArgument& e) {
    BPQP_FUZZ_CHECK(any_nan, "write_json_batch refused a batch without NaN: " << e.what());
    return;
  } catch (const std::exception& e) {
    unexpected_exception("write_json_batch", &e);
  }
  BPQP_FUZZ_CHECK(!any_nan, "write_json_batch accepted a NaN");
  std::vector<DenseQp> back;
  try {
    back = io::parse_json_batch(text, "round-trip.json");
  } catch (const std::exception& e) {
    BPQP_FUZZ_CHECK(false, "write_json_batch output does not read back: " << e.what() << "\n" << text.substr(0, 2000));
  }
  BPQP_FUZZ_CHECK(back.size() == batch.size(), "round trip: " << batch.size() << " problems became " << back.size());
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const DenseQp& a = batch[k];
    const DenseQp& b = back[k];
    BPQP_FUZZ_CHECK(a.name == b.name || a.name.empty() == b.name.empty(), "round trip: problem " << k << " name");
    BPQP_FUZZ_CHECK(a.n == b.n && a.m == b.m, "round trip: problem " << k << " is " << a.n << "x" << a.m
                                                                     << ", read back as " << b.n << "x" << b.m);
    BPQP_FUZZ_CHECK(same_values(a.P, b.P), "round trip: problem " << k << " P differs");
    BPQP_FUZZ_CHECK(same_values(a.q, b.q), "round trip: problem " << k << " q differs");
    BPQP_FUZZ_CHECK(same_values(a.A, b.A), "round trip: problem " << k << " A differs");
    BPQP_FUZZ_CHECK(same_values(a.l, b.l), "round trip: problem " << k << " l differs");
    BPQP_FUZZ_CHECK(same_values(a.u, b.u), "round trip: problem " << k << " u differs");
    BPQP_FUZZ_CHECK(same_bits(a.objective_constant, b.objective_constant),
                    "round trip: problem " << k << " objective_constant " << a.objective_constant << " read back as "
                                           << b.objective_constant);
    BPQP_FUZZ_CHECK(a.cones.size() == b.cones.size(), "round trip: problem " << k << " cone count differs");
    for (std::size_t c = 0; c < a.cones.size() && c < b.cones.size(); ++c)
      BPQP_FUZZ_CHECK(a.cones[c].first_row == b.cones[c].first_row && a.cones[c].dim == b.cones[c].dim &&
                          a.cones[c].kind == b.cones[c].kind,
                      "round trip: problem " << k << " cone " << c << " differs");
  }
}

}  // namespace bpqp::fuzz
