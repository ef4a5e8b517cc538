// Reads and writes batches of QPs as JSON, the simplest way to hand problems to bpqp's tools:
//   std::vector<bpqp::DenseQp> batch = bpqp::io::read_json_batch("batch.json");
//   std::string text = bpqp::io::write_json_batch(batch);   // reads back to the same batch
//
// Schema (docs/json_batch_format.md has the full page). The document is either
//   {"problems": [PROBLEM, ...]}       or a single       PROBLEM
// with PROBLEM an object of these keys (no others):
//   "name"                optional string
//   "P"                   optional n×n array of rows (full symmetric matrix), or triplets of its
//                         upper triangle; omitted or [] = zero (LP)
//   "q"                   required, length n: it defines n
//   "A"                   m×n array of rows (their count defines m), or triplets (l's length
//                         defines m); optional when m = 0
//   "l", "u"              length m each; optional when m = 0
//   "cones"               optional array of {"first_row", "dim", "kind"}
//   "objective_constant"  optional number, default 0
// Triplets are {"rows": [...], "cols": [...], "values": [...]}: entry k at (rows[k], cols[k]),
// 0-based, each position at most once (a repeat is a ParseError, as is a P entry below the
// diagonal): the form for large sparse problems, which read_json_sparse reads without ever
// forming a dense matrix.
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
#include "bpqp/sparse_qp.hpp"

namespace bpqp::io {

// Reads the JSON file at `path`.
std::vector<DenseQp> read_json_batch(const std::string& path);

// Parses JSON text; `source_name` stands for the file in error messages.
std::vector<DenseQp> parse_json_batch(const std::string& text, const std::string& source_name);

// Writes the batch in the {"problems": [...]} form, one matrix row per line, infinite values as
// "inf"/"-inf", numbers with enough digits to read back bit for bit. Throws bpqp::InvalidArgument
// for a problem whose arrays do not match its n and m, or that holds a NaN (JSON has no NaN).
std::string write_json_batch(const std::vector<DenseQp>& problems);

// The same documents read into sparse storage (bpqp/sparse_qp.hpp), for the sparse path: no
// size limit beyond 32-bit indices, triplets kept as written (explicit zeros included), rows
// of a dense P or A reduced to their nonzeros (P's upper triangle). A dense P that is not
// symmetric has no upper-triangle form, so here it is a ParseError naming the first pair that
// differs (the dense reading leaves it to the solver's invalid_input).
std::vector<SparseQp> read_json_sparse(const std::string& path);
std::vector<SparseQp> parse_json_sparse(const std::string& text, const std::string& source_name);

// Writes sparse problems with P and A as triplets (column by column), readable by both
// readers, bit for bit. Throws InvalidArgument as validate(SparseQp) does, or for a NaN.
std::string write_json_sparse(const std::vector<SparseQp>& problems);

}  // namespace bpqp::io
