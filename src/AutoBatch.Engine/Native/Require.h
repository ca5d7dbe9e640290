// Argument checks shared by both native libraries (no libtorch header): a caller's mistake is an ArgumentError, which
// each library's exports turn into their "invalid argument" status with the message.
#pragma once
#include <stdexcept>
#include <string>

namespace ab {

// Thrown for anything the caller got wrong (shapes, ranges, null pointers).
struct ArgumentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

inline void require(bool condition, const std::string& message) {
  if (!condition) throw ArgumentError(message);
}

}  // namespace ab
