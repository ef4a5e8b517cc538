// Exceptions for API misuse. Numerical outcomes are never exceptions: they
// are per-problem statuses (status.hpp). Every message names the argument.
#pragma once

#include <stdexcept>
#include <string>

namespace bpqp {

// Base of every exception bpqp throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A shape, stride, pointer or setting that does not fit the call.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A CUDA executor was requested from a build without CUDA, or no device is usable.
class CudaUnavailable : public Error {
 public:
  using Error::Error;
};

// A problem file that cannot be read: the message carries "file:line: reason".
class ParseError : public Error {
 public:
  ParseError(const std::string& file, long line, const std::string& reason)
      : Error(file + ":" + std::to_string(line) + ": " + reason), file_(file), line_(line) {}
  const std::string& file() const { return file_; }
  long line() const { return line_; }

 private:
  std::string file_;
  long line_;
};

}  // namespace bpqp
