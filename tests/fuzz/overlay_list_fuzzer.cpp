// Fuzzes the overlay list parser and the merge with the defaults.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "overlay/overlay_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto list = nfsroot::parse_overlay_list(text, "fuzz");
  const auto merged = nfsroot::merge_overlay_lists(list.entries, nfsroot::default_overlay_list());
  // Parents come before children and every kept mount point is absolute.
  for (const auto& entry : merged) {
    if (entry.mount_point.empty() || entry.mount_point.front() != '/') __builtin_trap();
  }
  return 0;
}
