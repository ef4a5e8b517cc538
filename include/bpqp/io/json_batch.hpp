// Reads and writes batches of QPs as JSON, the simplest way to hand problems to bpqp's tools:
//   std::vector<bpqp::DenseQp> batch = bpqp::io::read_json_batch("batch.json");
//   std::string text = bpqp::io::write_json_batch(batch);   // reads back to the same batch
//
// Schema (docs/json_batch_format.md has the full page). The document is either
//   {"problems": [PROBLEM, ...]}       or a single       PROBLEM
// with PROBLEM an object of these keys (no others):
//   "name"                optional string
//   "P"                   optional n×n array of rows (full symmetric matrix); omitted or [] = zero (LP)
//   "q"                   required, length n: it defines n
//   "A"                   m×n array of rows; optional when m = 0
//   "l", "u"              length m each; optional when m = 0
//   "objective_constant"  optional number, default 0
// Every entry is a JSON number or one of the strings "inf", "+inf", "-inf", "infinity",
// "+infinity", "-infinity" (any case). Only l and u may meaningfully be infinite; an infinite
// entry of P, q or A is read as such and left for the solver to report as invalid input, so
// that one bad problem does not stop a batch from loading. The string "nan" is rejected.
// Symmetry of P and l <= u are likewise the solver's checks, not the reader's.
//
// Malformed input throws bpqp::ParseError("file:line: reason"): syntax errors at their line,
// shape errors at the line of the offending key (or of the problem object), with the problem's
// 0-based index in the batch, e.g. "problem 3: A has 4 columns in row 0, expected n = 5
// (length of q)". A file that cannot be opened is a ParseError at line 0.
#pragma once

#include <string>
#include <vector>

#include "bpqp/dense_qp.hpp"

namespace bpqp::io {

// Reads the JSON file at `path`.
std::vector<DenseQp> read_json_batch(const std::string& path);

// Parses JSON text; `source_name` stands for the file in error messages.
std::vector<DenseQp> parse_json_batch(const std::string& text, const std::string& source_name);

// Writes the batch in the {"problems": [...]} form, one matrix row per line, infinite values as
// "inf"/"-inf", numbers with enough digits to read back bit for bit. Throws bpqp::InvalidArgument
// for a problem whose arrays do not match its n and m, or that holds a NaN (JSON has no NaN).
std::string write_json_batch(const std::vector<DenseQp>& problems);

}  // namespace bpqp::io
