// Parsing, defaults and merging of the overlay list.
#include "overlay/overlay_list.h"

#include <algorithm>

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

// tmpfs size=: a number with an optional k/m/g/t/p/e suffix, or a percentage of RAM.
bool valid_size(std::string_view size) {
  if (size.empty()) return false;
  std::string_view digits = size;
  if (std::string_view("kKmMgGtTpPeE%").find(digits.back()) != std::string_view::npos) digits.remove_suffix(1);
  return parse_decimal<std::uint64_t>(digits).has_value();
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
  const auto kind = parse_kind(fields[1]);
  if (!kind) {
    return std::unexpected(
        error_with_problem(origin, input, "unknown kind '" + std::string(fields[1]) + "'", kFormatHint));
  }
  entry.kind = *kind;
  if (fields.size() == 3) {
    for (const auto option : split(fields[2], ',')) {
      if (option.empty()) continue;
      if (option.starts_with("size=") && !valid_size(option.substr(5))) {
        return std::unexpected(error_with_problem(origin, input, "bad " + std::string(option),
                                                  "size= takes a number with k, m, g suffix or a %, e.g. size=128M"));
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
    auto entry = parse_overlay_entry(line, std::string(file_name) + ":" + std::to_string(number));
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
  std::vector<OverlayEntry> merged;
  auto add = [&](const OverlayEntry& entry) {
    std::erase_if(merged, [&](const OverlayEntry& e) { return e.mount_point == entry.mount_point; });
    merged.push_back(entry);
  };
  for (const auto& entry : lower) add(entry);
  for (const auto& entry : higher) add(entry);
  std::erase_if(merged, [](const OverlayEntry& e) { return e.kind == UnionKind::None; });
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
