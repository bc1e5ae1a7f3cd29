// Splits a mount option string into MS_* flags and the filesystem's own data, as mount(8) does.
#pragma once

#include <string>
#include <string_view>

namespace nfsroot {

struct MountOptions {
  unsigned long flags = 0;  // MS_RDONLY, MS_NOSUID, …
  std::string data;         // what the filesystem parses: "mode=0755,size=10%"
};

// libmount cannot be linked statically (Debian ships no libmount.a), so the generic options are
// recognised here, userspace-only ones (noauto, _netdev, x-*, X-*, user=, loop=, …) dropped, and
// everything else is filesystem data, kept in order; ',' inside "…" does not separate, as in
// libmount. tests/unit/mount_options_libmount_test.cpp holds a corpus
// that must split exactly as libmount splits it.
[[nodiscard]] MountOptions split_mount_options(std::string_view options);

}  // namespace nfsroot
