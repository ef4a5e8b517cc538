// Writes NumPy .npz archives (an uncompressed zip of .npy arrays), so the Python
// peers read exactly the problems bpqp solved: np.load("case.npz")["P"].
//
//   bpqp::bench::NpzWriter npz;
//   npz.add("q", {batch, n}, q.data());       // float64, C order
//   npz.add_bool("ref_ok", {batch}, ok);
//   npz.write("random_qp_100x20.npz");
//
// Stored (method 0) entries without zip64: every array and the whole archive must
// stay under 4 GiB; write() throws std::runtime_error otherwise, or when the file
// cannot be written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpqp::bench {

class NpzWriter {
 public:
  void add(const std::string& name, const std::vector<std::int64_t>& shape, const double* data);
  void add_bool(const std::string& name, const std::vector<std::int64_t>& shape, const std::vector<bool>& data);
  void write(const std::string& path) const;

 private:
  struct Entry {
    std::string file_name;  // "<name>.npy"
    std::string bytes;      // the whole .npy file
  };
  void add_raw(const std::string& name, const char* descr, const std::vector<std::int64_t>& shape,
               const char* data, std::size_t size);
  std::vector<Entry> entries_;
};

}  // namespace bpqp::bench
