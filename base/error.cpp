// Construction and formatting of Error values.
#include "base/error.h"

#include <cstring>

namespace nfsroot {

Error error_from_errno(std::string_view operation, std::string_view input, int errno_value, std::string_view hint) {
  return Error{std::string(operation), std::string(input), {}, errno_value, std::string(hint), {}};
}

Error error_with_problem(std::string_view operation, std::string_view input, std::string_view problem,
                         std::string_view hint) {
  return Error{std::string(operation), std::string(input), std::string(problem), 0, std::string(hint), {}};
}

Error with_context(Error error, std::string context) {
  error.context.push_back(std::move(context));
  return error;
}

std::string describe(const Error& error) {
  std::string text;
  for (auto context = error.context.rbegin(); context != error.context.rend(); ++context) {
    text += *context;
    text += ": ";
  }
  text += error.operation;
  if (!error.input.empty()) {
    text += ' ';
    text += error.input;
  }
  if (!error.problem.empty()) {
    text += ": ";
    text += error.problem;
  }
  if (error.errno_value != 0) {
    text += ": ";
    text += std::strerror(error.errno_value);  // POSIX; only the main thread formats errors
    text += " (errno ";
    text += std::to_string(error.errno_value);
    text += ')';
  }
  if (!error.hint.empty()) {
    text += "; ";
    text += error.hint;
  }
  return text;
}

}  // namespace nfsroot
