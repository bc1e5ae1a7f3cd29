// Generic mount options -> MS_* flags; the rest is filesystem data.
#include "mounts/mount_options.h"

#include <sys/mount.h>

#include <array>

#include "base/text.h"

namespace nfsroot {

namespace {

struct FlagOption {
  std::string_view name;
  unsigned long flag;
  bool clears;  // "rw" clears MS_RDONLY, "suid" clears MS_NOSUID
};

// The generic options of mount(8) that map to a flag; "defaults" and friends map to nothing.
constexpr std::array<FlagOption, 26> kFlagOptions{{
    {"ro", MS_RDONLY, false},         {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},     {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},       {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},     {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},  {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},   {"mand", MS_MANDLOCK, false},
    {"nomand", MS_MANDLOCK, true},    {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},      {"nodiratime", MS_NODIRATIME, false},
    {"diratime", MS_NODIRATIME, true}, {"relatime", MS_RELATIME, false},
    {"norelatime", MS_RELATIME, true}, {"strictatime", MS_STRICTATIME, false},
    {"nostrictatime", MS_STRICTATIME, true}, {"lazytime", MS_LAZYTIME, false},
    {"nolazytime", MS_LAZYTIME, true}, {"silent", MS_SILENT, false},
    {"loud", MS_SILENT, true},        {"defaults", 0, false},
}};

}  // namespace

MountOptions split_mount_options(std::string_view options) {
  MountOptions result;
  for (const auto option : split(options, ',')) {
    if (option.empty()) continue;
    bool is_flag = false;
    for (const auto& known : kFlagOptions) {
      if (known.name != option) continue;
      is_flag = true;
      if (known.clears) {
        result.flags &= ~known.flag;
      } else {
        result.flags |= known.flag;
      }
    }
    if (is_flag) continue;
    if (!result.data.empty()) result.data += ',';
    result.data += option;
  }
  return result;
}

}  // namespace nfsroot
