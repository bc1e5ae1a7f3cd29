// The error value every fallible function returns: what was attempted, on what, why, and what to change.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace nfsroot {

struct Error {
  std::string operation;  // "mount", "open", "nfsroot="
  std::string input;      // the path, option or value it was given
  std::string problem;    // what went wrong, when errno does not say it
  int errno_value = 0;    // 0 when the failure is not a syscall's
  std::string hint;       // what the admin can change; may be empty
};

template <class T>
using Result = std::expected<T, Error>;

// Propagates a failed Result out of the calling function (which returns a Result too); the
// expression's value is the successful one's (nothing, for Result<void>). As SerenityOS's TRY,
// on GNU statement expressions (g++ and clang).
#define TRY(expression)                                                                  \
  ({                                                                                     \
    auto&& try_result_ = (expression);                                                   \
    if (!try_result_) return std::unexpected(std::move(try_result_.error()));            \
    std::move(try_result_).value();                                                      \
  })

// For syscall wrappers. The caller reads errno right after the call and passes it in, so that
// nothing in between can clobber it.
[[nodiscard]] Error error_from_errno(std::string_view operation, std::string_view input, int errno_value,
                                     std::string_view hint = {});
[[nodiscard]] Error error_with_problem(std::string_view operation, std::string_view input, std::string_view problem,
                                       std::string_view hint = {});

// One line for logs and stderr: "mount /root: No such file or directory (errno 2); check …".
[[nodiscard]] std::string describe(const Error& error);

}  // namespace nfsroot
