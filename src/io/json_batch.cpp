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

  DenseQp read();

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;
  std::vector<double> vector(const std::string& key, const json& array, int expected,
                             const std::string& expected_what) const;
  std::vector<double> matrix(const std::string& key, int rows, int columns,
                             const std::string& rows_what) const;
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

// A rows×columns array of rows, row-major.
std::vector<double> ProblemReader::matrix(const std::string& key, int rows, int columns,
                                          const std::string& rows_what) const {
  const json& array = value_.at(key);
  if (!array.is_array()) fail(key, key + " must be an array of rows, found " + array.type_name());
  if (array.size() != static_cast<size_t>(rows)) {
    fail(key, key + " has " + std::to_string(array.size()) + " rows, expected " + rows_what);
  }
  std::vector<double> out;
  out.reserve(static_cast<size_t>(rows) * static_cast<size_t>(columns));
  std::string why;
  for (int i = 0; i < rows; ++i) {
    const std::string row_name = key + "[" + std::to_string(i) + "]";
    const json& row = array[static_cast<size_t>(i)];
    if (!row.is_array()) fail(key, row_name + " must be an array, found " + row.type_name());
    if (row.size() != static_cast<size_t>(columns)) {
      fail(key, key + " has " + std::to_string(row.size()) + " columns in row " + std::to_string(i) +
                    ", expected n = " + std::to_string(columns) + " (length of q)");
    }
    for (size_t j = 0; j < row.size(); ++j) {
      double x = 0.0;
      if (!to_double(row[j], &x, &why)) fail(key, row_name + "[" + std::to_string(j) + "]: " + why);
      out.push_back(x);
    }
  }
  return out;
}

DenseQp ProblemReader::read() {
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

  DenseQp qp;
  if (value_.contains("name")) {
    const json& name = value_.at("name");
    if (!name.is_string()) fail("name", std::string("name must be a string, found ") + name.type_name());
    qp.name = name.get<std::string>();
  }
  if (!value_.contains("q")) fail("", "q is missing (it defines n)");
  qp.q = vector("q", value_.at("q"), -1, "");
  qp.n = static_cast<int>(qp.q.size());
  const std::string n_what = "n = " + std::to_string(qp.n) + " (length of q)";
  const long long rows_of_a = value_.contains("A") && value_.at("A").is_array()
                                  ? static_cast<long long>(value_.at("A").size()) : 0;
  if (static_cast<long long>(qp.n) * (qp.n + rows_of_a) > kMaxDenseEntries) {
    fail("q", "problem too large for dense storage: n = " + std::to_string(qp.n) +
                  ", m = " + std::to_string(rows_of_a));
  }

  // P omitted or [] is the zero matrix: an LP.
  const bool has_p = value_.contains("P") && !(value_.at("P").is_array() && value_.at("P").empty());
  qp.P = has_p ? matrix("P", qp.n, qp.n, n_what)
               : std::vector<double>(static_cast<size_t>(qp.n) * static_cast<size_t>(qp.n), 0.0);

  // m comes from A; l and u must follow it.
  const bool has_a = value_.contains("A");
  if (has_a && !value_.at("A").is_array()) {
    fail("A", std::string("A must be an array of rows, found ") + value_.at("A").type_name());
  }
  qp.m = has_a ? static_cast<int>(value_.at("A").size()) : 0;
  qp.A = has_a ? matrix("A", qp.m, qp.n, "") : std::vector<double>();
  qp_m_ = qp.m;
  const std::string m_what = "m = " + std::to_string(qp.m) + " (rows of A)";
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

// One number as the reader reads it back: shortest round-trip digits, infinities as strings.
std::string number_text(double x, int index, const char* what) {
  if (std::isnan(x)) {
    throw InvalidArgument("write_json_batch: problems[" + std::to_string(index) + "]." + what +
                          " holds a NaN, which JSON cannot represent");
  }
  if (std::isinf(x)) return x > 0 ? "\"inf\"" : "\"-inf\"";
  return json(x).dump();
}

void write_row(std::ostringstream& out, const double* row, int length, int index, const char* what) {
  out << '[';
  for (int j = 0; j < length; ++j) out << (j > 0 ? ", " : "") << number_text(row[j], index, what);
  out << ']';
}

void write_matrix(std::ostringstream& out, const std::vector<double>& a, int rows, int columns,
                  int index, const char* what) {
  if (rows == 0) {
    out << "[]";
    return;
  }
  out << "[\n";
  for (int i = 0; i < rows; ++i) {
    out << "        ";
    write_row(out, a.data() + static_cast<size_t>(i) * static_cast<size_t>(columns), columns, index, what);
    out << (i + 1 < rows ? ",\n" : "\n");
  }
  out << "      ]";
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
  out << "    {\n";
  out << "      \"name\": " << json(qp.name).dump(-1, ' ', false, json::error_handler_t::replace) << ",\n";
  out << "      \"P\": ";
  if (p_is_zero) {
    out << "[]";  // an LP: the schema's zero matrix, and a much smaller file
  } else {
    write_matrix(out, qp.P, qp.n, qp.n, index, "P");
  }
  out << ",\n      \"q\": ";
  write_row(out, qp.q.data(), qp.n, index, "q");
  out << ",\n      \"A\": ";
  write_matrix(out, qp.A, qp.m, qp.n, index, "A");
  out << ",\n      \"l\": ";
  write_row(out, qp.l.data(), qp.m, index, "l");
  out << ",\n      \"u\": ";
  write_row(out, qp.u.data(), qp.m, index, "u");
  if (!qp.cones.empty()) {
    out << ",\n      \"cones\": [";
    for (std::size_t k = 0; k < qp.cones.size(); ++k)
      out << (k > 0 ? ", " : "") << "{\"first_row\": " << qp.cones[k].first_row << ", \"dim\": " << qp.cones[k].dim
          << ", \"kind\": \"" << to_string(qp.cones[k].kind) << "\"}";
    out << "]";
  }
  out << ",\n      \"objective_constant\": " << number_text(qp.objective_constant, index, "objective_constant");
  out << "\n    }";
}

}  // namespace

std::vector<DenseQp> parse_json_batch(const std::string& text, const std::string& source_name) {
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

  std::vector<DenseQp> batch;
  if (!document.contains("problems")) {  // a single problem
    batch.push_back(ProblemReader(text, source_name, document, 0, where.top).read());
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
    batch.push_back(ProblemReader(text, source_name, problems[k], static_cast<int>(k), element).read());
  }
  return batch;
}

std::vector<DenseQp> read_json_batch(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParseError(path, 0, "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ParseError(path, 0, "read error");
  return parse_json_batch(text.str(), path);
}

std::string write_json_batch(const std::vector<DenseQp>& problems) {
  std::ostringstream out;
  out << "{\n  \"problems\": [";
  for (size_t k = 0; k < problems.size(); ++k) {
    out << (k > 0 ? ",\n" : "\n");
    write_problem(out, problems[k], static_cast<int>(k));
  }
  out << (problems.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return out.str();
}

}  // namespace bpqp::io
