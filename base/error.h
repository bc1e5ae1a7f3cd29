// The error value every fallible function returns: what was attempted, on what, why, and what to change.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nfsroot {

struct Error {
  std::string operation;  // "mount", "open", "nfsroot="
  std::string input;      // the path, option or value it was given
  std::string problem;    // what went wrong, when errno does not say it
  int errno_value = 0;    // 0 when the failure is not a syscall's
  std::string hint;       // what the admin can change; may be empty
  // What the callers were doing when it failed, innermost first ("union /var (built-in
  // default)", "unions"): added on the way out, printed by describe() outermost first, so no
  // caller rewrites the operation or the hint of an error it did not make.
  std::vector<std::string> context;
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

// Adds what the caller was doing to a failed result (a success passes through untouched, and
// the context text is only built by the caller when it fails):
//   if (!done) return std::unexpected(with_context(std::move(done.error()), "union " + mount_point));
[[nodiscard]] Error with_context(Error error, std::string context);

// One line for logs and stderr: "mount /root: No such file or directory (errno 2); check …",
// behind the contexts: "unions: mkdir /run/nfsroot-init/layers: …".
[[nodiscard]] std::string describe(const Error& error);

}  // namespace nfsroot
