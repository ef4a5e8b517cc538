// JSON batch reader and writer; the schema is in json_batch.hpp and docs/json_batch_format.md.
// nlohmann/json parses the text. It keeps no source positions (3.11), so a light scan of the
// already-validated text finds the offsets of the problem objects and their keys, which turn
// shape errors into "file:line" messages.
#include "bpqp/io/json_batch.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "bpqp/errors.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "io/csc_assembly.hpp"

namespace bpqp::io {
namespace {

using nlohmann::json;

constexpr double kInf = std::numeric_limits<double>::infinity();

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// 1-based line of a byte offset.
long line_at(const std::string& text, size_t offset) {
  long line = 1;
  const size_t end = offset < text.size() ? offset : text.size();
  for (size_t i = 0; i < end; ++i) line += text[i] == '\n';
  return line;
}

// ---------------------------------------------------------------------------------------------
// Where things are in the text.

// Byte offsets of one element of the batch and, when it is an object, of its keys.
struct ElementLocation {
  size_t start = 0;
  std::unordered_map<std::string, size_t> keys;
};

struct Locations {
  ElementLocation top;                    // the document's top-level value
  std::vector<ElementLocation> problems;  // elements of the top-level "problems" array, if any
};

// Decodes a JSON string token (quotes included) through nlohmann, so escapes are handled once.
std::string decode_key(const std::string& text, size_t begin, size_t end) {
  const json key = json::parse(text.begin() + static_cast<std::ptrdiff_t>(begin),
                               text.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
  return key.is_string() ? key.get<std::string>() : std::string();
}

// Scans text that nlohmann has accepted, tracking only nesting and string boundaries. Every
// index is still bounds-checked, so text it was not meant for cannot make it read out of range.
Locations locate(const std::string& text) {
  enum class Role { other, top, problems_array, problem };
  struct Frame {
    bool is_object = false;
    bool expect_key = false;      // objects: the next string is a key
    bool element_pending = false;  // problems array: the next value starts an element
    Role role = Role::other;
    std::string key;  // objects: the key whose value comes next
  };
  Locations where;
  std::vector<Frame> stack;
  bool top_seen = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_json_space(c)) continue;
    ElementLocation* current = nullptr;  // the tracked object whose keys are being read
    if (!stack.empty()) {
      Frame& f = stack.back();
      if (f.role == Role::problems_array && f.element_pending && c != ']') {
        where.problems.emplace_back();
        where.problems.back().start = i;
        f.element_pending = false;
      }
      if (f.role == Role::top) current = &where.top;
      if (f.role == Role::problem && !where.problems.empty()) current = &where.problems.back();
    } else if (!top_seen) {
      where.top.start = i;
      top_seen = true;
    }
    if (c == '"') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      const size_t end = j < text.size() ? j + 1 : text.size();
      if (!stack.empty() && stack.back().is_object && stack.back().expect_key) {
        Frame& f = stack.back();
        f.key = decode_key(text, i, end);
        f.expect_key = false;
        if (current != nullptr) current->keys[f.key] = i;
      }
      i = end - 1;
    } else if (c == '{' || c == '[') {
      Frame f;
      f.is_object = c == '{';
      f.expect_key = f.is_object;
      if (stack.empty()) {
        f.role = f.is_object ? Role::top : Role::other;
      } else if (stack.back().role == Role::top && !f.is_object && stack.back().key == "problems") {
        f.role = Role::problems_array;
        f.element_pending = true;
      } else if (stack.back().role == Role::problems_array && f.is_object) {
        f.role = Role::problem;
      }
      stack.push_back(std::move(f));
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty()) {
      stack.back().expect_key = stack.back().is_object;
      if (stack.back().role == Role::problems_array) stack.back().element_pending = true;
    }
  }
  return where;
}

// Line of `key` in an object, or of the object itself when the key was not found.
long key_line(const std::string& text, const ElementLocation& where, const std::string& key) {
  auto found = where.keys.find(key);
  return line_at(text, found != where.keys.end() ? found->second : where.start);
}

// ---------------------------------------------------------------------------------------------
// Reading.

// P and A are dense: refuse a problem whose storage would not fit rather than die in new (a
// short "q" of a million zeros would otherwise ask for a 10^12-entry P).
constexpr long long kMaxDenseEntries = 1LL << 28;

std::string lower_ascii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// One numeric entry: a JSON number or an infinity string. Returns false with the reason.
bool to_double(const json& v, double* out, std::string* why) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  if (v.is_string()) {
    const std::string s = lower_ascii(v.get<std::string>());
    if (s == "inf" || s == "+inf" || s == "infinity" || s == "+infinity") {
      *out = kInf;
      return true;
    }
    if (s == "-inf" || s == "-infinity") {
      *out = -kInf;
      return true;
    }
    if (s == "nan" || s == "+nan" || s == "-nan") {
      *why = "NaN is not allowed";
      return false;
    }
    *why = "expected a number or \"inf\"/\"-inf\", found the string " + v.dump();
    return false;
  }
  *why = std::string("expected a number, found ") + v.type_name();
  return false;
}

// Reads one problem; errors name the problem and point at the line of the offending key.
class ProblemReader {
 public:
  ProblemReader(const std::string& text, const std::string& source, const json& value, int index,
                const ElementLocation& where)
      : text_(text), source_(source), value_(value), index_(index), where_(where) {}

  DenseQp read();          // P and A in dense storage (triplets scattered into it)
  SparseQp read_sparse();  // P and A in compressed sparse columns, never dense

 private:
  // What is read before P and A (in the order errors are reported): the name, q (n) and m
  // (A's row count, or with A as triplets the length of l, else of u).
  struct Head {
    std::string name;
    int n = 0, m = 0;
    std::vector<double> q;
  };
  Head head();
  // What is read after P and A: l, u, objective_constant, cones.
  template <class Problem>
  void read_tail(Problem& qp);
  bool has_matrix(const std::string& key) const;  // present and not [] (omitted and [] are zero)
  bool is_triplets(const std::string& key) const { return value_.contains(key) && value_.at(key).is_object(); }
  const json& checked_rows(const std::string& key, int rows, int columns, const std::string& rows_what) const;
  double entry(const std::string& key, const json& row, int i, int j) const;
  std::vector<double> matrix(const std::string& key, int rows, int columns, const std::string& rows_what) const;
  std::vector<Triplet> row_nonzeros(const std::string& key, int rows, int columns, const std::string& rows_what,
                                    bool symmetric) const;
  std::vector<Triplet> triplets(const std::string& key, int rows, int columns, bool upper_triangle) const;
  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;
  std::vector<double> vector(const std::string& key, const json& array, int expected,
                             const std::string& expected_what) const;
  std::vector<ConeBlock> cones() const;

  const std::string& text_;
  const std::string& source_;
  const json& value_;
  int index_;
  const ElementLocation& where_;
  std::string label_;  // "problem 3" or "problem 3 (\"name\")"
  int qp_m_ = 0;       // the problem's m, once read
};

void ProblemReader::fail(const std::string& key, const std::string& reason) const {
  throw ParseError(source_, key_line(text_, where_, key), label_ + ": " + reason);
}

// A numeric array of `expected` entries (any length when expected < 0).
std::vector<double> ProblemReader::vector(const std::string& key, const json& array, int expected,
                                          const std::string& expected_what) const {
  if (!array.is_array()) fail(key, key + " must be an array, found " + array.type_name());
  if (expected >= 0 && array.size() != static_cast<size_t>(expected)) {
    fail(key, key + " has " + std::to_string(array.size()) + " entries, expected " + expected_what);
  }
  std::vector<double> out(array.size());
  std::string why;
  for (size_t i = 0; i < array.size(); ++i) {
    if (!to_double(array[i], &out[i], &why)) fail(key, key + "[" + std::to_string(i) + "]: " + why);
  }
  return out;
}

// The array of rows of `key`, checked to be rows×columns before anything is allocated for it.
const json& ProblemReader::checked_rows(const std::string& key, int rows, int columns,
                                        const std::string& rows_what) const {
  const json& array = value_.at(key);
  if (!array.is_array()) {
    fail(key, key + " must be an array of rows or an object of triplets, found " + array.type_name());
  }
  if (array.size() != static_cast<size_t>(rows)) {
    fail(key, key + " has " + std::to_string(array.size()) + " rows, expected " + rows_what);
  }
  for (int i = 0; i < rows; ++i) {
    const json& row = array[static_cast<size_t>(i)];
    if (!row.is_array()) fail(key, key + "[" + std::to_string(i) + "] must be an array, found " + row.type_name());
    if (row.size() != static_cast<size_t>(columns)) {
      fail(key, key + " has " + std::to_string(row.size()) + " columns in row " + std::to_string(i) +
                    ", expected n = " + std::to_string(columns) + " (length of q)");
    }
  }
  return array;
}

// Entry j of row i of `key`.
double ProblemReader::entry(const std::string& key, const json& row, int i, int j) const {
  double x = 0.0;
  std::string why;
  if (!to_double(row[static_cast<size_t>(j)], &x, &why)) {
    fail(key, key + "[" + std::to_string(i) + "][" + std::to_string(j) + "]: " + why);
  }
  return x;
}

// A rows×columns array of rows, row-major.
std::vector<double> ProblemReader::matrix(const std::string& key, int rows, int columns,
                                          const std::string& rows_what) const {
  const json& array = checked_rows(key, rows, columns, rows_what);
  std::vector<double> out;
  out.reserve(static_cast<size_t>(rows) * static_cast<size_t>(columns));
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < columns; ++j) out.push_back(entry(key, array[static_cast<size_t>(i)], i, j));
  return out;
}

// The nonzeros of an array of rows, with no dense copy; `symmetric` (P): the upper triangle's,
// after checking that the matrix is symmetric (an asymmetric one has no upper-triangle form).
std::vector<Triplet> ProblemReader::row_nonzeros(const std::string& key, int rows, int columns,
                                                 const std::string& rows_what, bool symmetric) const {
  const json& array = checked_rows(key, rows, columns, rows_what);
  auto text_of = [](double x) { return std::isinf(x) ? std::string(x > 0 ? "inf" : "-inf") : json(x).dump(); };
  std::vector<Triplet> out;
  for (int i = 0; i < rows; ++i) {
    const json& row = array[static_cast<size_t>(i)];
    for (int j = symmetric ? i : 0; j < columns; ++j) {
      const double x = entry(key, row, i, j);
      if (symmetric && j > i) {
        const double mirror = entry(key, array[static_cast<size_t>(j)], j, i);
        if (!(mirror == x)) {
          fail(key, key + " is not symmetric: " + key + "[" + std::to_string(i) + "][" + std::to_string(j) +
                        "] = " + text_of(x) + " but " + key + "[" + std::to_string(j) + "][" + std::to_string(i) +
                        "] = " + text_of(mirror) + " (sparse storage keeps P's upper triangle)");
        }
      }
      if (x != 0.0) out.push_back(Triplet{i, j, x});
    }
  }
  return out;
}

ProblemReader::Head ProblemReader::head() {
  label_ = "problem " + std::to_string(index_);
  if (!value_.is_object()) fail("", std::string("expected an object, found ") + value_.type_name());
  if (value_.contains("name") && value_.at("name").is_string()) {
    label_ += " (" + json(value_.at("name")).dump() + ")";
  }
  static const char* const kKeys[] = {"name", "P", "q", "A", "l", "u", "cones", "objective_constant"};
  for (const auto& item : value_.items()) {
    bool known = false;
    for (const char* k : kKeys) known = known || item.key() == k;
    if (!known) {
      fail(item.key(), "unknown key " + json(item.key()).dump() +
                           " (expected name, P, q, A, l, u, cones, objective_constant)");
    }
  }

  Head h;
  if (value_.contains("name")) {
    const json& name = value_.at("name");
    if (!name.is_string()) fail("name", std::string("name must be a string, found ") + name.type_name());
    h.name = name.get<std::string>();
  }
  if (!value_.contains("q")) fail("", "q is missing (it defines n)");
  h.q = vector("q", value_.at("q"), -1, "");
  h.n = static_cast<int>(h.q.size());
  // Triplets do not show A's row count: l's length gives it (u's when l is absent).
  auto length_of = [&](const char* key) {
    return value_.contains(key) && value_.at(key).is_array() ? static_cast<int>(value_.at(key).size()) : -1;
  };
  if (is_triplets("A")) h.m = length_of("l") >= 0 ? length_of("l") : std::max(length_of("u"), 0);
  else h.m = std::max(length_of("A"), 0);
  return h;
}

template <class Problem>
void ProblemReader::read_tail(Problem& qp) {
  qp_m_ = qp.m;
  const std::string m_what = "m = " + std::to_string(qp.m) + (is_triplets("A") ? " (length of l)" : " (rows of A)");
  qp.l = value_.contains("l") ? vector("l", value_.at("l"), qp.m, m_what) : std::vector<double>();
  qp.u = value_.contains("u") ? vector("u", value_.at("u"), qp.m, m_what) : std::vector<double>();
  if (!value_.contains("l") && qp.m > 0) fail("A", "l is missing (A has " + std::to_string(qp.m) + " rows)");
  if (!value_.contains("u") && qp.m > 0) fail("A", "u is missing (A has " + std::to_string(qp.m) + " rows)");
  if (value_.contains("objective_constant")) {
    std::string why;
    if (!to_double(value_.at("objective_constant"), &qp.objective_constant, &why)) {
      fail("objective_constant", "objective_constant: " + why);
    }
  }
  if (value_.contains("cones")) qp.cones = cones();
}

bool ProblemReader::has_matrix(const std::string& key) const {
  return value_.contains(key) && !(value_.at(key).is_array() && value_.at(key).empty());
}

// {"rows": [...], "cols": [...], "values": [...]}: entry k is (rows[k], cols[k], values[k]),
// 0-based, each position at most once; for P (upper_triangle) only row ≤ column.
std::vector<Triplet> ProblemReader::triplets(const std::string& key, int rows, int columns,
                                             bool upper_triangle) const {
  const json& object = value_.at(key);
  for (const auto& item : object.items()) {
    if (item.key() != "rows" && item.key() != "cols" && item.key() != "values") {
      fail(key, key + ": unknown key " + json(item.key()).dump() + " (expected rows, cols, values)");
    }
  }
  for (const char* part : {"rows", "cols", "values"}) {
    if (!object.contains(part)) fail(key, key + "." + part + " is missing");
    if (!object.at(part).is_array()) {
      fail(key, key + "." + part + " must be an array, found " + object.at(part).type_name());
    }
  }
  const json &row_of = object.at("rows"), &column_of = object.at("cols"), &value_of = object.at("values");
  if (row_of.size() != value_of.size() || column_of.size() != value_of.size()) {
    fail(key, key + ".rows, .cols and .values have " + std::to_string(row_of.size()) + ", " +
                  std::to_string(column_of.size()) + " and " + std::to_string(value_of.size()) +
                  " entries: they must be as long as each other");
  }
  if (value_of.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    fail(key, key + " has more entries than 32-bit indices count");
  }
  // An index: an integer in [0, bound).
  auto index = [&](const json& v, const char* part, std::size_t k, int bound, const char* bound_what) {
    const std::string where = key + "." + part + "[" + std::to_string(k) + "]";
    if (!v.is_number_integer()) fail(key, where + " must be an integer, found " + v.dump());
    const bool in_range = v.is_number_unsigned() ? v.get<unsigned long long>() < static_cast<unsigned long long>(bound)
                                                 : v.get<long long>() >= 0 && v.get<long long>() < bound;
    if (!in_range) {
      fail(key, where + " = " + v.dump() + " is out of range: " + bound_what + " = " + std::to_string(bound));
    }
    return static_cast<int>(v.get<long long>());
  };
  const char* row_bound = key == "P" ? "n" : "m";
  std::vector<Triplet> out(value_of.size());
  std::string why;
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].row = index(row_of[k], "rows", k, rows, row_bound);
    out[k].column = index(column_of[k], "cols", k, columns, "n");
    if (!to_double(value_of[k], &out[k].value, &why)) fail(key, key + ".values[" + std::to_string(k) + "]: " + why);
    if (upper_triangle && out[k].row > out[k].column) {
      fail(key, key + " entry " + std::to_string(k) + " at (" + std::to_string(out[k].row) + ", " +
                    std::to_string(out[k].column) + ") is below the diagonal: as triplets, P is its upper "
                    "triangle (row <= column)");
    }
  }
  // Two entries at one position would be summed by some readers and overwritten by others.
  std::vector<Triplet> sorted = out;
  std::sort(sorted.begin(), sorted.end(), [](const Triplet& a, const Triplet& b) {
    return std::tie(a.column, a.row) < std::tie(b.column, b.row);
  });
  for (std::size_t k = 1; k < sorted.size(); ++k) {
    if (sorted[k].row == sorted[k - 1].row && sorted[k].column == sorted[k - 1].column) {
      fail(key, key + " has two entries at (" + std::to_string(sorted[k].row) + ", " +
                    std::to_string(sorted[k].column) + ")");
    }
  }
  return out;
}

DenseQp ProblemReader::read() {
  Head h = head();
  // Refused before P or A is allocated: a short q of a million zeros with P omitted, or a
  // few triplets naming a huge n, would otherwise ask for a 10^12-entry P.
  if (static_cast<long long>(h.n) * (h.n + static_cast<long long>(h.m)) > kMaxDenseEntries) {
    fail("q", "problem too large for dense storage: n = " + std::to_string(h.n) + ", m = " + std::to_string(h.m) +
                  " (the sparse path reads it: bpqp solve --path sparse, io::read_json_sparse)");
  }
  DenseQp qp;
  qp.name = std::move(h.name);
  qp.n = h.n;
  qp.m = h.m;
  const std::size_t n = static_cast<std::size_t>(h.n);
  if (!has_matrix("P")) {
    qp.P.assign(n * n, 0.0);  // an LP
  } else if (is_triplets("P")) {
    qp.P.assign(n * n, 0.0);
    for (const Triplet& t : triplets("P", h.n, h.n, true)) {
      qp.P[t.row * n + t.column] = t.value;  // the full symmetric matrix from its upper triangle
      qp.P[t.column * n + t.row] = t.value;
    }
  } else {
    qp.P = matrix("P", h.n, h.n, "n = " + std::to_string(h.n) + " (length of q)");
  }
  if (is_triplets("A")) {
    qp.A.assign(static_cast<std::size_t>(h.m) * n, 0.0);
    for (const Triplet& t : triplets("A", h.m, h.n, false)) qp.A[t.row * n + t.column] = t.value;
  } else if (value_.contains("A")) {
    qp.A = matrix("A", h.m, h.n, "");
  }
  qp.q = std::move(h.q);
  read_tail(qp);
  return qp;
}

SparseQp ProblemReader::read_sparse() {
  Head h = head();
  SparseQp qp;
  qp.name = std::move(h.name);
  qp.n = h.n;
  qp.m = h.m;
  std::vector<Triplet> P;
  if (is_triplets("P")) P = triplets("P", h.n, h.n, true);
  else if (has_matrix("P")) P = row_nonzeros("P", h.n, h.n, "n = " + std::to_string(h.n) + " (length of q)", true);
  qp.P = csc_of(P, h.n, h.n);
  std::vector<Triplet> A;
  if (is_triplets("A")) A = triplets("A", h.m, h.n, false);
  else if (value_.contains("A")) A = row_nonzeros("A", h.m, h.n, "", false);
  qp.A = csc_of(A, h.m, h.n);
  qp.q = std::move(h.q);
  read_tail(qp);
  return qp;
}

// "cones": [{"first_row": r, "dim": d, "kind": "second_order" | "rotated_second_order"}, …]
// ("kind" optional, second_order by default); checked as the solver checks a layout.
std::vector<ConeBlock> ProblemReader::cones() const {
  const json& array = value_.at("cones");
  if (!array.is_array()) fail("cones", std::string("cones must be an array, found ") + array.type_name());
  std::vector<ConeBlock> out;
  for (size_t k = 0; k < array.size(); ++k) {
    const json& block = array[k];
    const std::string name = "cones[" + std::to_string(k) + "]";
    if (!block.is_object()) fail("cones", name + " must be an object, found " + block.type_name());
    for (const auto& item : block.items())
      if (item.key() != "first_row" && item.key() != "dim" && item.key() != "kind")
        fail("cones", name + ": unknown key " + json(item.key()).dump() + " (expected first_row, dim, kind)");
    ConeBlock c;
    int* const fields[2] = {&c.first_row, &c.dim};
    const char* const field_names[2] = {"first_row", "dim"};
    for (int f = 0; f < 2; ++f) {
      if (!block.contains(field_names[f])) fail("cones", name + ": " + field_names[f] + " is missing");
      const json& v = block.at(field_names[f]);
      if (!v.is_number_integer() || v.get<long long>() < std::numeric_limits<int>::min() ||
          v.get<long long>() > std::numeric_limits<int>::max())
        fail("cones", name + "." + field_names[f] + " must be an integer, found " + v.dump());
      *fields[f] = v.get<int>();
    }
    if (block.contains("kind")) {
      const json& kind = block.at("kind");
      if (kind == "second_order") c.kind = ConeKind::second_order;
      else if (kind == "rotated_second_order") c.kind = ConeKind::rotated_second_order;
      else fail("cones", name + ".kind must be \"second_order\" or \"rotated_second_order\", found " + kind.dump());
    }
    out.push_back(c);
  }
  try {
    validate_cones(out.data(), static_cast<int>(out.size()), qp_m_);
  } catch (const InvalidArgument& e) {
    std::string reason = e.what();  // the API's message, less its "QpBatchView::" prefixes
    for (std::size_t at; (at = reason.find("QpBatchView::")) != std::string::npos;) reason.erase(at, 13);
    fail("cones", reason);
  }
  return out;
}

// nlohmann's messages read "[json.exception.parse_error.101] parse error at line 1, column 2:
// reason" or "[json.exception.out_of_range.406] number overflow parsing '1e999'"; our prefix
// already says where, so keep only the reason.
std::string syntax_reason(const std::string& what) {
  std::string reason = what;
  const size_t bracket = reason.find("] ");
  if (reason.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) {
    reason = reason.substr(bracket + 2);
  }
  if (reason.rfind("parse error", 0) == 0) {
    const size_t colon = reason.find(": ");
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
  }
  return "invalid JSON: " + reason;
}

// nlohmann's DOM builder, keeping the byte position of a failure: json::parse's exceptions
// carry one for syntax errors but not for a number too large for a double (out_of_range.406).
// sax_parse is a template on the handler type, so this parse_error hides the base's.
class PositionedDomParser : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit PositionedDomParser(json& result) : json_sax_dom_parser(result, false) {}

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    failed_ = true;
    position_ = position;
    message_ = e.what();
    return json_sax_dom_parser::parse_error(position, token, e);
  }

  bool failed() const { return failed_; }
  std::size_t position() const { return position_; }
  const std::string& message() const { return message_; }

 private:
  bool failed_ = false;
  std::size_t position_ = 0;
  std::string message_;
};

// Line of a syntax error. nlohmann reports how many bytes it read; at the end of the input the
// line of the last character is the useful one, not a trailing empty line.
long syntax_line(const std::string& text, size_t bytes_read) {
  size_t offset = bytes_read > 0 ? bytes_read - 1 : 0;
  if (offset >= text.size()) {
    offset = text.size();
    while (offset > 0 && is_json_space(text[offset - 1])) --offset;
    offset = offset > 0 ? offset - 1 : 0;
  }
  return line_at(text, offset);
}

// ---------------------------------------------------------------------------------------------
// Writing.

void check_size(size_t actual, long long expected, int index, const char* what, const char* formula) {
  if (static_cast<long long>(actual) != expected) {
    throw InvalidArgument("write_json_batch: problems[" + std::to_string(index) + "]." + what + " has " +
                          std::to_string(actual) + " entries, expected " + formula + " = " +
                          std::to_string(expected));
  }
}

// Which problem a writer is at, for its error messages.
struct WriteSite {
  const char* writer;  // "write_json_batch" or "write_json_sparse"
  int index;
};

// One number as the reader reads it back: shortest round-trip digits, infinities as strings.
std::string number_text(double x, const WriteSite& at, const char* what) {
  if (std::isnan(x)) {
    throw InvalidArgument(std::string(at.writer) + ": problems[" + std::to_string(at.index) + "]." + what +
                          " holds a NaN, which JSON cannot represent");
  }
  if (std::isinf(x)) return x > 0 ? "\"inf\"" : "\"-inf\"";
  return json(x).dump();
}

void write_row(std::ostringstream& out, const double* row, int length, const WriteSite& at, const char* what) {
  out << '[';
  for (int j = 0; j < length; ++j) out << (j > 0 ? ", " : "") << number_text(row[j], at, what);
  out << ']';
}

void write_matrix(std::ostringstream& out, const std::vector<double>& a, int rows, int columns,
                  const WriteSite& at, const char* what) {
  if (rows == 0) {
    out << "[]";
    return;
  }
  out << "[\n";
  for (int i = 0; i < rows; ++i) {
    out << "        ";
    write_row(out, a.data() + static_cast<size_t>(i) * static_cast<size_t>(columns), columns, at, what);
    out << (i + 1 < rows ? ",\n" : "\n");
  }
  out << "      ]";
}

// A problem's keys in order, P and A written by the caller's `write_P` and `write_A`.
template <class Problem, class WriteP, class WriteA>
void write_problem_with(std::ostringstream& out, const Problem& qp, const WriteSite& at, WriteP write_P, WriteA write_A) {
  out << "    {\n";
  out << "      \"name\": " << json(qp.name).dump(-1, ' ', false, json::error_handler_t::replace) << ",\n";
  out << "      \"P\": ";
  write_P();
  out << ",\n      \"q\": ";
  write_row(out, qp.q.data(), qp.n, at, "q");
  out << ",\n      \"A\": ";
  write_A();
  out << ",\n      \"l\": ";
  write_row(out, qp.l.data(), qp.m, at, "l");
  out << ",\n      \"u\": ";
  write_row(out, qp.u.data(), qp.m, at, "u");
  if (!qp.cones.empty()) {
    out << ",\n      \"cones\": [";
    for (std::size_t k = 0; k < qp.cones.size(); ++k)
      out << (k > 0 ? ", " : "") << "{\"first_row\": " << qp.cones[k].first_row << ", \"dim\": " << qp.cones[k].dim
          << ", \"kind\": \"" << to_string(qp.cones[k].kind) << "\"}";
    out << "]";
  }
  out << ",\n      \"objective_constant\": " << number_text(qp.objective_constant, at, "objective_constant");
  out << "\n    }";
}

void write_problem(std::ostringstream& out, const DenseQp& qp, int index) {
  if (qp.n < 0 || qp.m < 0) {
    throw InvalidArgument("write_json_batch: problems[" + std::to_string(index) +
                          "] has negative n or m");
  }
  const long long n = qp.n;
  const long long m = qp.m;
  check_size(qp.P.size(), n * n, index, "P", "n*n");
  check_size(qp.q.size(), n, index, "q", "n");
  check_size(qp.A.size(), m * n, index, "A", "m*n");
  check_size(qp.l.size(), m, index, "l", "m");
  check_size(qp.u.size(), m, index, "u", "m");

  bool p_is_zero = true;
  for (double x : qp.P) p_is_zero = p_is_zero && x == 0.0 && !std::signbit(x);
  const WriteSite at{"write_json_batch", index};
  write_problem_with(
      out, qp, at,
      [&] {
        if (p_is_zero) out << "[]";  // an LP: the schema's zero matrix, and a much smaller file
        else write_matrix(out, qp.P, qp.n, qp.n, at, "P");
      },
      [&] { write_matrix(out, qp.A, qp.m, qp.n, at, "A"); });
}

// A CSC matrix as {"rows", "cols", "values"}, column by column.
void write_triplets(std::ostringstream& out, const CscMatrix& M, const WriteSite& at, const char* what) {
  std::ostringstream rows, cols, values;
  for (int j = 0; j < M.cols; ++j) {
    for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k) {
      const char* comma = k > 0 ? ", " : "";
      rows << comma << M.row_indices[k];
      cols << comma << j;
      values << comma << number_text(M.values[k], at, what);
    }
  }
  out << "{\"rows\": [" << rows.str() << "],\n        \"cols\": [" << cols.str() << "],\n        \"values\": ["
      << values.str() << "]}";
}

void write_sparse_problem(std::ostringstream& out, const SparseQp& qp, int index) {
  try {
    validate(qp);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("write_json_sparse: problems[" + std::to_string(index) + "]: " + e.what());
  }
  const WriteSite at{"write_json_sparse", index};
  write_problem_with(
      out, qp, at, [&] { write_triplets(out, qp.P, at, "P"); }, [&] { write_triplets(out, qp.A, at, "A"); });
}

// The {"problems": [...]} document of `write` applied to each problem.
template <class Problem, class Write>
std::string write_document(const std::vector<Problem>& problems, Write write) {
  std::ostringstream out;
  out << "{\n  \"problems\": [";
  for (size_t k = 0; k < problems.size(); ++k) {
    out << (k > 0 ? ",\n" : "\n");
    write(out, problems[k], static_cast<int>(k));
  }
  out << (problems.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return out.str();
}

}  // namespace

namespace {

// The document's problems, each read by `read` (a ProblemReader member: dense or sparse storage).
template <class Problem>
std::vector<Problem> parse_problems(const std::string& text, const std::string& source_name,
                                    Problem (ProblemReader::*read)()) {
  json document;
  PositionedDomParser builder(document);
  const bool parsed = json::sax_parse(text, &builder);
  if (!parsed || builder.failed()) {
    throw ParseError(source_name, syntax_line(text, builder.position()), syntax_reason(builder.message()));
  }
  const Locations where = locate(text);
  const long top_line = line_at(text, where.top.start);
  if (!document.is_object()) {
    throw ParseError(source_name, top_line,
                     "expected an object: a problem or {\"problems\": [...]}, found " +
                         std::string(document.type_name()));
  }

  std::vector<Problem> batch;
  if (!document.contains("problems")) {  // a single problem
    ProblemReader reader(text, source_name, document, 0, where.top);
    batch.push_back((reader.*read)());
    return batch;
  }
  for (const auto& item : document.items()) {
    if (item.key() != "problems") {
      throw ParseError(source_name, key_line(text, where.top, item.key()),
                       "unexpected key " + json(item.key()).dump() + " next to \"problems\"");
    }
  }
  const json& problems = document.at("problems");
  if (!problems.is_array()) {
    throw ParseError(source_name, key_line(text, where.top, "problems"),
                     std::string("\"problems\" must be an array, found ") + problems.type_name());
  }
  batch.reserve(problems.size());
  for (size_t k = 0; k < problems.size(); ++k) {
    // The scan and nlohmann agree on valid JSON; the fallback only guards against a mismatch.
    const ElementLocation& element = k < where.problems.size() ? where.problems[k] : where.top;
    ProblemReader reader(text, source_name, problems[k], static_cast<int>(k), element);
    batch.push_back((reader.*read)());
  }
  return batch;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ParseError(path, 0, "read error");
  return text.str();
}

}  // namespace

std::vector<DenseQp> parse_json_batch(const std::string& text, const std::string& source_name) {
  return parse_problems(text, source_name, &ProblemReader::read);
}

std::vector<DenseQp> read_json_batch(const std::string& path) { return parse_json_batch(file_text(path), path); }

std::vector<SparseQp> parse_json_sparse(const std::string& text, const std::string& source_name) {
  return parse_problems(text, source_name, &ProblemReader::read_sparse);
}

std::vector<SparseQp> read_json_sparse(const std::string& path) { return parse_json_sparse(file_text(path), path); }

std::string write_json_batch(const std::vector<DenseQp>& problems) {
  return write_document(problems, write_problem);
}

std::string write_json_sparse(const std::vector<SparseQp>& problems) {
  return write_document(problems, write_sparse_problem);
}

}  // namespace bpqp::io
