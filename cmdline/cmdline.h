// Splits the kernel command line into parameters, with the kernel's own quoting rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nfsroot {

struct KernelParameter {
  std::string key;                   // "nfsroot", "ro"
  std::optional<std::string> value;  // nullopt for a bare word; "" for "key="
  auto operator<=>(const KernelParameter&) const = default;
};

struct KernelCommandLine {
  std::vector<KernelParameter> parameters;
  std::vector<std::string> init_arguments;  // the words after "--", which the kernel gives to init
};

// lib/cmdline.c next_arg(): spaces separate parameters except inside double quotes; a quote
// opening a value (key="a b") or the whole parameter ("key=a b") is dropped with its partner
// at the end. A trailing newline, as /proc/cmdline has, is whitespace.
[[nodiscard]] KernelCommandLine split_kernel_command_line(std::string_view text);

}  // namespace nfsroot
