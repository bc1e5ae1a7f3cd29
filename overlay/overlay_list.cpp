// Parsing, defaults and merging of the overlay list.
#include "overlay/overlay_list.h"

#include <algorithm>
#include <map>
#include <optional>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

namespace {

constexpr std::string_view kFormatHint =
    "write MOUNTPOINT KIND [OPTIONS], e.g. \"/var overlay size=128M\"; KIND is tmpfs, overlay, aufs or none";

bool valid_mount_point(std::string_view path) {
  if (!path.starts_with('/') || path == "/" || path.ends_with('/')) return false;
  for (const auto part : split(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

// tmpfs size= (a number with an optional k/m/g/t/p/e suffix, or a percentage of RAM) and
// nr_blocks= and nr_inodes= (the same, no %). Not 0: tmpfs(5) reads 0 as no limit, so a union could take
// all of RAM.
bool valid_size(std::string_view size, bool percent_allowed) {
  if (size.empty()) return false;
  std::string_view digits = size;
  const std::string_view suffixes = percent_allowed ? "kKmMgGtTpPeE%" : "kKmMgGtTpPeE";
  if (suffixes.find(digits.back()) != std::string_view::npos) digits.remove_suffix(1);
  const auto number = parse_decimal<std::uint64_t>(digits);
  return number && *number > 0;
}

// mount(2) operations, not options (libmount's MNT_LINUX_MAP): remount and bind would act on
// another mount than the union's, move would move one, and a propagation flag would let the
// union's mounts reach the initramfs or the other way round.
bool is_mount_operation(std::string_view option) {
  for (const std::string_view name : {"remount", "bind", "rbind", "move", "rmove", "shared", "rshared", "private",
                                      "rprivate", "slave", "rslave", "unbindable", "runbindable"}) {
    if (option == name) return true;
  }
  return false;
}

// The hand-off moves the initramfs' /dev /proc /sys /run onto these in the new root
// (pid1/switch_root): a union there, or under one, would be hidden or moved with them.
std::optional<std::string_view> handoff_mount(std::string_view path) {
  for (const std::string_view moved : {"/dev", "/proc", "/sys", "/run"}) {
    if (path == moved || (path.starts_with(moved) && path.size() > moved.size() && path[moved.size()] == '/')) {
      return moved;
    }
  }
  return std::nullopt;
}

std::optional<UnionKind> parse_kind(std::string_view text) {
  for (const UnionKind kind : {UnionKind::Tmpfs, UnionKind::Overlay, UnionKind::Aufs, UnionKind::None}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

std::size_t depth(std::string_view path) { return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')); }

}  // namespace

Result<OverlayEntry> parse_overlay_entry(std::string_view text, std::string_view origin) {
  std::vector<std::string_view> fields;
  const std::string_view trimmed = trim(text);
  if (trimmed.find_first_of(" \t") == std::string_view::npos && trimmed.find(':') != std::string_view::npos) {
    const auto first = trimmed.find(':');
    const auto second = trimmed.find(':', first + 1);
    fields.push_back(trimmed.substr(0, first));
    fields.push_back(trimmed.substr(first + 1, second == std::string_view::npos ? second : second - first - 1));
    if (second != std::string_view::npos) fields.push_back(trimmed.substr(second + 1));
  } else {
    for (const auto field : split(trimmed, ' ')) {
      for (const auto word : split(field, '\t')) {
        if (!word.empty()) fields.push_back(word);
      }
    }
  }
  const std::string input(trimmed);
  if (fields.size() < 2 || fields.size() > 3) {
    return std::unexpected(error_with_problem(origin, input, "expected 2 or 3 fields", kFormatHint));
  }
  OverlayEntry entry;
  entry.origin = std::string(origin);
  entry.mount_point = std::string(fields[0]);
  if (!valid_mount_point(fields[0])) {
    return std::unexpected(error_with_problem(origin, input,
                                              "mount point '" + entry.mount_point + "' is not a clean absolute path",
                                              "write it like /var or /etc/udev/rules.d (not /, no .., no trailing /)"));
  }
  if (const auto moved = handoff_mount(entry.mount_point)) {
    return std::unexpected(error_with_problem(
        origin, input,
        "mount point '" + entry.mount_point + "' is where the hand-off moves the initramfs' " + std::string(*moved),
        "drop this entry: " + std::string(*moved) + " is the kernel's (or the root's init makes it)"));
  }
  const auto kind = parse_kind(fields[1]);
  if (!kind) {
    return std::unexpected(
        error_with_problem(origin, input, "unknown kind '" + std::string(fields[1]) + "'", kFormatHint));
  }
  entry.kind = *kind;
  if (fields.size() == 3) {
    for (const auto option : split(fields[2], ',')) {
      if (option.empty()) continue;
      if (is_mount_operation(option)) {
        return std::unexpected(error_with_problem(origin, input,
                                                  std::string(option) + " is a mount operation, not an option",
                                                  "remove it; a union takes tmpfs options and flags such as "
                                                  "size=, mode=, nosuid, noexec"));
      }
      if (option.starts_with("size=") && !valid_size(option.substr(5), true)) {
        return std::unexpected(error_with_problem(origin, input,
                                                  "bad " + std::string(option) + ": tmpfs reads 0 as no limit",
                                                  "size= takes a number above 0 with k, m, g suffix or a %, e.g. "
                                                  "size=128M"));
      }
      if (option.starts_with("nr_blocks=") && !valid_size(option.substr(10), false)) {
        return std::unexpected(error_with_problem(origin, input,
                                                  "bad " + std::string(option) + ": tmpfs reads 0 as no limit",
                                                  "nr_blocks= takes a number of pages above 0, e.g. nr_blocks=32768; "
                                                  "size= reads better"));
      }
      // mm/shmem.c parses nr_inodes= with memparse (k, m, g; no %), and 0 means no inode limit:
      // a union could then fill RAM with empty files, whatever its size= says.
      if (option.starts_with("nr_inodes=") && !valid_size(option.substr(10), false)) {
        return std::unexpected(error_with_problem(origin, input,
                                                  "bad " + std::string(option) + ": tmpfs reads 0 as no limit",
                                                  "nr_inodes= takes a number of inodes above 0 with an optional k, m "
                                                  "or g suffix, e.g. nr_inodes=64k; leave it out for tmpfs' default"));
      }
      if (option.starts_with("mode=") && (option.size() == 5 || option.substr(5).find_first_not_of("01234567") !=
                                                                     std::string_view::npos)) {
        return std::unexpected(
            error_with_problem(origin, input, "bad " + std::string(option), "mode= takes octal digits, e.g. mode=1777"));
      }
      entry.options.emplace_back(option);
    }
  }
  return entry;
}

ParsedOverlayList parse_overlay_list(std::string_view text, std::string_view file_name) {
  ParsedOverlayList list;
  int number = 0;
  for (auto line : split(text, '\n')) {
    ++number;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    auto entry = parse_overlay_entry(line, cat(file_name, ":", number));
    if (entry) {
      list.entries.push_back(std::move(*entry));
    } else {
      list.errors.push_back(std::move(entry.error()));
    }
  }
  return list;
}

std::vector<OverlayEntry> default_overlay_list() {
  constexpr std::string_view origin = "built-in default";
  return {
      {"/tmp", UnionKind::Tmpfs, {"size=128M", "mode=1777"}, std::string(origin)},
      {"/var", UnionKind::Overlay, {"size=128M"}, std::string(origin)},
      {"/etc/udev/rules.d", UnionKind::Overlay, {"size=1M"}, std::string(origin)},
  };
}

std::vector<OverlayEntry> merge_overlay_lists(const std::vector<OverlayEntry>& higher,
                                              const std::vector<OverlayEntry>& lower) {
  // One slot per entry in the order added; a later entry for the same mount point empties the
  // earlier slot (found through the index, not by a scan: an image's file may be long).
  std::vector<std::optional<OverlayEntry>> slots;
  std::map<std::string_view, std::size_t> slot_of;
  auto add = [&](const OverlayEntry& entry) {
    if (const auto known = slot_of.find(entry.mount_point); known != slot_of.end()) {
      slots[known->second].reset();
      slot_of.erase(known);
    }
    slots.emplace_back(entry);
    slot_of.emplace(slots.back()->mount_point, slots.size() - 1);
  };
  slots.reserve(lower.size() + higher.size());  // no reallocation: the index holds views
  for (const auto& entry : lower) add(entry);
  for (const auto& entry : higher) add(entry);
  std::vector<OverlayEntry> merged;
  for (auto& slot : slots) {
    if (slot && slot->kind != UnionKind::None) merged.push_back(std::move(*slot));
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const OverlayEntry& a, const OverlayEntry& b) { return depth(a.mount_point) < depth(b.mount_point); });
  return merged;
}

std::string_view to_string(UnionKind kind) {
  switch (kind) {
    case UnionKind::Tmpfs: return "tmpfs";
    case UnionKind::Overlay: return "overlay";
    case UnionKind::Aufs: return "aufs";
    case UnionKind::None: return "none";
  }
  return "?";
}

}  // namespace nfsroot
