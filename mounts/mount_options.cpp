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

// Userspace-only options (libmount's MNT_USERSPACE_MAP and the loop device's): dropped. NAME
// alone, and NAME= with a value where mount(8) takes one (user=NAME is utab's, loop=DEVICE …).
bool userspace_only(std::string_view name, bool has_value) {
  for (const std::string_view bare : {"noauto", "_netdev", "nofail", "nogroup", "noowner", "nousers"}) {
    if (name == bare) return !has_value;
  }
  for (const std::string_view valued : {"user", "loop", "offset", "sizelimit", "encryption", "comment", "helper",
                                        "uhelper"}) {
    if (name == valued) return true;
  }
  // dm-verity's verity.hashdevice= …, which mount(8) turns into a device mapper table.
  for (const std::string_view verity : {"hashdevice", "roothash", "hashoffset", "roothashfile", "fecdevice",
                                        "fecoffset", "fecroots", "roothashsig", "oncorruption"}) {
    if (name.starts_with("verity.") && name.substr(7) == verity) return true;
  }
  // x-* and X-* (fstab's X-mount.mkdir): mount(8) and systemd read them, never the kernel.
  return name.starts_with("x-") || name.starts_with("X-");
}

// libmount's mnt_optstr_next_option(): ',' separates options except inside "…"; a quote left
// open ends the list there, the option it opens included, as mount(8) reads it.
std::vector<std::string_view> split_options(std::string_view options) {
  std::vector<std::string_view> result;
  std::size_t begin = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i] == '"') {
      quoted = !quoted;
    } else if (options[i] == ',' && !quoted) {
      result.push_back(options.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  if (!quoted) result.push_back(options.substr(begin));
  return result;
}

}  // namespace

MountOptions split_mount_options(std::string_view options) {
  MountOptions result;
  for (const auto option : split_options(options)) {
    if (option.empty()) continue;
    const auto equals = option.find('=');
    const std::string_view name = option.substr(0, equals);
    const bool has_value = equals != std::string_view::npos && equals + 1 < option.size();
    // libmount reads "NAME=" as NAME; a flag with a real value ("ro=1") is the filesystem's.
    if (name == "defaults") continue;  // no flag at all, whatever follows
    bool is_flag = false;
    if (!has_value) {
      for (const auto& known : kFlagOptions) {
        if (known.name != name) continue;
        is_flag = true;
        if (known.clears) {
          result.flags &= ~known.flag;
        } else {
          result.flags |= known.flag;
        }
      }
    }
    if (is_flag || userspace_only(name, has_value)) continue;
    if (!result.data.empty()) result.data += ',';
    result.data += option;
  }
  return result;
}

}  // namespace nfsroot
