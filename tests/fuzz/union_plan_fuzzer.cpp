// Fuzzes the union planner and the tmpfs size checks: an overlay list (as the parser lets it
// through, unmerged, so duplicates and any order reach the planner) becomes a plan whose order,
// layer directories and options are what the builder relies on; and the size the builder counts
// for a tmpfs is the size the kernel gives it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/text.h"
#include "overlay/overlay_list.h"
#include "overlay/union_plan.h"

namespace {

using namespace nfsroot;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool is_under(std::string_view path, std::string_view parent) {
  return path.size() > parent.size() && path.starts_with(parent) && path[parent.size()] == '/';
}

// memparse() as tmpfs reads a size, for the decimal numbers our checks accept: K M G T P E
// suffixes, powers of 1024. nullopt for what we do not model (then no comparison is made).
std::optional<unsigned __int128> memparse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  unsigned shift = 0;
  const std::string_view suffixes = "kmgtpe";
  if (const auto at = suffixes.find(static_cast<char>(text.back() | 0x20)); at != std::string_view::npos) {
    shift = 10 * static_cast<unsigned>(at + 1);
    text.remove_suffix(1);
  }
  const auto number = parse_decimal<std::uint64_t>(text);
  if (!number) return std::nullopt;
  return static_cast<unsigned __int128>(*number) << shift;
}

// The limit tmpfs sets (mm/shmem.c shmem_parse_one): size= and nr_blocks= both set the block
// limit, so the last of them wins; size=N% is N% of RAM; nr_blocks counts 4 KiB pages; neither
// means half of RAM. nullopt when a value is outside what memparse() above models.
std::optional<unsigned __int128> kernel_tmpfs_size(std::string_view options, std::uint64_t ram) {
  std::optional<unsigned __int128> size = ram / 2;
  for (const auto option : split(options, ',')) {
    if (option.starts_with("size=") && option.ends_with('%')) {
      const auto percent = parse_decimal<std::uint64_t>(option.substr(5, option.size() - 6));
      if (!percent) return std::nullopt;
      size = static_cast<unsigned __int128>(ram / 100) * *percent;
    } else if (option.starts_with("size=")) {
      size = memparse(option.substr(5));
    } else if (option.starts_with("nr_blocks=")) {
      const auto blocks = memparse(option.substr(10));
      size = blocks ? std::optional(*blocks * 4096) : std::nullopt;
    }
    if (!size) return std::nullopt;
  }
  return size;
}

// The builder counts tmpfs_size_bytes() against RAM, and refuses by check_tmpfs_size(): a tmpfs
// the check lets through may not hold more than RAM, and its counted size is the kernel's.
void check_size(std::string_view options, std::uint64_t ram) {
  const auto counted = tmpfs_size_bytes(options, ram);
  const auto kernel = kernel_tmpfs_size(options, ram);
  if (!check_tmpfs_size(options, ram)) return;
  if (kernel) {
    check(*kernel <= ram);
    // Saturated at UINT64_MAX is fine only for what is refused anyway.
    check(counted && *counted == *kernel);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first two bytes: RAM (1 MiB << 0..31, plus a few pages so it is not a round number)
  // and whether aufs is there; the rest is the overlay list.
  const std::uint64_t ram = (std::uint64_t{1} << (20 + (data[0] & 31))) + std::uint64_t{data[1]} * 4096;
  UnionLayout layout;
  layout.aufs = (data[0] & 0x80) ? AufsSupport::Present : AufsSupport::Absent;
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  const auto list = parse_overlay_list(text, "fuzz");

  const auto plan = plan_union_steps(list.entries, layout);
  check(plan.has_value());  // the default layout is always usable

  // A none entry removes only in a merge; the planner skips it, so an earlier entry stays.
  std::map<std::string, const OverlayEntry*> kept;
  for (const auto& entry : list.entries) {
    if (entry.kind != UnionKind::None) kept[entry.mount_point] = &entry;
  }
  check(plan->unions.size() == kept.size());

  std::set<std::string> layer_dirs;
  std::set<std::string> tmpfs_unions;
  for (std::size_t i = 0; i < plan->unions.size(); ++i) {
    const auto& planned = plan->unions[i];
    const auto& mount_point = planned.entry.mount_point;
    // The later entry for a mount point wins, as in a merge.
    check(kept.contains(mount_point) && kept[mount_point]->origin == planned.entry.origin);
    // Parents first: a parent mounted later would hide its child's union.
    for (std::size_t j = i + 1; j < plan->unions.size(); ++j) check(!is_under(mount_point, plan->unions[j].entry.mount_point));
    // Inside an empty tmpfs there is no image directory to mount on: refused.
    bool inside_tmpfs = false;
    for (const auto& parent : tmpfs_unions) inside_tmpfs = inside_tmpfs || is_under(mount_point, parent);
    if (inside_tmpfs) check(planned.error.has_value());
    check(planned.error.has_value() == planned.steps.empty());
    if (planned.error) continue;
    if (planned.kind == UnionKind::Tmpfs) tmpfs_unions.insert(mount_point);
    check(planned.kind != UnionKind::Aufs || layout.aufs == AufsSupport::Present);

    for (const auto& step : planned.steps) {
      if (const auto* tmpfs = std::get_if<MountTmpfs>(&step)) {
        check(tmpfs->mount_point == mount_point);
        check_size(tmpfs->options, ram);
      }
      if (const auto* layer = std::get_if<MountLayerTmpfs>(&step)) {
        // The layer holds upper/ and work/: it must be writable whatever the entry says.
        for (const auto option : split(layer->options, ',')) check(option != "ro");
        check_size(layer->options, ram);
      }
      if (const auto* overlay = std::get_if<MountOverlay>(&step)) {
        check(overlay->upper == planned.layer_dir + "/upper" && overlay->work == planned.layer_dir + "/work");
      }
    }
    if (planned.kind == UnionKind::Tmpfs) {
      check(planned.layer_dir.empty());
      continue;
    }
    // One layer directory per union, directly in the layers directory, and without the
    // characters overlayfs (',' ':' '\') and aufs (':' '=') read as separators.
    check(layer_dirs.insert(planned.layer_dir).second);
    check(planned.layer_dir.starts_with(plan->layers_dir + "/"));
    const std::string_view name = std::string_view(planned.layer_dir).substr(plan->layers_dir.size() + 1);
    check(!name.empty() && name.find_first_of("/,:=\\ \t\n") == std::string_view::npos);
  }

  // The size checks on their own, for option strings the parser would not let through.
  check_size(text, ram);
  return 0;
}
