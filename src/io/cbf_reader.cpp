// CBF reader: the continuous LP/SOCP subset (include/bpqp/io/cbf_reader.hpp).
#include "bpqp/io/cbf_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <istream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bpqp/errors.hpp"
#include "io/csc_assembly.hpp"

namespace bpqp::io {
namespace {

constexpr long long kMaxDenseEntries = 1LL << 28;  // as the QPS and JSON readers
constexpr double kInf = std::numeric_limits<double>::infinity();

enum class CbfCone { free, nonnegative, nonpositive, zero, quadratic, rotated_quadratic };

// A run of consecutive variables or rows in one cone.
struct ConeRun {
  CbfCone kind;
  int dim;
};

class CbfParser {
 public:
  CbfParser(std::istream& in, const std::string& source) : in_(in), source_(source) {}
  // max_dense_entries < 0: no limit (the sparse reader).
  SparseQp parse(long long max_dense_entries);

 private:
  [[noreturn]] void fail(const std::string& reason) const { throw ParseError(source_, line_, reason); }
  // The next line with text (comments and blank lines skipped), as tokens; false at the end.
  bool next_line(std::vector<std::string>& tokens);
  std::vector<std::string> required_line(const std::string& what);
  long long integer(const std::string& token, const std::string& what) const;
  double number(const std::string& token, const std::string& what) const;
  std::vector<ConeRun> cones(const std::string& section, int* total);
  void coordinates(const std::string& section, int indices, std::map<std::pair<int, int>, double>& out,
                   int bound0, int bound1);
  SparseQp assemble(long long max_dense_entries) const;

  std::istream& in_;
  const std::string& source_;
  long line_ = 0;
  bool maximize_ = false;
  int n_ = -1, m_ = -1;
  std::vector<ConeRun> var_cones_, con_cones_;
  std::map<std::pair<int, int>, double> a_, b_, objective_a_;  // (row, column) → value
  double objective_b_ = 0.0;
};

bool CbfParser::next_line(std::vector<std::string>& tokens) {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    std::istringstream words(text);
    tokens.clear();
    for (std::string w; words >> w;) tokens.push_back(w);
    if (tokens.empty() || tokens[0][0] == '#') continue;
    return true;
  }
  return false;
}

std::vector<std::string> CbfParser::required_line(const std::string& what) {
  std::vector<std::string> tokens;
  if (!next_line(tokens)) fail("unexpected end of file: expected " + what);
  return tokens;
}

long long CbfParser::integer(const std::string& token, const std::string& what) const {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(token.c_str(), &end, 10);
  if (end == token.c_str() || *end != '\0' || errno == ERANGE) fail(what + ": expected an integer, found '" + token + "'");
  return v;
}

double CbfParser::number(const std::string& token, const std::string& what) const {
  char* end = nullptr;
  const double v = std::strtod(token.c_str(), &end);
  if (end == token.c_str() || *end != '\0') fail(what + ": expected a number, found '" + token + "'");
  if (!std::isfinite(v)) fail(what + ": " + token + " is not a finite number");
  return v;
}

// "total count" then `count` lines "CONE dim", whose dimensions must add up to total.
std::vector<ConeRun> CbfParser::cones(const std::string& section, int* total) {
  const auto head = required_line(section + "'s sizes");
  if (head.size() != 2) fail(section + ": expected two integers (the size and the number of cones)");
  const long long size = integer(head[0], section + " size"), count = integer(head[1], section + " cone count");
  if (size < 0 || size > std::numeric_limits<int>::max() || count < 0 || count > size)
    fail(section + ": size " + head[0] + " with " + head[1] + " cones is out of range");
  std::vector<ConeRun> runs;
  long long covered = 0;
  for (long long k = 0; k < count; ++k) {
    const auto t = required_line(section + " cone " + std::to_string(k));
    if (t.size() != 2) fail(section + ": expected a cone and its dimension");
    const long long dim = integer(t[1], section + " cone dimension");
    if (dim < 1 || dim > size - covered) fail(section + ": cone " + t[0] + " of dimension " + t[1] + " does not fit");
    static const std::map<std::string, CbfCone> kinds = {
        {"F", CbfCone::free},      {"L+", CbfCone::nonnegative}, {"L-", CbfCone::nonpositive},
        {"L=", CbfCone::zero},     {"Q", CbfCone::quadratic},    {"QR", CbfCone::rotated_quadratic}};
    const auto kind = kinds.find(t[0]);
    if (kind == kinds.end()) {
      const bool known = t[0] == "EXP" || t[0] == "EXP*" || t[0] == "POW" || t[0] == "POW*" || t[0].rfind("@", 0) == 0 ||
                         t[0] == "SVEC_PSD";
      fail(known ? "cone " + t[0] + " is outside the LP/SOCP subset bpqp reads (F, L+, L-, L=, Q, QR)"
                 : "unknown cone '" + t[0] + "' (expected F, L+, L-, L=, Q or QR)");
    }
    if (kind->second == CbfCone::rotated_quadratic && dim < 2)
      fail(section + ": a QR cone needs dimension >= 2, found " + t[1]);
    runs.push_back({kind->second, static_cast<int>(dim)});
    covered += dim;
  }
  if (covered != size) fail(section + ": the cones cover " + std::to_string(covered) + " of " + head[0] + " entries");
  *total = static_cast<int>(size);
  return runs;
}

// "count" then `count` lines of `indices` integers and a value; each index below its bound.
void CbfParser::coordinates(const std::string& section, int indices, std::map<std::pair<int, int>, double>& out,
                            int bound0, int bound1) {
  const auto head = required_line(section + "'s count");
  if (head.size() != 1) fail(section + ": expected the number of coordinates");
  const long long count = integer(head[0], section + " count");
  const int bounds[2] = {bound0, bound1};
  if (count < 0 || count > static_cast<long long>(bound0) * std::max(bound1, 1))
    fail(section + ": " + head[0] + " coordinates is out of range");
  for (long long k = 0; k < count; ++k) {
    const auto t = required_line(section + " coordinate " + std::to_string(k));
    if (static_cast<int>(t.size()) != indices + 1)
      fail(section + ": expected " + std::to_string(indices) + " index(es) and a value");
    int index[2] = {0, 0};
    for (int d = 0; d < indices; ++d) {
      const long long v = integer(t[d], section + " index");
      if (v < 0 || v >= bounds[d])
        fail(section + ": index " + t[d] + " is out of range (0 … " + std::to_string(bounds[d] - 1) + ")");
      index[d] = static_cast<int>(v);
    }
    const double value = number(t[indices], section + " value");
    if (!out.emplace(std::make_pair(index[0], index[1]), value).second) fail(section + ": repeated coordinate");
  }
}

SparseQp CbfParser::parse(long long max_dense_entries) {
  std::vector<std::string> tokens;
  std::set<std::string> seen;
  bool first = true;
  while (next_line(tokens)) {
    const std::string& key = tokens[0];
    if (tokens.size() != 1) fail("expected a keyword alone on its line, found '" + key + " …'");
    if (first && key != "VER") fail("the file must start with VER, found " + key);
    first = false;
    if (!seen.insert(key).second) fail("repeated keyword " + key);
    if (key == "VER") {
      const auto t = required_line("the version");
      if (t.size() != 1 || integer(t[0], "VER") < 1) fail("VER: expected a version number >= 1");
    } else if (key == "OBJSENSE") {
      const auto t = required_line("MIN or MAX");
      if (t.size() != 1 || (t[0] != "MIN" && t[0] != "MAX")) fail("OBJSENSE: expected MIN or MAX");
      maximize_ = t[0] == "MAX";
    } else if (key == "VAR") {
      var_cones_ = cones("VAR", &n_);
    } else if (key == "CON") {
      con_cones_ = cones("CON", &m_);
    } else if (key == "OBJACOORD" || key == "ACOORD" || key == "BCOORD") {
      if (n_ < 0 && key != "BCOORD") fail(key + " before VAR (the number of variables)");
      if (m_ < 0 && key != "OBJACOORD") fail(key + " before CON (the number of rows)");
      if (key == "OBJACOORD") coordinates(key, 1, objective_a_, n_, 1);
      if (key == "ACOORD") coordinates(key, 2, a_, m_, n_);
      if (key == "BCOORD") coordinates(key, 1, b_, m_, 1);
    } else if (key == "OBJBCOORD") {
      const auto t = required_line("the objective's constant");
      if (t.size() != 1) fail("OBJBCOORD: expected one number");
      objective_b_ = number(t[0], "OBJBCOORD");
    } else if (key == "INT") {
      fail("integer variables (INT) are outside the continuous subset bpqp reads");
    } else if (key == "PSDVAR" || key == "PSDCON" || key == "OBJFCOORD" || key == "FCOORD" || key == "HCOORD" ||
               key == "DCOORD") {
      fail(key + ": semidefinite data is outside the LP/SOCP subset bpqp reads");
    } else if (key == "POWCONES" || key == "POW*CONES") {
      fail(key + ": power cones are outside the LP/SOCP subset bpqp reads");
    } else {
      fail("unknown keyword " + key);
    }
  }
  if (seen.empty()) fail("empty file: expected VER");
  if (n_ < 0) fail("no VAR section: the number of variables is missing");
  if (n_ == 0) fail("VAR: the problem has no variables");
  if (m_ < 0) m_ = 0;
  return assemble(max_dense_entries);
}

SparseQp CbfParser::assemble(long long max_dense_entries) const {
  // Rows: the CON rows, then an identity row per variable in a non-free cone.
  int var_rows = 0;
  for (const ConeRun& r : var_cones_) var_rows += r.kind == CbfCone::free ? 0 : r.dim;
  const long long n = n_, rows = static_cast<long long>(m_) + var_rows;
  if (rows > std::numeric_limits<int>::max() - n) fail("problem too large: n + m must fit in 32 bits");
  if (static_cast<long long>(a_.size()) + var_rows > std::numeric_limits<int>::max())
    fail("problem too large: A's entries must fit in 32 bits");
  if (max_dense_entries >= 0 && n * (n + rows) > max_dense_entries)
    fail("problem too large for dense storage: n = " + std::to_string(n) + ", m = " + std::to_string(rows));
  SparseQp qp;
  qp.n = n_;
  qp.m = static_cast<int>(rows);
  qp.P.rows = qp.P.cols = n_;
  qp.P.col_starts.assign(n_ + 1, 0);  // P = 0
  qp.q.assign(n, 0.0);
  qp.l.assign(rows, -kInf);
  qp.u.assign(rows, kInf);
  const double sign = maximize_ ? -1.0 : 1.0;  // max f = −min(−f)
  for (const auto& [index, value] : objective_a_) qp.q[index.first] = sign * value;
  qp.objective_constant = sign * objective_b_;

  // A: the ACOORD entries (kept as written, zeros included), then the identity rows of the
  // variables in non-free cones, which come after every CON row.
  std::vector<Triplet> a_entries;
  a_entries.reserve(a_.size() + var_rows);
  for (const auto& [index, value] : a_) a_entries.push_back({index.first, index.second, value});
  std::vector<double> b(m_, 0.0);
  for (const auto& [index, value] : b_) b[index.first] = value;
  // The rows r … r + dim − 1 of one cone, whose g = A x + b (b: their offsets).
  auto place = [&qp](CbfCone kind, int r, int dim, const double* offsets) {
    for (int k = 0; k < dim; ++k) {
      const double bound = offsets ? -offsets[k] : 0.0;  // g ≥ 0 ⇔ A x ≥ −b
      switch (kind) {
        case CbfCone::nonnegative: qp.l[r + k] = bound; break;
        case CbfCone::nonpositive: qp.u[r + k] = bound; break;
        case CbfCone::zero: qp.l[r + k] = qp.u[r + k] = bound; break;
        case CbfCone::quadratic:
        case CbfCone::rotated_quadratic: qp.l[r + k] = bound; break;  // the block's offset; u = +inf
        case CbfCone::free: break;
      }
    }
    if (kind == CbfCone::quadratic || (kind == CbfCone::rotated_quadratic && dim >= 3))
      qp.cones.push_back(ConeBlock{r, dim, kind == CbfCone::quadratic ? ConeKind::second_order
                                                                       : ConeKind::rotated_second_order});
    // (QR of dimension 2 is t, s ≥ 0: the two rows stay box rows with l = offset, u = +inf.)
  };
  int r = 0;
  for (const ConeRun& run : con_cones_) {
    place(run.kind, r, run.dim, b.data() + r);
    r += run.dim;
  }
  int j = 0;
  for (const ConeRun& run : var_cones_) {
    if (run.kind != CbfCone::free) {
      for (int k = 0; k < run.dim; ++k) a_entries.push_back({r + k, j + k, 1.0});
      place(run.kind, r, run.dim, nullptr);
      r += run.dim;
    }
    j += run.dim;
  }
  qp.A = csc_of(a_entries, qp.m, n_);
  return qp;
}

SparseQp parse(std::istream& in, const std::string& source_name, long long max_dense_entries) {
  CbfParser parser(in, source_name);
  SparseQp qp = parser.parse(max_dense_entries);
  const std::size_t slash = source_name.find_last_of('/');
  qp.name = source_name.substr(slash == std::string::npos ? 0 : slash + 1);
  return qp;
}

SparseQp read(const std::string& path, long long max_dense_entries) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, "cannot open file");
  return parse(in, path, max_dense_entries);
}

}  // namespace

DenseQp parse_cbf(std::istream& in, const std::string& source_name) {
  return to_dense(parse(in, source_name, kMaxDenseEntries), kMaxDenseEntries);
}

DenseQp read_cbf(const std::string& path) { return to_dense(read(path, kMaxDenseEntries), kMaxDenseEntries); }

SparseQp parse_cbf_sparse(std::istream& in, const std::string& source_name) { return parse(in, source_name, -1); }

SparseQp read_cbf_sparse(const std::string& path) { return read(path, -1); }

}  // namespace bpqp::io
