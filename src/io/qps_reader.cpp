// QPS / MPS reader; the conventions are listed in qps_reader.hpp. The text is split into lines
// once; a Parser runs over them in free or fixed format, collecting names and sparse entries,
// and turns them into a SparseQp at the end (read_qps: then into its dense form). Every index and number is checked, because the
// reader is fed arbitrary bytes by fuzzers: malformed input is a ParseError, never a crash.
#include "bpqp/io/qps_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <limits>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bpqp/errors.hpp"
#include "bpqp/sparse_qp.hpp"
#include "io/csc_assembly.hpp"

namespace bpqp::io {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// MPS writers spell an infinite bound as 1e30 (OSQP_INFTY, CPLEX's default infinity).
constexpr double kMpsInfinity = 1e30;
// read_qps gives dense P and A: it refuses a problem whose storage would not fit rather than
// die in new (read_qps_sparse has no such limit).
constexpr long long kMaxDenseEntries = 1LL << 28;

enum class Section { none, name, objsense, rows, columns, rhs, ranges, bounds, quadobj, qmatrix,
                     endata, unknown };
constexpr int kSectionCount = static_cast<int>(Section::unknown) + 1;

// One data line split into the six fixed-MPS fields (index 0 = field 1); blank fields are "".
using Fields = std::array<std::string, 6>;

// ASCII-only helpers: <cctype> is undefined for negative chars, which arbitrary bytes contain.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string to_upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string trim(const std::string& s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && is_space(s[begin])) ++begin;
  while (end > begin && is_space(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

std::vector<std::string> split_tokens(const std::string& s) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
  return tokens;
}

// Text from the file inside an error message, shortened so that a fuzzed megabyte line does
// not become a megabyte message.
std::string quote(const std::string& text) {
  constexpr size_t kMax = 40;
  return "'" + (text.size() <= kMax ? text : text.substr(0, kMax) + "...") + "'";
}

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// Fixed-MPS fields as 1-based inclusive columns: 2-3, 5-12, 15-22, 25-36, 40-47, 50-61. Each
// field also owns the blank gap after it, so no character of a line is silently dropped and a
// number that spills past its field's end still reads whole.
Fields fixed_fields(const std::string& line) {
  static constexpr std::array<std::pair<size_t, size_t>, 6> kColumns = {
      {{2, 4}, {5, 14}, {15, 24}, {25, 39}, {40, 49}, {50, std::string::npos}}};
  Fields f;
  for (size_t k = 0; k < kColumns.size(); ++k) {
    size_t first = kColumns[k].first - 1;
    if (first >= line.size()) break;
    size_t last = kColumns[k].second;
    size_t length = last == std::string::npos ? std::string::npos : last - first;
    f[k] = trim(line.substr(first, length));
  }
  return f;
}

bool is_integer_bound(const std::string& type) {
  return type == "BV" || type == "LI" || type == "UI" || type == "SC";
}

// Bound types whose value field is absent (integer types included, so that their lines reach
// the check that rejects them whatever their field count).
bool bound_without_value(const std::string& type) {
  return type == "FR" || type == "MI" || type == "PL" || is_integer_bound(type);
}

// Which fixed-field slots the tokens of a free-format line stand for, given their count; empty
// when the count fits no layout of the section. Set names (RHS, RANGES, BOUNDS) are optional in
// free MPS, which the count disambiguates.
std::vector<int> free_layout(Section section, size_t count, const std::string& first_token) {
  switch (section) {
    case Section::rows:
      if (count == 2) return {0, 1};
      break;
    case Section::columns:
      if (count == 3) return {1, 2, 3};
      if (count == 5) return {1, 2, 3, 4, 5};
      break;
    case Section::rhs:
    case Section::ranges:
      if (count == 2) return {2, 3};
      if (count == 3) return {1, 2, 3};
      if (count == 4) return {2, 3, 4, 5};
      if (count == 5) return {1, 2, 3, 4, 5};
      break;
    case Section::bounds:
      if (bound_without_value(to_upper(first_token))) {
        if (count == 2) return {0, 2};
        if (count == 3) return {0, 1, 2};
        if (count == 4) return {0, 1, 2, 3};
      } else {
        if (count == 3) return {0, 2, 3};
        if (count == 4) return {0, 1, 2, 3};
      }
      break;
    case Section::quadobj:
    case Section::qmatrix:
      if (count == 3) return {1, 2, 3};
      break;
    default:
      break;
  }
  return {};
}

// What a data line of the section holds, for error messages.
const char* section_layout(Section section) {
  switch (section) {
    case Section::rows: return "ROWS line: type name";
    case Section::columns: return "COLUMNS line: column row value [row value]";
    case Section::rhs: return "RHS line: [set] row value [row value]";
    case Section::ranges: return "RANGES line: [set] row value [row value]";
    case Section::bounds: return "BOUNDS line: type [set] column [value]";
    case Section::quadobj:
    case Section::qmatrix: return "quadratic objective line: column column value";
    default: return "line";
  }
}

Section section_from_keyword(const std::string& keyword) {
  if (keyword == "NAME") return Section::name;
  if (keyword == "OBJSENSE") return Section::objsense;
  if (keyword == "ROWS") return Section::rows;
  if (keyword == "COLUMNS") return Section::columns;
  if (keyword == "RHS") return Section::rhs;
  if (keyword == "RANGES") return Section::ranges;
  if (keyword == "BOUNDS") return Section::bounds;
  if (keyword == "QUADOBJ") return Section::quadobj;
  if (keyword == "QMATRIX" || keyword == "QSECTION") return Section::qmatrix;
  if (keyword == "ENDATA") return Section::endata;
  return Section::unknown;
}

// Key of entry (i, j) in the sparse maps; indices are below 2^31.
long long entry_key(int i, int j) {
  return (static_cast<long long>(i) << 32) | static_cast<long long>(static_cast<unsigned>(j));
}

struct Row {
  std::string name;
  char type = 'N';
  double rhs = 0.0;
  double range = 0.0;
  bool has_rhs = false;
  bool has_range = false;
  long line = 0;  // last line that defined or changed the row: where its bound errors point
};

struct Column {
  std::string name;
  double lower = 0.0;
  double upper = kInf;
  bool lower_set = false;  // an explicit lower bound disables the negative-UP convention
  long bound_line = 0;     // last BOUNDS line for the column: where its bound errors point
};

class Parser {
 public:
  Parser(const std::string& source, bool fixed) : source_(source), fixed_(fixed) {}

  // Feeds one line; returns false once ENDATA has been read.
  bool read_line(long number, const std::string& text) {
    line_ = number;
    if (text.empty() || text[0] == '*') return true;
    if (trim(text).empty()) return true;
    if (!is_space(text[0])) return header(text);
    data(text);
    return true;
  }

  // The problem; a ParseError when its dense form would exceed max_dense_entries (−1: no limit).
  SparseQp finish(long last_line, QpsInfo* info, long long max_dense_entries);

 private:
  [[noreturn]] void fail(const std::string& reason) const { throw ParseError(source_, line_, reason); }

  bool header(const std::string& text);
  void data(const std::string& text);
  Fields fields_of(const std::string& text, Section section) const;
  void check_fields(const Fields& f, std::initializer_list<int> required,
                    std::initializer_list<int> allowed) const;

  void set_sense(const std::string& token);
  void objsense_line(const std::string& text);
  void rows_line(const Fields& f);
  void columns_line(const Fields& f);
  void rhs_line(const Fields& f, bool ranges);
  void bounds_line(const Fields& f);
  void quad_line(const Fields& f);

  void set_coefficient(int column, const std::string& row_name, const std::string& value_text);
  void set_rhs(const std::string& row_name, const std::string& value_text);
  void set_range(const std::string& row_name, const std::string& value_text);
  // what(): the entry's description, built only for the error (not once per entry of a file).
  template <class Describe>
  void set_entry(std::unordered_map<long long, double>& entries, long long key, double value,
                 const Describe& what) const;
  bool use_set(std::string& active, const std::string& name) const;

  double number(const std::string& text) const;
  double bound_number(const std::string& text) const;
  int find_row(const std::string& name) const;
  int find_column(const std::string& name) const;

  void check_column_bounds();
  std::pair<double, double> row_bounds(const Row& row);

  const std::string& source_;
  bool fixed_;
  long line_ = 0;
  Section section_ = Section::none;
  std::array<bool, kSectionCount> seen_{};

  std::string name_;
  bool maximize_ = false;
  bool sense_given_ = false;
  std::vector<Row> rows_;
  std::unordered_map<std::string, int> row_index_;
  int objective_ = -1;
  std::vector<Column> columns_;
  std::unordered_map<std::string, int> column_index_;
  std::unordered_map<long long, double> coefficients_;  // (row, column): objective and E/L/G rows
  std::unordered_map<long long, double> quadratic_;     // (column, column): Q as listed
  double objective_rhs_ = 0.0;
  bool has_objective_rhs_ = false;
  std::string rhs_set_, range_set_, bound_set_;
};

bool Parser::header(const std::string& text) {
  std::vector<std::string> tokens = split_tokens(text);
  const std::string keyword = to_upper(tokens[0]);
  const Section section = section_from_keyword(keyword);
  if (section == Section::unknown) fail("unknown section " + quote(tokens[0]));
  bool& seen = seen_[static_cast<int>(section)];
  if (seen) fail("section " + keyword + " appears twice");
  seen = true;
  // Everything after ROWS refers to rows by name, so the objective must be known by then.
  const bool after_rows = section != Section::name && section != Section::objsense &&
                          section != Section::rows;
  if (after_rows && objective_ < 0) fail("no objective row: ROWS must come first and name an N row");

  section_ = section;
  if (section == Section::name) {
    name_ = trim(text.substr(tokens[0].size()));
  } else if (section == Section::objsense) {
    if (tokens.size() > 2) fail("unexpected text after OBJSENSE " + tokens[1]);
    if (tokens.size() == 2) set_sense(tokens[1]);
  } else if (tokens.size() > 1) {
    fail("unexpected text " + quote(tokens[1]) + " after section name " + keyword);
  }
  return section != Section::endata;
}

void Parser::data(const std::string& text) {
  switch (section_) {
    case Section::none: fail("data line outside of any section");
    case Section::name: fail("unexpected data line in the NAME section");
    case Section::objsense: objsense_line(text); return;
    case Section::rows: rows_line(fields_of(text, section_)); return;
    case Section::columns: columns_line(fields_of(text, section_)); return;
    case Section::rhs: rhs_line(fields_of(text, section_), false); return;
    case Section::ranges: rhs_line(fields_of(text, section_), true); return;
    case Section::bounds: bounds_line(fields_of(text, section_)); return;
    case Section::quadobj:
    case Section::qmatrix: quad_line(fields_of(text, section_)); return;
    default: fail("unexpected data line");  // endata and unknown never become section_
  }
}

// Both formats meet here: a free-format line's tokens are placed in the fixed-field slots they
// stand for, so that one handler per section serves both.
Fields Parser::fields_of(const std::string& text, Section section) const {
  if (fixed_) return fixed_fields(text);
  std::vector<std::string> tokens = split_tokens(text);
  std::vector<int> slots = free_layout(section, tokens.size(), tokens.empty() ? "" : tokens[0]);
  if (slots.empty()) {
    fail("missing or extra fields: expected " + std::string(section_layout(section)) + ", found " +
         std::to_string(tokens.size()) + " fields");
  }
  Fields f;
  for (size_t k = 0; k < slots.size(); ++k) f[slots[k]] = tokens[k];
  return f;
}

// Fails unless every field in `required` is present and every field outside `allowed` blank.
void Parser::check_fields(const Fields& f, std::initializer_list<int> required,
                          std::initializer_list<int> allowed) const {
  for (int k : required) {
    if (f[k].empty()) fail("missing fields: expected " + std::string(section_layout(section_)));
  }
  for (int k = 0; k < static_cast<int>(f.size()); ++k) {
    bool is_allowed = false;
    for (int a : allowed) is_allowed = is_allowed || a == k;
    if (!is_allowed && !f[k].empty()) {
      fail("unexpected text " + quote(f[k]) + ": expected " + section_layout(section_));
    }
  }
}

void Parser::set_sense(const std::string& token) {
  if (sense_given_) fail("objective sense given twice");
  const std::string sense = to_upper(token);
  if (sense == "MIN" || sense == "MINIMIZE") {
    maximize_ = false;
  } else if (sense == "MAX" || sense == "MAXIMIZE") {
    maximize_ = true;
  } else {
    fail("unknown objective sense " + quote(token) + " (expected MIN or MAX)");
  }
  sense_given_ = true;
}

void Parser::objsense_line(const std::string& text) {
  std::vector<std::string> tokens = split_tokens(text);
  if (tokens.size() != 1) fail("expected MIN or MAX in the OBJSENSE section");
  set_sense(tokens[0]);
}

void Parser::rows_line(const Fields& f) {
  check_fields(f, {0, 1}, {0, 1});
  const std::string type = to_upper(f[0]);
  if (type != "N" && type != "E" && type != "L" && type != "G") {
    fail("unknown row type " + quote(f[0]) + " (expected N, E, L or G)");
  }
  const int index = static_cast<int>(rows_.size());
  if (!row_index_.emplace(f[1], index).second) fail("duplicate row name " + quote(f[1]));
  Row row;
  row.name = f[1];
  row.type = type[0];
  row.line = line_;
  rows_.push_back(row);
  if (row.type == 'N' && objective_ < 0) objective_ = index;
}

void Parser::columns_line(const Fields& f) {
  if (to_upper(f[2]) == "'MARKER'") fail("integer variables are not supported (MARKER line)");
  check_fields(f, {1, 2, 3}, {1, 2, 3, 4, 5});
  if (f[4].empty() != f[5].empty()) fail("missing fields: expected " + std::string(section_layout(section_)));
  auto found = column_index_.find(f[1]);
  int column = 0;
  if (found != column_index_.end()) {
    column = found->second;
  } else {
    column = static_cast<int>(columns_.size());
    column_index_.emplace(f[1], column);
    Column c;
    c.name = f[1];
    columns_.push_back(c);
  }
  set_coefficient(column, f[2], f[3]);
  if (!f[4].empty()) set_coefficient(column, f[4], f[5]);
}

void Parser::set_coefficient(int column, const std::string& row_name, const std::string& value_text) {
  const int row = find_row(row_name);
  const double value = number(value_text);
  if (rows_[row].type == 'N' && row != objective_) return;  // free rows are dropped
  set_entry(coefficients_, entry_key(row, column), value,
            [&] { return "column " + quote(columns_[column].name) + " in row " + quote(row_name); });
}

void Parser::rhs_line(const Fields& f, bool ranges) {
  check_fields(f, {2, 3}, {1, 2, 3, 4, 5});
  if (f[4].empty() != f[5].empty()) fail("missing fields: expected " + std::string(section_layout(section_)));
  if (!use_set(ranges ? range_set_ : rhs_set_, f[1])) return;
  if (ranges) {
    set_range(f[2], f[3]);
    if (!f[4].empty()) set_range(f[4], f[5]);
  } else {
    set_rhs(f[2], f[3]);
    if (!f[4].empty()) set_rhs(f[4], f[5]);
  }
}

void Parser::set_rhs(const std::string& row_name, const std::string& value_text) {
  const int row = find_row(row_name);
  if (row == objective_) {
    // The objective's RHS is a constant of the objective, not a bound: no 1e30 convention.
    const double value = number(value_text);
    if (has_objective_rhs_ && value != objective_rhs_) fail("conflicting RHS values for the objective row");
    objective_rhs_ = value;
    has_objective_rhs_ = true;
    return;
  }
  const double value = bound_number(value_text);
  Row& r = rows_[row];
  if (r.type == 'N') return;
  if (r.has_rhs && value != r.rhs) fail("conflicting RHS values for row " + quote(row_name));
  r.rhs = value;
  r.has_rhs = true;
  r.line = line_;
}

void Parser::set_range(const std::string& row_name, const std::string& value_text) {
  const int row = find_row(row_name);
  const double value = bound_number(value_text);
  Row& r = rows_[row];
  if (r.type == 'N') return;
  if (r.has_range && value != r.range) fail("conflicting RANGES values for row " + quote(row_name));
  r.range = value;
  r.has_range = true;
  r.line = line_;
}

void Parser::bounds_line(const Fields& f) {
  const std::string type = to_upper(f[0]);
  if (is_integer_bound(type)) {
    fail("unsupported integer bound type " + quote(f[0]) + " (integer variables are not supported)");
  }
  const bool needs_value = type == "UP" || type == "LO" || type == "FX";
  if (!needs_value && !bound_without_value(type)) {
    fail("unknown bound type " + quote(f[0]) + " (expected UP, LO, FX, FR, MI or PL)");
  }
  if (needs_value) {
    check_fields(f, {0, 2, 3}, {0, 1, 2, 3});
  } else {
    check_fields(f, {0, 2}, {0, 1, 2, 3});  // some writers put a dummy value after FR/MI/PL
  }
  if (!use_set(bound_set_, f[1])) return;
  Column& c = columns_[find_column(f[2])];
  const double value = f[3].empty() ? 0.0 : bound_number(f[3]);
  c.bound_line = line_;
  if (type == "UP") {
    // A negative upper bound on a variable with the default lower bound 0 would make an empty
    // box; the usual convention (CPLEX, HiGHS) reads it as lower = -inf instead.
    if (value < 0.0 && !c.lower_set) c.lower = -kInf;
    c.upper = value;
  } else if (type == "LO") {
    c.lower = value;
    c.lower_set = true;
  } else if (type == "FX") {
    c.lower = value;
    c.upper = value;
    c.lower_set = true;
  } else if (type == "FR") {
    c.lower = -kInf;
    c.upper = kInf;
    c.lower_set = true;
  } else if (type == "MI") {
    c.lower = -kInf;
    c.lower_set = true;
  } else {  // PL
    c.upper = kInf;
  }
}

void Parser::quad_line(const Fields& f) {
  check_fields(f, {1, 2, 3}, {1, 2, 3});
  const int i = find_column(f[1]);
  const int j = find_column(f[2]);
  const double value = number(f[3]);
  const auto what = [&] { return "quadratic entry (" + quote(f[1]) + ", " + quote(f[2]) + ")"; };
  set_entry(quadratic_, entry_key(i, j), value, what);
  // QUADOBJ lists one triangle: the mirror entry is implied. QMATRIX lists both.
  if (section_ == Section::quadobj && i != j) set_entry(quadratic_, entry_key(j, i), value, what);
}

// An entry may be repeated with the same value (some writers list both triangles in QUADOBJ);
// a different value is ambiguous, so it is an error rather than a silent sum or overwrite.
template <class Describe>
void Parser::set_entry(std::unordered_map<long long, double>& entries, long long key, double value,
                       const Describe& what) const {
  auto inserted = entries.emplace(key, value);
  if (!inserted.second && inserted.first->second != value) {
    fail("conflicting values for " + what() + ": " + format_number(inserted.first->second) +
         " and " + format_number(value));
  }
}

// MPS files may hold several RHS / RANGES / BOUNDS sets: the first named one is used.
bool Parser::use_set(std::string& active, const std::string& name) const {
  if (name.empty()) return true;
  if (active.empty()) active = name;
  return active == name;
}

// std::from_chars rather than strtod: it ignores the C locale (a caller's setlocale must not
// turn "1.5" into a parse error) and must consume the whole field, which is checked.
double Parser::number(const std::string& text) const {
  if (text.empty()) fail("missing value");
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (*begin == '+' && end - begin > 1 && begin[1] != '-' && begin[1] != '+') ++begin;
  double value = 0.0;
  const std::from_chars_result result = std::from_chars(begin, end, value);
  if (result.ec == std::errc::result_out_of_range) fail("value " + quote(text) + " is out of range");
  if (result.ec != std::errc() || result.ptr != end) fail("non-numeric value " + quote(text));
  if (std::isnan(value)) fail("NaN value " + quote(text) + " is not allowed");
  return value;
}

double Parser::bound_number(const std::string& text) const {
  const double value = number(text);
  if (value >= kMpsInfinity) return kInf;
  if (value <= -kMpsInfinity) return -kInf;
  return value;
}

int Parser::find_row(const std::string& name) const {
  auto found = row_index_.find(name);
  if (found == row_index_.end()) fail("unknown row " + quote(name));
  return found->second;
}

int Parser::find_column(const std::string& name) const {
  auto found = column_index_.find(name);
  if (found == column_index_.end()) fail("unknown column " + quote(name));
  return found->second;
}

void Parser::check_column_bounds() {
  for (const Column& c : columns_) {
    line_ = c.bound_line;
    if (c.lower == kInf) fail("invalid bounds for column " + quote(c.name) + ": lower bound +inf");
    if (c.upper == -kInf) fail("invalid bounds for column " + quote(c.name) + ": upper bound -inf");
    if (c.lower > c.upper) {
      fail("invalid bounds for column " + quote(c.name) + ": lower bound " + format_number(c.lower) +
           " > upper bound " + format_number(c.upper));
    }
  }
}

// Row bounds from RHS b and range R (standard MPS semantics, see the header).
std::pair<double, double> Parser::row_bounds(const Row& row) {
  const double b = row.rhs;
  const double r = std::fabs(row.range);
  double lower = b;
  double upper = b;
  if (row.type == 'L') {
    lower = row.has_range ? b - r : -kInf;
  } else if (row.type == 'G') {
    upper = row.has_range ? b + r : kInf;
  } else if (row.has_range && row.range > 0.0) {  // E row: the sign of R picks the side
    upper = b + r;
  } else if (row.has_range && row.range < 0.0) {
    lower = b - r;
  }
  line_ = row.line;
  // inf - inf (an infinite RHS with an infinite range) gives NaN: reject it with the rest.
  if (std::isnan(lower) || std::isnan(upper) || lower > upper || lower == kInf || upper == -kInf) {
    fail("invalid bounds for row " + quote(row.name) + ": lower bound " + format_number(lower) +
         ", upper bound " + format_number(upper));
  }
  return {lower, upper};
}

void negate(std::vector<double>& v) {
  for (double& x : v) x = 0.0 - x;  // 0.0 - x keeps zeros positive, unlike -x
}

SparseQp Parser::finish(long last_line, QpsInfo* info, long long max_dense_entries) {
  line_ = last_line;
  if (objective_ < 0) fail("no objective row: ROWS must come first and name an N row");
  check_column_bounds();

  // Constraint rows: E/L/G in file order; N rows have no slot.
  std::vector<int> slot(rows_.size(), -1);
  int row_constraints = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].type != 'N') slot[i] = row_constraints++;
  }
  int bounded_variables = 0;
  for (const Column& c : columns_) {
    if (std::isfinite(c.lower) || std::isfinite(c.upper)) ++bounded_variables;
  }

  const long long n = static_cast<long long>(columns_.size());
  const long long m = static_cast<long long>(row_constraints) + bounded_variables;
  line_ = last_line;
  if (max_dense_entries >= 0 && n * n + m * n > max_dense_entries) {
    fail("problem too large for dense storage: n = " + std::to_string(n) + ", m = " + std::to_string(m));
  }
  if (m > std::numeric_limits<int>::max()) fail("too many rows: m = " + std::to_string(m));

  SparseQp qp;
  qp.name = name_;
  qp.n = static_cast<int>(n);
  qp.m = static_cast<int>(m);
  qp.q.assign(n, 0.0);
  qp.l.assign(m, 0.0);
  qp.u.assign(m, 0.0);
  qp.objective_constant = 0.0 - objective_rhs_;

  std::vector<Triplet> a_entries;
  a_entries.reserve(coefficients_.size() + bounded_variables);
  for (const auto& [key, value] : coefficients_) {
    const int row = static_cast<int>(key >> 32);
    const int column = static_cast<int>(key & 0xffffffffLL);
    if (row == objective_) {
      qp.q[column] = value;
    } else if (slot[row] >= 0) {
      a_entries.push_back({slot[row], column, value});
    }
  }
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (slot[i] < 0) continue;
    std::tie(qp.l[slot[i]], qp.u[slot[i]]) = row_bounds(rows_[i]);
  }
  int next = row_constraints;
  for (long long j = 0; j < n; ++j) {
    const Column& c = columns_[j];
    if (!std::isfinite(c.lower) && !std::isfinite(c.upper)) continue;
    a_entries.push_back({next, static_cast<int>(j), 1.0});
    qp.l[next] = c.lower;
    qp.u[next] = c.upper;
    ++next;
  }
  qp.A = csc_of(a_entries, qp.m, qp.n);

  // P = (Q + Qᵀ)/2: the same objective ½xᵀQx; a no-op for QUADOBJ, which is already mirrored.
  // Its upper triangle: entry (i, j) adds ½Q_ij at (min, max), twice on the diagonal.
  std::unordered_map<long long, double> upper;
  for (const auto& [key, value] : quadratic_) {
    const long long i = key >> 32;
    const long long j = key & 0xffffffffLL;
    double& entry = upper[std::min(i, j) << 32 | std::max(i, j)];
    entry += 0.5 * value;
    if (i == j) entry += 0.5 * value;
  }
  std::vector<Triplet> p_entries;
  p_entries.reserve(upper.size());
  for (const auto& [key, value] : upper)
    p_entries.push_back({static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffLL), value});
  qp.P = csc_of(p_entries, qp.n, qp.n);

  if (maximize_) {  // max f = -min(-f): store -f, which the solver minimizes
    negate(qp.P.values);
    negate(qp.q);
    qp.objective_constant = 0.0 - qp.objective_constant;
  }
  if (info != nullptr) {
    info->row_constraints = row_constraints;
    info->bounded_variables = bounded_variables;
    info->fixed_format = fixed_;
  }
  return qp;
}

SparseQp parse_lines(const std::vector<std::string>& lines, const std::string& source, bool fixed,
                     QpsInfo* info, long long max_dense_entries) {
  Parser parser(source, fixed);
  long number = 0;
  for (const std::string& text : lines) {
    ++number;
    if (!parser.read_line(number, text)) break;
  }
  return parser.finish(std::max(number, 1L), info, max_dense_entries);
}

SparseQp parse(std::istream& in, const std::string& source_name, QpsInfo* info, long long max_dense_entries) {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
    lines.push_back(line);
  }
  if (in.bad()) throw ParseError(source_name, 0, "read error");

  // Free format first: it accepts long names and loose alignment. Fixed format only when free
  // parsing fails (typically on a name with a space); the error of the attempt that got
  // further is the more telling one.
  try {
    return parse_lines(lines, source_name, false, info, max_dense_entries);
  } catch (const ParseError& free_error) {
    try {
      return parse_lines(lines, source_name, true, info, max_dense_entries);
    } catch (const ParseError& fixed_error) {
      if (fixed_error.line() > free_error.line()) throw;
      throw free_error;
    }
  }
}

SparseQp read(const std::string& path, QpsInfo* info, long long max_dense_entries) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, "cannot open file");
  return parse(in, path, info, max_dense_entries);
}

}  // namespace

DenseQp parse_qps(std::istream& in, const std::string& source_name, QpsInfo* info) {
  return to_dense(parse(in, source_name, info, kMaxDenseEntries), kMaxDenseEntries);
}

DenseQp read_qps(const std::string& path, QpsInfo* info) {
  return to_dense(read(path, info, kMaxDenseEntries), kMaxDenseEntries);
}

SparseQp parse_qps_sparse(std::istream& in, const std::string& source_name, QpsInfo* info) {
  return parse(in, source_name, info, -1);
}

SparseQp read_qps_sparse(const std::string& path, QpsInfo* info) { return read(path, info, -1); }

}  // namespace bpqp::io
