// Reads QPS / MPS files (LP and convex QP) into a DenseQp (or a SparseQp) in OSQP form:
//   DenseQp qp = bpqp::io::read_qps("HS21.QPS");
//   SparseQp big = bpqp::io::read_qps_sparse("BOYD1.QPS");
// Malformed input throws bpqp::ParseError("file:line: reason"); nothing else is thrown.
//
// Output layout. Rows of A are the ROWS constraints (E/L/G) in file order, then one identity
// row e_jᵀ per variable with at least one finite bound, in column order, with l/u = the
// variable's bounds. So qp.m = info.row_constraints + info.bounded_variables. P is the full
// symmetric n×n Hessian, q the linear costs, objective_constant = −(RHS of the objective row).
// An OBJSENSE of MAX negates P, q and the constant, so the result is always a minimization.
//
// Sections: NAME, OBJSENSE (MIN/MAX on the same or the next line), ROWS, COLUMNS, RHS, RANGES,
// BOUNDS, QUADOBJ (one triangle: off-diagonal entries are mirrored), QMATRIX and QSECTION (the
// full matrix: entries are taken as listed, then P = (Q + Qᵀ)/2, which gives the same objective),
// ENDATA (optional; text after it is ignored). Conventions where MPS dialects differ:
//   - The first N row is the objective; further N rows are free rows and are dropped.
//   - Default bounds are [0, +inf). UP with a negative value on a variable whose lower bound was
//     never set makes the lower bound −inf (the CPLEX/HiGHS convention), not an empty box.
//   - RANGES R: G row [b, b+|R|]; L row [b−|R|, b]; E row [b, b+|R|] if R > 0, [b−|R|, b] if
//     R < 0, [b, b] if R = 0. Ranges and RHS on N rows are ignored, except the objective's RHS.
//   - |value| >= 1e30 in RHS, RANGES or BOUNDS means infinity, as do "inf"/"infinity".
//   - Only the first named RHS / RANGES / BOUNDS set is used; lines without a set name
//     (free format) always apply. A COLUMNS, RHS, RANGES or quadratic entry may be repeated
//     only with the same value; BOUNDS lines apply in order (the last one for a side wins).
//   - Values are kept as written: no tiny coefficient is dropped.
//   - Integer data (MARKER lines, BV/LI/UI/SC bounds) is rejected.
// Format. The file is parsed as free MPS (whitespace-separated fields) first; if that fails, it
// is parsed as fixed MPS (fields in columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61, where names
// may contain spaces). The first parse that succeeds wins; if both fail, the error of the one
// that got further is reported. QpsInfo::fixed_format says which one was used.
#pragma once

#include <iosfwd>
#include <string>

#include "bpqp/dense_qp.hpp"
#include "bpqp/sparse_qp.hpp"

namespace bpqp::io {

// What the reader found besides the problem itself.
struct QpsInfo {
  int row_constraints = 0;    // E/L/G rows of ROWS: the first rows of A
  int bounded_variables = 0;  // identity rows appended after them
  bool fixed_format = false;  // true when the fixed-column parse was the one that succeeded
};

// Reads the file at `path`; a file that cannot be opened is a ParseError at line 0.
DenseQp read_qps(const std::string& path, QpsInfo* info = nullptr);

// Parses QPS text from `in`; `source_name` stands for the file in error messages.
DenseQp parse_qps(std::istream& in, const std::string& source_name, QpsInfo* info = nullptr);

// The same problem with P (upper triangle) and A in compressed sparse columns, never formed
// densely: no size limit beyond 32-bit row counts. Explicit entries are kept as written, zeros
// included; P's entry (i, j), i ≤ j, is (Q_ij + Q_ji)/2. to_dense() of it is what read_qps
// gives, to the bit.
SparseQp read_qps_sparse(const std::string& path, QpsInfo* info = nullptr);
SparseQp parse_qps_sparse(std::istream& in, const std::string& source_name, QpsInfo* info = nullptr);

}  // namespace bpqp::io
