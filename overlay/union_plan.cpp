// Merging the overlay list's sources, and the steps that build each union.
#include "overlay/union_plan.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "base/cat.h"
#include "base/text.h"
#include "mounts/mount_options.h"

namespace nfsroot {

namespace {

// boot_plan uses the same origin for command line entries.
constexpr std::string_view kCommandLineOrigin = "nfsroot-init.overlay=";

std::string octal(std::uint32_t mode) {
  char text[8] = {};
  std::uint32_t rest = mode & 07777;
  for (int i = 3; i >= 0; --i) {
    text[i] = static_cast<char>('0' + (rest & 7));
    rest >>= 3;
  }
  return text;
}

std::size_t depth(std::string_view path) { return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')); }

// The mount point as one file name: "/etc/udev/rules.d" -> "etc-udev-rules.d". Anything but
// letters, digits and "._-" becomes '_', so the name never carries the ',' ':' '=' that
// overlayfs and aufs read as separators in their option strings.
std::string layer_name(std::string_view mount_point) {
  std::string name;
  for (const char c : mount_point.substr(1)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    name += c == '/' ? '-' : plain ? c : '_';
  }
  return name;
}

bool is_generic_flag(std::string_view option) { return split_mount_options(option).data.empty(); }

std::optional<std::string_view> option_value(const std::vector<std::string>& options, std::string_view key) {
  std::optional<std::string_view> value;
  for (const auto& option : options) {
    if (option.size() > key.size() && option.starts_with(key) && option[key.size()] == '=') {
      value = std::string_view(option).substr(key.size() + 1);  // the last one wins, as in tmpfs
    }
  }
  return value;
}

struct SplitOptions {
  AttributeOverrides overrides;
  std::vector<std::string> data;   // size=, nr_inodes=, … (what the tmpfs itself takes)
  std::vector<std::string> flags;  // nosuid, noexec, … (generic, for the visible mount)
};

Result<SplitOptions> split_entry_options(const OverlayEntry& entry) {
  SplitOptions split_options;
  for (const auto& option : entry.options) {
    const std::string_view text = option;
    const auto equals = text.find('=');
    const std::string_view key = text.substr(0, equals);
    const std::string_view value = equals == std::string_view::npos ? std::string_view{} : text.substr(equals + 1);
    if (key == "mode" || key == "uid" || key == "gid") {
      std::uint32_t number = 0;
      const int base = key == "mode" ? 8 : 10;
      const auto [end, status] = std::from_chars(value.data(), value.data() + value.size(), number, base);
      const bool whole = !value.empty() && status == std::errc{} && end == value.data() + value.size();
      if (!whole || (key == "mode" && number > 07777)) {
        return std::unexpected(error_with_problem(option, "", "not a valid " + std::string(key) + "=",
                                                  key == "mode" ? "mode= takes octal digits, e.g. mode=1777"
                                                                : "uid= and gid= take a number, e.g. uid=0"));
      }
      auto& slot = key == "mode" ? split_options.overrides.mode
                   : key == "uid" ? split_options.overrides.uid
                                  : split_options.overrides.gid;
      slot = number;
    } else if (is_generic_flag(option)) {
      split_options.flags.push_back(option);
    } else {
      split_options.data.push_back(option);
    }
  }
  return split_options;
}

std::vector<std::string> concat(std::vector<std::string> first, const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

// Which attributes come from the options and which from the image, for describe().
std::string attribute_sources(const AttributeOverrides& overrides, std::string_view image_directory) {
  std::vector<std::string> given;
  std::vector<std::string> taken;
  if (overrides.mode) {
    given.push_back("mode " + octal(*overrides.mode));
  } else {
    taken.emplace_back("mode");
  }
  if (overrides.uid) {
    given.push_back(cat("uid ", *overrides.uid));
  } else {
    taken.emplace_back("owner");
  }
  if (overrides.gid) {
    given.push_back(cat("gid ", *overrides.gid));
  } else {
    taken.emplace_back("group");
  }
  std::string text;
  if (!given.empty()) text = join(given, ", ") + " from the options";
  if (!taken.empty()) {
    if (!text.empty()) text += "; ";
    text += join(taken, ", ") + " from the image's " + std::string(image_directory);
  }
  return text;
}

bool valid_layout_path(std::string_view path) {
  return path.starts_with('/') && path.find('\0') == std::string_view::npos;
}

// Lexical clean-up of an absolute path: "." and empty parts go, ".." stops at "/", as
// RESOLVE_IN_ROOT does for the parts that are not symlinks.
std::string normalise(std::string_view path) {
  std::vector<std::string_view> parts;
  for (const auto part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string clean;
  for (const auto part : parts) {
    clean += '/';
    clean += part;
  }
  return clean.empty() ? "/" : clean;
}

// memparse(): a number with an optional k, m, g, t, p, e suffix (powers of 1024).
std::optional<std::uint64_t> parse_size_bytes(std::string_view text) {
  if (text.empty()) return std::nullopt;
  unsigned shift = 0;
  const std::string_view suffixes = "kmgtpe";
  const char last = static_cast<char>(text.back() | 0x20);
  if (const auto at = suffixes.find(last); at != std::string_view::npos) {
    shift = 10 * static_cast<unsigned>(at + 1);
    text.remove_suffix(1);
  }
  const auto number = parse_decimal<std::uint64_t>(text);
  if (!number) return std::nullopt;
  if (shift > 0 && *number > (UINT64_MAX >> shift)) return UINT64_MAX;  // more than any RAM
  return *number << shift;
}

}  // namespace

// --- sources -----------------------------------------------------------------------------------------

MergedOverlayList merge_overlay_sources(const OverlaySources& sources) {
  MergedOverlayList merged;
  std::vector<OverlayEntry> list = default_overlay_list();
  // Lowest first: each source is merged over what the lower ones built.
  for (const auto* file : {&sources.initramfs_file, &sources.root_file}) {
    if (!file->has_value()) continue;
    auto parsed = parse_overlay_list((*file)->text, (*file)->name);
    for (auto& error : parsed.errors) merged.errors.push_back(std::move(error));
    list = merge_overlay_lists(parsed.entries, list);
  }
  std::vector<OverlayEntry> from_command_line;
  for (const auto& text : sources.command_line) {
    auto entry = parse_overlay_entry(text, kCommandLineOrigin);
    if (entry) {
      from_command_line.push_back(std::move(*entry));
    } else {
      merged.errors.push_back(std::move(entry.error()));
    }
  }
  merged.entries = merge_overlay_lists(from_command_line, list);
  return merged;
}

// --- steps -------------------------------------------------------------------------------------------

std::string CheckMountPoint::describe() const {
  return "check that " + mount_point + " is a directory in the new root";
}

std::string MakeDirectory::describe() const { return "mkdir -p " + path + " (mode " + octal(mode) + ")"; }

std::string MountLayerTmpfs::describe() const { return "mount tmpfs on " + target + " (" + options + ")"; }

std::string CopyAttributes::describe() const {
  return "give " + to + " the attributes of the lower directory: " + attribute_sources(overrides, from);
}

std::string MountTmpfs::describe() const {
  return "mount tmpfs on " + mount_point + " in the new root (" + (options.empty() ? "no options" : options) +
         "); " + attribute_sources(overrides, mount_point);
}

std::string MountOverlay::describe() const {
  return "mount overlay on " + mount_point + " in the new root: lower the image's " + mount_point + ", upper " +
         upper + ", work " + work + (flags.empty() ? "" : "; " + flags);
}

std::string MountAufs::describe() const {
  return "mount aufs on " + mount_point + " in the new root: br=" + upper + "=rw:<the image's " + mount_point +
         ">=ro" + (flags.empty() ? "" : "; " + flags);
}

std::string describe(const UnionStep& step) {
  return std::visit([](const auto& s) { return s.describe(); }, step);
}

std::string PlannedUnion::summary() const {
  std::string text = entry.mount_point + ' ';
  switch (kind) {
    case UnionKind::Tmpfs: text += "tmpfs"; break;
    case UnionKind::Overlay:
      text += entry.kind == UnionKind::Aufs ? "overlay (aufs asked, the kernel has none) on tmpfs" : "overlay on tmpfs";
      break;
    case UnionKind::Aufs: text += "aufs on tmpfs"; break;
    case UnionKind::None: text += "none"; break;
  }
  const auto size = option_value(entry.options, "size");
  text += size ? " " + std::string(*size) : " (no size=: up to half of RAM)";
  std::vector<std::string> others;
  for (const auto& option : entry.options) {
    if (!option.starts_with("size=")) others.push_back(option);
  }
  if (!others.empty()) text += ", " + join(others, ",");
  return text + " (" + entry.origin + ")";
}

Result<UnionPlan> plan_union_steps(const std::vector<OverlayEntry>& entries, const UnionLayout& layout) {
  if (!valid_layout_path(layout.new_root)) {
    return std::unexpected(error_with_problem("union plan", layout.new_root, "the new root is not an absolute path"));
  }
  std::string layers = layout.layers_dir;
  while (layers.size() > 1 && layers.ends_with('/')) layers.pop_back();
  // overlayfs splits its options at ',' and lowerdir at ':' (with '\' escapes), aufs its
  // branches at ':' and '='; a layers path with those would be read as something else.
  if (!valid_layout_path(layers) || layers == "/" || layers.find_first_of(",:=\\ \t\n") != std::string::npos) {
    return std::unexpected(error_with_problem("union plan", layout.layers_dir,
                                              "the layers directory must be an absolute path below / without "
                                              "',' ':' '=' '\\' or blanks",
                                              "use the default /run/nfsroot-init/unions"));
  }

  UnionPlan plan;
  plan.new_root = layout.new_root;
  plan.layers_dir = layers;

  // One entry per mount point: merge_overlay_lists already ensures it, but a caller may not
  // have merged. The later entry wins, as in a merge, and the log says so.
  // Indexed, not scanned: the list may be long, and this must not be quadratic.
  std::vector<std::optional<OverlayEntry>> slots;
  std::map<std::string, std::size_t> slot_of;
  for (const auto& entry : entries) {
    if (entry.kind == UnionKind::None) continue;
    if (const auto same = slot_of.find(entry.mount_point); same != slot_of.end()) {
      plan.notices.push_back(entry.mount_point + ": listed twice; the entry from " + entry.origin +
                             " replaces the one from " + slots[same->second]->origin);
      slots[same->second].reset();
      same->second = slots.size();
    } else {
      slot_of.emplace(entry.mount_point, slots.size());
    }
    slots.emplace_back(entry);
  }
  std::vector<OverlayEntry> ordered;
  for (auto& slot : slots) {
    if (slot) ordered.push_back(std::move(*slot));
  }
  // Parents before children, always: a parent mounted later would hide its child's union.
  // Fewer '/' first is enough, since a parent always has fewer than its descendants.
  std::stable_sort(ordered.begin(), ordered.end(), [](const OverlayEntry& a, const OverlayEntry& b) {
    return depth(a.mount_point) < depth(b.mount_point);
  });

  bool needs_layers = false;
  std::size_t number = 0;
  std::set<std::string, std::less<>> tmpfs_mounts;  // kind tmpfs unions planned so far
  // The nearest planned tmpfs union above `path`: looked up per ancestor, not by a scan.
  auto tmpfs_above = [&](std::string_view path) -> std::optional<std::string> {
    for (auto slash = path.rfind('/'); slash != std::string_view::npos && slash > 0; slash = path.rfind('/', slash - 1)) {
      if (tmpfs_mounts.contains(path.substr(0, slash))) return std::string(path.substr(0, slash));
    }
    return std::nullopt;
  };
  for (const auto& entry : ordered) {
    ++number;
    PlannedUnion planned;
    planned.entry = entry;
    planned.kind = entry.kind;
    if (entry.kind == UnionKind::Aufs && layout.aufs == AufsSupport::Absent) {
      planned.kind = UnionKind::Overlay;
      plan.notices.push_back(entry.mount_point + ": kind aufs (" + entry.origin +
                             "), but this kernel has no aufs (not in /proc/filesystems): using overlay instead");
    }

    // An empty tmpfs has no image directory below it, so nothing can be covered there.
    if (const auto tmpfs_parent = tmpfs_above(entry.mount_point)) {
      planned.error = error_with_problem(
          "union " + entry.mount_point + " (" + entry.origin + ")", "",
          "it is inside " + *tmpfs_parent + ", an empty tmpfs, so there is no directory to mount on",
          "make " + *tmpfs_parent + " an overlay, or drop one of the two entries");
      plan.unions.push_back(std::move(planned));
      continue;
    }

    auto options = split_entry_options(entry);
    if (!options) {
      planned.error = with_context(std::move(options.error()), cat("union ", entry.mount_point, " (", entry.origin, ')'));
      plan.unions.push_back(std::move(planned));
      continue;
    }

    if (planned.kind == UnionKind::Tmpfs) {
      tmpfs_mounts.insert(entry.mount_point);
      planned.steps.emplace_back(
          MountTmpfs{entry.mount_point, join(concat(options->data, options->flags), ","), options->overrides});
    } else {
      needs_layers = true;
      planned.layer_dir = cat(layers, "/", number, "-", layer_name(entry.mount_point));
      const std::string upper = planned.layer_dir + "/upper";
      const std::string work = planned.layer_dir + "/work";
      // The layer tmpfs is not what users see: mode 0755 root:root (a bare tmpfs would be
      // 1777), the entry's size and its flags except ro, which would leave nothing writable.
      std::vector<std::string> layer_options{"mode=0755"};
      for (const auto& data : options->data) layer_options.push_back(data);
      for (const auto& flag : options->flags) {
        if (flag != "ro" && flag != "rw") layer_options.push_back(flag);
      }
      const std::string flags = join(options->flags, ",");
      planned.steps.emplace_back(CheckMountPoint{entry.mount_point});
      planned.steps.emplace_back(MakeDirectory{planned.layer_dir, 0755});
      planned.steps.emplace_back(MountLayerTmpfs{planned.layer_dir, join(layer_options, ",")});
      planned.steps.emplace_back(MakeDirectory{upper, 0755});
      // overlayfs wants an empty work directory on the upper's filesystem; nobody else needs it.
      planned.steps.emplace_back(MakeDirectory{work, 0700});
      planned.steps.emplace_back(CopyAttributes{entry.mount_point, upper, options->overrides});
      if (planned.kind == UnionKind::Aufs) {
        planned.steps.emplace_back(MountAufs{entry.mount_point, upper, flags});
      } else {
        planned.steps.emplace_back(MountOverlay{entry.mount_point, upper, work, flags});
      }
    }
    plan.unions.push_back(std::move(planned));
  }
  if (needs_layers) plan.setup.emplace_back(MakeDirectory{layers, 0755});
  return plan;
}

// --- helpers -----------------------------------------------------------------------------------------

DirectoryAttributes apply_overrides(const DirectoryAttributes& image, const AttributeOverrides& overrides) {
  return {overrides.mode.value_or(image.mode & 07777), overrides.uid.value_or(image.uid),
          overrides.gid.value_or(image.gid)};
}

std::string tmpfs_options_with_attributes(const DirectoryAttributes& attributes, std::string_view options) {
  std::string text = cat("mode=", octal(attributes.mode), ",uid=", attributes.uid, ",gid=", attributes.gid);
  if (!options.empty()) {
    text += ',';
    text += options;
  }
  return text;
}

std::optional<std::uint64_t> parse_mem_total(std::string_view meminfo) {
  for (const auto line : split(meminfo, '\n')) {
    if (!line.starts_with("MemTotal:")) continue;
    std::string_view value = trim(line.substr(9));
    if (!value.ends_with(" kB")) return std::nullopt;
    value = trim(value.substr(0, value.size() - 3));
    const auto kib = parse_decimal<std::uint64_t>(value);
    if (!kib || *kib > (UINT64_MAX >> 10)) return std::nullopt;
    return *kib << 10;
  }
  return std::nullopt;
}

Result<void> check_tmpfs_size(std::string_view options, std::uint64_t mem_total_bytes) {
  const std::uint64_t mib = mem_total_bytes >> 20;
  const std::string ram = cat("MemTotal ", mib, " MiB");
  for (const auto option : split(options, ',')) {
    if (option.starts_with("nr_blocks=")) {
      // tmpfs(5): nr_blocks counts PAGE_SIZE blocks; 4 KiB on the architectures we boot.
      const auto blocks = parse_size_bytes(option.substr(10));
      if (blocks && *blocks > (mem_total_bytes >> 12)) {
        return std::unexpected(error_with_problem("tmpfs", option, "more than this machine's RAM (" + ram + ")",
                                                  "lower nr_blocks= for this entry, or write size=25%"));
      }
      continue;
    }
    if (!option.starts_with("size=")) continue;
    const std::string_view value = option.substr(5);
    if (value.ends_with('%')) {
      const auto percent = parse_decimal<std::uint64_t>(value.substr(0, value.size() - 1));
      if (!percent) {
        return std::unexpected(error_with_problem("tmpfs", option, "not a size", "write e.g. size=128M or size=25%"));
      }
      if (*percent > 100) {
        return std::unexpected(error_with_problem("tmpfs", option, "more than all of this machine's RAM (" + ram + ")",
                                                  "write at most size=100%, better 50% or less"));
      }
      continue;
    }
    const auto bytes = parse_size_bytes(value);
    if (!bytes) {
      return std::unexpected(error_with_problem("tmpfs", option, "not a size", "write e.g. size=128M or size=25%"));
    }
    if (*bytes > mem_total_bytes) {
      return std::unexpected(error_with_problem("tmpfs", option, cat("more than this machine's RAM (", ram, ")"),
                                                cat("lower size= for this entry (e.g. size=",
                                                    std::max<std::uint64_t>(mib / 4, 1),
                                                    "M, or size=25%), or give the client more memory")));
    }
  }
  return {};
}

bool filesystem_listed(std::string_view proc_filesystems, std::string_view name) {
  for (const auto line : split(proc_filesystems, '\n')) {
    const auto tab = line.rfind('\t');
    if (trim(tab == std::string_view::npos ? line : line.substr(tab + 1)) == name) return true;
  }
  return false;
}

std::optional<std::string> seed_layout_lower(std::string_view mount_point, std::string_view link_text) {
  while (link_text.size() > 1 && link_text.ends_with('/')) link_text.remove_suffix(1);
  const auto slash = link_text.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? link_text : link_text.substr(slash + 1);
  if (last != "mount") return std::nullopt;
  const std::string_view base = slash == std::string_view::npos ? std::string_view{} : link_text.substr(0, slash + 1);
  std::string lower;
  if (!link_text.starts_with('/')) {
    // A relative link counts from the directory that holds it.
    lower = std::string(mount_point.substr(0, mount_point.rfind('/') + 1));
  }
  lower += base;
  lower += "ro";
  return normalise(lower);
}

std::optional<std::uint64_t> tmpfs_size_bytes(std::string_view options, std::uint64_t mem_total_bytes) {
  std::optional<std::uint64_t> size = mem_total_bytes / 2;
  for (const auto option : split(options, ',')) {
    // mm/shmem.c: nr_blocks= sets the same limit as size=, in pages; the later one wins.
    if (option.starts_with("nr_blocks=")) {
      const auto blocks = parse_size_bytes(option.substr(10));
      if (!blocks) {
        size = std::nullopt;
      } else {
        size = *blocks > (UINT64_MAX >> 12) ? UINT64_MAX : *blocks << 12;  // 4 KiB pages
      }
      continue;
    }
    if (!option.starts_with("size=")) continue;
    const std::string_view value = option.substr(5);
    if (value.ends_with('%')) {
      const auto percent = parse_decimal<std::uint64_t>(value.substr(0, value.size() - 1));
      size = percent ? std::optional<std::uint64_t>(mem_total_bytes / 100 * *percent) : std::nullopt;
    } else {
      size = parse_size_bytes(value);
    }
  }
  return size;
}

}  // namespace nfsroot
