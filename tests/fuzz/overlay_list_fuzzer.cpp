// Fuzzes the overlay list parser and the merge with the defaults: the merge's promises (one
// entry per mount point, parents before children, no kind none) and the parser's refusals
// (no mount operations, no union where the hand-off moves /dev /proc /sys /run).
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "overlay/overlay_list.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool is_under(std::string_view path, std::string_view parent) {
  return path.size() > parent.size() && path.starts_with(parent) && path[parent.size()] == '/';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto list = nfsroot::parse_overlay_list(text, "fuzz");
  // Merged twice, as the boot merges the initramfs' and the root's files over the defaults.
  const auto merged =
      nfsroot::merge_overlay_lists(list.entries, nfsroot::merge_overlay_lists(list.entries, nfsroot::default_overlay_list()));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < merged.size(); ++i) {
    const auto& entry = merged[i];
    check(entry.kind != nfsroot::UnionKind::None);
    check(seen.insert(entry.mount_point).second);  // one entry per mount point
    // Parents first: nothing later is an ancestor of this entry.
    for (std::size_t j = i + 1; j < merged.size(); ++j) check(!is_under(entry.mount_point, merged[j].mount_point));
    for (const std::string_view moved : {"/dev", "/proc", "/sys", "/run"}) {
      check(entry.mount_point != moved && !is_under(entry.mount_point, moved));
    }
    for (const auto& option : entry.options) {
      check(option != "remount" && option != "bind" && option != "rbind" && option != "move" && option != "shared" &&
            option != "rshared" && option != "private" && option != "rprivate" && option != "slave" &&
            option != "rslave" && option != "unbindable" && option != "runbindable");
      check(option != "size=0" && option != "size=0%" && option != "nr_blocks=0" && option != "nr_inodes=0");
    }
  }
  // Every entry of the list is in the merge, unless a later one for its mount point replaced it.
  std::map<std::string, nfsroot::UnionKind> last;
  for (const auto& entry : list.entries) last[entry.mount_point] = entry.kind;
  for (const auto& [mount_point, kind] : last) check(seen.contains(mount_point) == (kind != nfsroot::UnionKind::None));
  return 0;
}
