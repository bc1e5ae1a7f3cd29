// Fuzzes the mount option splitter against libmount, the reference mount(8) uses: any option
// string must give libmount's MS_* flags (MNT_LINUX_MAP) and its filesystem data (the "fs" part
// of mnt_split_optstr, userspace-only options dropped). Host only: libmount has no static
// archive in Debian, which is why the /init has its own splitter.
#include <libmount/libmount.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "mounts/mount_options.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string options(reinterpret_cast<const char*>(data), size);
  // libmount takes C strings. And its option maps write an optional value as "user[=]", which
  // its lookup matches by prefix, so the junk name "user[" is libmount's user: not compared.
  if (options.find('\0') != std::string::npos || options.find('[') != std::string::npos) return 0;
  unsigned long flags = 0;
  if (mnt_optstr_get_flags(options.c_str(), &flags, mnt_get_builtin_optmap(MNT_LINUX_MAP)) != 0) return 0;
  char* user = nullptr;
  char* vfs = nullptr;
  char* fs = nullptr;
  if (mnt_split_optstr(options.c_str(), &user, &vfs, &fs, 0, 0) != 0) return 0;
  const std::string reference_data = fs ? fs : "";
  std::free(user);
  std::free(vfs);
  std::free(fs);

  const auto ours = nfsroot::split_mount_options(options);
  check(ours.flags == flags);
  check(ours.data == reference_data);
  return 0;
}
