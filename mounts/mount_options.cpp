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

// The generic options of mount(8) that map to a flag (libmount's MNT_LINUX_MAP), and those
// that only mount(8) reads (MNT_USERSPACE_MAP): they never reach the kernel, but "user" and
// "users" imply nosuid,nodev,noexec and "owner" and "group" nosuid,nodev, as in mount(8).
constexpr unsigned long kUserImplies = MS_NOSUID | MS_NODEV | MS_NOEXEC;
constexpr unsigned long kOwnerImplies = MS_NOSUID | MS_NODEV;
constexpr std::array<FlagOption, 47> kFlagOptions{{
    {"ro", MS_RDONLY, false},          {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},      {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},        {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},      {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},   {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},    {"mand", MS_MANDLOCK, false},
    {"nomand", MS_MANDLOCK, true},     {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},       {"nodiratime", MS_NODIRATIME, false},
    {"diratime", MS_NODIRATIME, true}, {"relatime", MS_RELATIME, false},
    {"norelatime", MS_RELATIME, true}, {"strictatime", MS_STRICTATIME, false},
    {"nostrictatime", MS_STRICTATIME, true}, {"lazytime", MS_LAZYTIME, false},
    {"nolazytime", MS_LAZYTIME, true}, {"silent", MS_SILENT, false},
    {"loud", MS_SILENT, true},         {"iversion", MS_I_VERSION, false},
    {"noiversion", MS_I_VERSION, true}, {"nosymfollow", MS_NOSYMFOLLOW, false},
    {"symfollow", MS_NOSYMFOLLOW, true}, {"remount", MS_REMOUNT, false},
    {"bind", MS_BIND, false},          {"rbind", MS_BIND | MS_REC, false},
    {"private", MS_PRIVATE, false},    {"rprivate", MS_PRIVATE | MS_REC, false},
    {"shared", MS_SHARED, false},      {"rshared", MS_SHARED | MS_REC, false},
    {"slave", MS_SLAVE, false},        {"rslave", MS_SLAVE | MS_REC, false},
    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE | MS_REC, false},
    {"user", kUserImplies, false},     {"users", kUserImplies, false},
    {"owner", kOwnerImplies, false},   {"group", kOwnerImplies, false},
    {"defaults", 0, false},            {"nouser", 0, false},
    {"auto", 0, false},
}};

// Userspace-only options with a value or a prefix, dropped like the names above.
bool userspace_only(std::string_view option) {
  for (const std::string_view name : {"noauto", "_netdev", "nofail", "loop", "nogroup", "noowner"}) {
    if (option == name) return true;
  }
  for (const std::string_view prefix : {"x-", "comment=", "helper=", "uhelper=", "loop="}) {
    if (option.starts_with(prefix)) return true;
  }
  return false;
}

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
    if (is_flag || userspace_only(option)) continue;
    if (!result.data.empty()) result.data += ',';
    result.data += option;
  }
  return result;
}

}  // namespace nfsroot
