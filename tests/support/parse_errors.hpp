// The readers' error contract, checked the same way for each of them: parsing `text` throws a
// ParseError that names the source and the line, and whose message carries `reason`.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "bpqp/errors.hpp"

namespace bpqp::testing {

template <class Parse>
void expect_parse_error(const Parse& parse, const std::string& text, const std::string& source, long line,
                        const std::string& reason) {
  try {
    parse(text);
    ADD_FAILURE() << "no ParseError; expected line " << line << ": " << reason;
  } catch (const ParseError& e) {
    const std::string message = e.what();
    EXPECT_EQ(e.line(), line) << message;
    EXPECT_EQ(e.file(), source);
    EXPECT_NE(message.find(source + ":" + std::to_string(line) + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message << "\n  expected reason: " << reason;
  }
}

}  // namespace bpqp::testing
