#include "npz_writer.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace bpqp::bench {
namespace {

std::uint32_t crc32(const std::string& bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) c = table[(c ^ byte) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Little-endian fields of the zip headers.
void put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

std::uint32_t checked32(std::size_t v, const std::string& what) {
  if (v >= std::numeric_limits<std::uint32_t>::max())
    throw std::runtime_error("npz: " + what + " exceeds 4 GiB (no zip64 support); export a smaller batch");
  return static_cast<std::uint32_t>(v);
}

// .npy version 1.0: magic, header length, a Python dict literal padded so the data starts
// on a 64-byte boundary, then the raw little-endian array in C order.
std::string npy_header(const char* descr, const std::vector<std::int64_t>& shape) {
  std::string dims;
  for (std::int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.erase(dims.size() - 2);  // "(3,)" for 1-D, "(3, 4)" otherwise
  else if (!dims.empty()) dims.erase(dims.size() - 1);
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  put16(out, static_cast<std::uint32_t>(dict.size()));
  return out + dict;
}

}  // namespace

void NpzWriter::add_raw(const std::string& name, const char* descr, const std::vector<std::int64_t>& shape,
                        const char* data, std::size_t size) {
  Entry entry{name + ".npy", npy_header(descr, shape)};
  entry.bytes.append(data, size);
  entries_.push_back(std::move(entry));
}

void NpzWriter::add(const std::string& name, const std::vector<std::int64_t>& shape, const double* data) {
  std::size_t count = 1;
  for (std::int64_t d : shape) count *= static_cast<std::size_t>(d);
  static_assert(std::numeric_limits<double>::is_iec559, "npz float64 needs IEEE doubles");
  add_raw(name, "<f8", shape, reinterpret_cast<const char*>(data), count * sizeof(double));
}

void NpzWriter::add_bool(const std::string& name, const std::vector<std::int64_t>& shape,
                         const std::vector<bool>& data) {
  std::string bytes;
  for (bool b : data) bytes.push_back(b ? '\x01' : '\x00');
  add_raw(name, "|b1", shape, bytes.data(), bytes.size());
}

void NpzWriter::write(const std::string& path) const {
  std::string central;
  std::size_t offset = 0;
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("npz: cannot open " + path + " for writing");
  for (const Entry& e : entries_) {
    const std::uint32_t size = checked32(e.bytes.size(), e.file_name);
    const std::uint32_t crc = crc32(e.bytes);
    const std::uint32_t local_offset = checked32(offset, path);
    std::string local;
    put32(local, 0x04034b50);  // local file header
    put16(local, 20);          // version needed: 2.0
    put16(local, 0);           // flags
    put16(local, 0);           // method: stored
    put16(local, 0);           // time
    put16(local, 0x21);        // date: 1980-01-01
    put32(local, crc);
    put32(local, size);
    put32(local, size);
    put16(local, static_cast<std::uint32_t>(e.file_name.size()));
    put16(local, 0);  // extra field length
    local += e.file_name;
    out.write(local.data(), static_cast<std::streamsize>(local.size()));
    out.write(e.bytes.data(), static_cast<std::streamsize>(e.bytes.size()));
    offset += local.size() + e.bytes.size();

    put32(central, 0x02014b50);  // central directory header
    put16(central, 20);          // made by
    put16(central, 20);          // needed
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, size);
    put32(central, size);
    put16(central, static_cast<std::uint32_t>(e.file_name.size()));
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, local_offset);
    central += e.file_name;
  }
  std::string end;
  put32(end, 0x06054b50);  // end of central directory
  put16(end, 0);
  put16(end, 0);
  put16(end, static_cast<std::uint32_t>(entries_.size()));
  put16(end, static_cast<std::uint32_t>(entries_.size()));
  put32(end, checked32(central.size(), path));
  put32(end, checked32(offset, path));
  put16(end, 0);
  out.write(central.data(), static_cast<std::streamsize>(central.size()));
  out.write(end.data(), static_cast<std::streamsize>(end.size()));
  if (!out) throw std::runtime_error("npz: writing " + path + " failed");
}

}  // namespace bpqp::bench
