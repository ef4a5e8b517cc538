// Reads the continuous LP/SOCP subset of CBF, the Conic Benchmark Format of CBLIB
// (Friberg 2016), into a DenseQp (or a SparseQp) with cone blocks (include/bpqp/cones.hpp):
//   DenseQp qp = bpqp::io::read_cbf("nb.cbf");
//   SparseQp big = bpqp::io::read_cbf_sparse("large_lp.cbf");
// Malformed or unsupported input throws bpqp::ParseError("file:line: reason"); nothing else.
//
// The problem  min/max  Σ_j a_j x_j + b   subject to  x ∈ K_var,  g = A x + b ∈ K_con
// becomes: q = a, objective_constant = b (OBJSENSE MAX negates both, so that the result is always
// a minimization, as read_qps does), P = 0, and the rows
//   - the CON rows in file order: F free (l = −inf, u = +inf), L+ g ≥ 0, L− g ≤ 0, L= g = 0 as
//     box rows (bounds −b_i), Q and QR as cone blocks (A_k x − l_k ∈ K with l_k = −b_k);
//   - then one identity row per variable in a non-free VAR cone, in variable order: L+, L−, L=
//     as box rows on x_j, Q and QR as cone blocks (offset 0).
// A QR cone of dimension 2 (2·t·s ≥ 0, t, s ≥ 0) becomes two L+ rows; of dimension 1, an error.
// Keywords: VER (1–3, first), OBJSENSE (MIN or MAX), VAR, CON, OBJACOORD, OBJBCOORD, ACOORD,
// BCOORD; '#' starts a comment line. Integer variables (INT), semidefinite (PSDVAR, PSDCON,
// OBJFCOORD, FCOORD, HCOORD, DCOORD), exponential and power cones (EXP, EXP*, POW, POW*,
// POWCONES, POW*CONES) are outside the subset: a ParseError saying so, at their line. So is a
// repeated coordinate, an index out of range, a non-finite value, or (read_cbf) a problem too
// large for dense storage.
#pragma once

#include <iosfwd>
#include <string>

#include "bpqp/dense_qp.hpp"
#include "bpqp/sparse_qp.hpp"

namespace bpqp::io {

// Reads the file at `path`; a file that cannot be opened is a ParseError at line 0.
DenseQp read_cbf(const std::string& path);

// Parses CBF text from `in`; `source_name` stands for the file in error messages.
DenseQp parse_cbf(std::istream& in, const std::string& source_name);

// The same problem with A in compressed sparse columns (P = 0, stored empty), never formed
// densely: no size limit beyond 32-bit row counts. ACOORD entries are kept as written, zeros
// included; to_dense() of it is what read_cbf gives, to the bit.
SparseQp read_cbf_sparse(const std::string& path);
SparseQp parse_cbf_sparse(std::istream& in, const std::string& source_name);

}  // namespace bpqp::io
