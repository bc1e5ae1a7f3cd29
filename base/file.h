// Whole-file reads and writes, for /proc, /sys and the small files the boot leaves behind.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace nfsroot {

[[nodiscard]] Result<std::string> read_file(const std::string& path);
// Creates or truncates, mode 0644.
[[nodiscard]] Result<void> write_file(const std::string& path, std::string_view content);
// Writes to a file that exists (a sysfs or procfs setting): never creates one, never through a
// symlink.
[[nodiscard]] Result<void> write_existing_file(const std::string& path, std::string_view content);
[[nodiscard]] bool path_exists(const std::string& path);
// mkdir -p, each new directory mode 0755, for the early folders and the files /run gets (the
// boot's mounts in a root go through sys/system.h instead).
[[nodiscard]] Result<void> make_directories(const std::string& path);

}  // namespace nfsroot
