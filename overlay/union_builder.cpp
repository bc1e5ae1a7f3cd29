// Performing the union plan: resolving mount points inside the new root, the size check, mounts.
#include "overlay/union_builder.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "base/cat.h"
#include "base/file.h"
#include "base/text.h"
#include "mounts/mount_options.h"

namespace nfsroot {

Result<AufsSupport> detect_aufs(System& system) {
  auto filesystems = system.read_file("/proc/filesystems");
  if (!filesystems) return std::unexpected(std::move(filesystems.error()));
  return filesystem_listed(*filesystems, "aufs") ? AufsSupport::Present : AufsSupport::Absent;
}

Result<std::optional<OverlayListFile>> read_overlay_list(System& system, const std::string& root) {
  const std::string name = (root == "/" ? "" : root) + std::string(kOverlayListPath);
  std::optional<std::string> text = TRY(system.read_file_in_root(root, std::string(kOverlayListPath), kMaxOverlayListBytes));
  if (!text) return std::optional<OverlayListFile>{};
  std::size_t entries = 0;
  for (const auto line : split(*text, '\n')) {
    const auto content = trim(line);
    if (!content.empty() && !content.starts_with('#')) ++entries;
  }
  if (entries > kMaxOverlayListEntries) {
    return std::unexpected(error_with_problem(name, "", cat(entries, " entries, more than ", kMaxOverlayListEntries),
                                              "keep one line per union the image needs"));
  }
  return std::optional<OverlayListFile>(OverlayListFile{name, std::move(*text)});
}

// --- the builder ---------------------------------------------------------------------------------------

namespace {

std::string hint_for_open(const std::string& mount_point, int errno_value) {
  switch (errno_value) {
    case ENOENT:
      return "the image has no directory " + mount_point +
             ": create it there, or drop the entry (nfsroot-init.overlay=" + mount_point + ":none)";
    case ENOTDIR: return "in the image, " + mount_point + " or a directory above it is not a directory";
    case ELOOP: return "a symlink loop, or a /proc magic link, on the way: fix the image's symlinks";
    case ENOSYS: return "openat2(2) needs Linux 5.6 or later";
    default: return {};
  }
}

std::string hint_for_mount(const std::string& type, int errno_value) {
  switch (errno_value) {
    case ENODEV: return "the kernel has no " + type + " filesystem: add its module to the initramfs";
    case EINVAL:
      return type == "tmpfs" ? "tmpfs refused an option: check this entry's options"
                             : type + " refused these layers; the kernel log (dmesg) says why";
    case EPERM: return "mounting needs CAP_SYS_ADMIN";
    default: return {};
  }
}

class Builder {
 public:
  Builder(System& system, const UnionPlan& plan, std::vector<std::string>& notices)
      : system_(system), plan_(plan), notices_(notices) {}

  // Notes about this union for its report line (the seed's layout was found, …).
  std::vector<std::string> notes;

  // Each tmpfs may hold up to its size; together they must fit in RAM, or filling them all
  // (a runaway log in /var, a big file in /tmp) would exhaust the memory they share.
  void count_tmpfs(std::string_view options) {
    load_mem_total();
    if (!mem_total_) return;
    if (const auto size = tmpfs_size_bytes(options, *mem_total_)) tmpfs_bytes += *size;
  }

  [[nodiscard]] std::optional<std::uint64_t> mem_total() {
    load_mem_total();
    return mem_total_;
  }

  std::uint64_t tmpfs_bytes = 0;  // the sizes of the tmpfs mounted so far


  Result<void> perform(const UnionStep& step) {
    return std::visit([this](const auto& s) { return perform_step(s); }, step);
  }

 private:
  Result<void> perform_step(const CheckMountPoint& step) {
    auto found = resolve(step.mount_point);
    if (!found) return std::unexpected(std::move(found.error()));
    return {};
  }

  Result<void> perform_step(const MakeDirectory& step) { return system_.make_directories(step.path, step.mode); }

  Result<void> perform_step(const MountLayerTmpfs& step) {
    if (auto fits = check_size(step.options); !fits) return fits;
    const MountOptions options = split_mount_options(step.options);
    auto mounted = system_.mount("tmpfs", step.target, "tmpfs", options.flags, options.data);
    if (!mounted) mounted.error().hint = hint_for_mount("tmpfs", mounted.error().errno_value);
    if (mounted) count_tmpfs(step.options);
    return mounted;
  }

  Result<void> perform_step(const CopyAttributes& step) {
    auto lower = resolve_lower(step.from);
    if (!lower) return std::unexpected(std::move(lower.error()));
    return system_.set_directory_attributes(step.to, apply_overrides(lower->status.attributes, step.overrides));
  }

  Result<void> perform_step(const MountTmpfs& step) {
    // Resolving reads the attributes before the mount covers the directory.
    auto target = resolve(step.mount_point);
    if (!target) return std::unexpected(std::move(target.error()));
    const std::string text =
        tmpfs_options_with_attributes(apply_overrides(target->status.attributes, step.overrides), step.options);
    if (auto fits = check_size(text); !fits) return fits;
    const MountOptions options = split_mount_options(text);
    auto mounted = mount_in_root("tmpfs", step.mount_point, target->directory, options.flags, options.data);
    if (mounted) count_tmpfs(text);
    return mounted;
  }

  Result<void> perform_step(const MountOverlay& step) {
    auto target = resolve(step.mount_point);
    if (!target) return std::unexpected(std::move(target.error()));
    const auto seed = seed_lower(step.mount_point);
    // lowerdir by descriptor too: a path string would be walked again, outside the new root.
    const std::string& lower = seed ? seed->directory.path : target->directory.path;
    const std::string data = "lowerdir=" + lower + ",upperdir=" + step.upper + ",workdir=" + step.work;
    return mount_in_root("overlay", step.mount_point, target->directory, split_mount_options(step.flags).flags, data);
  }

  Result<void> perform_step(const MountAufs& step) {
    auto target = resolve(step.mount_point);
    if (!target) return std::unexpected(std::move(target.error()));
    const auto seed = seed_lower(step.mount_point);
    const std::string& lower = seed ? seed->directory.path : target->directory.path;
    const std::string data = "br=" + step.upper + "=rw:" + lower + "=ro";
    return mount_in_root("aufs", step.mount_point, target->directory, split_mount_options(step.flags).flags, data);
  }

  Result<void> mount_in_root(const std::string& type, const std::string& mount_point, const ResolvedDirectory& target,
                             unsigned long flags, const std::string& data) {
    auto mounted = system_.mount(type, target.path, type, flags, data);
    if (!mounted) {
      // "/proc/self/fd/7" means nothing to an admin; the mount point does.
      mounted.error().input = mount_point + " in " + plan_.new_root;
      mounted.error().hint = hint_for_mount(type, mounted.error().errno_value);
    }
    return mounted;
  }

  struct Resolved {
    ResolvedDirectory directory;
    DirectoryStatus status;  // of the image's directory, read before anything covers it
  };

  // The mount point inside the new root, never the new root itself: "/var -> /" in the image
  // would otherwise put a tmpfs over the whole root.
  Result<Resolved> resolve(const std::string& mount_point) {
    auto directory = system_.open_directory_in_root(plan_.new_root, mount_point);
    if (!directory) {
      directory.error().hint = hint_for_open(mount_point, directory.error().errno_value);
      return std::unexpected(std::move(directory.error()));
    }
    auto status = system_.stat_directory(*directory);
    if (!status) return std::unexpected(std::move(status.error()));
    if (!root_status_) {
      auto root = system_.open_directory_in_root(plan_.new_root, "/");
      if (!root) return std::unexpected(std::move(root.error()));
      auto root_status = system_.stat_directory(*root);
      if (!root_status) return std::unexpected(std::move(root_status.error()));
      root_status_ = *root_status;
    }
    if (status->device == root_status_->device && status->inode == root_status_->inode) {
      return std::unexpected(error_with_problem("openat2", mount_point + " in " + plan_.new_root,
                                                "it is the new root itself (a symlink in the image points there)",
                                                "fix the symlink in the image, or drop the entry"));
    }
    return Resolved{std::move(*directory), *status};
  }

  // The seed's layout (/var -> /aufs/var/mount, the contents in /aufs/var/ro): the "ro" beside
  // "mount" is the lower layer, so that an image prepared for the seed's aufs keeps its /var.
  // nullopt for any other mount point: its own directory is the lower layer.
  std::optional<Resolved> seed_lower(const std::string& mount_point) {
    const auto link = system_.read_link_in_root(plan_.new_root, mount_point);
    // An unreadable mount point is reported by resolve(), with its hint.
    if (!link || !*link) return std::nullopt;
    const auto lower = seed_layout_lower(mount_point, **link);
    if (!lower) return std::nullopt;
    auto directory = resolve(*lower);
    // A link to .../mount without a usable .../ro beside it: not the seed's layout after all.
    if (!directory) return std::nullopt;
    note("lower " + *lower + ": the image's " + mount_point + " is a symlink to " + **link + " (the seed's layout)");
    return std::move(*directory);
  }

  // The directory whose contents the union shows, and whose attributes its upper gets.
  Result<Resolved> resolve_lower(const std::string& mount_point) {
    if (auto seed = seed_lower(mount_point)) return std::move(*seed);
    return resolve(mount_point);
  }

  Result<void> check_size(std::string_view options) {
    // nr_blocks= is a size too (in pages): without this, nr_blocks=1m alone was never checked.
    if (options.find("size=") == std::string_view::npos && options.find("nr_blocks=") == std::string_view::npos) {
      return {};
    }
    load_mem_total();
    if (!mem_total_) return {};
    return check_tmpfs_size(options, *mem_total_);
  }

  void note(std::string text) {
    if (std::find(notes.begin(), notes.end(), text) == notes.end()) notes.push_back(std::move(text));
  }

  void load_mem_total() {
    if (mem_total_checked_) return;
    mem_total_checked_ = true;
    const auto meminfo = system_.read_file("/proc/meminfo");
    if (meminfo) mem_total_ = parse_mem_total(*meminfo);
    if (!mem_total_) notices_.emplace_back("no MemTotal in /proc/meminfo: tmpfs sizes are not checked against RAM");
  }

  System& system_;
  const UnionPlan& plan_;
  std::vector<std::string>& notices_;
  std::optional<DirectoryStatus> root_status_;
  bool mem_total_checked_ = false;
  std::optional<std::uint64_t> mem_total_;
};

}  // namespace

std::vector<std::string> UnionReport::lines() const {
  std::vector<std::string> lines;
  for (const auto& result : unions) lines.push_back(result.line);
  return lines;
}

bool UnionReport::all_done() const {
  return std::all_of(unions.begin(), unions.end(), [](const UnionResult& r) { return r.status == UnionStatus::Done; });
}

Result<UnionReport> build_unions(System& system, const UnionPlan& plan) {
  UnionReport report;
  report.notices = plan.notices;
  for (const auto& step : plan.setup) {
    Builder builder(system, plan, report.notices);
    if (auto done = builder.perform(step); !done) {
      Error error = with_context(std::move(done.error()), "unions");
      if (error.hint.empty()) error.hint = "no union can be built without the layers directory " + plan.layers_dir;
      return std::unexpected(std::move(error));
    }
  }
  // One builder for all unions would share the MemTotal and root lookups; notes are per union.
  Builder builder(system, plan, report.notices);
  for (const auto& planned : plan.unions) {
    UnionResult result{planned.entry.mount_point, planned.entry.origin, UnionStatus::Done, std::nullopt, {}};
    builder.notes.clear();
    std::optional<Error> failure = planned.error;
    if (!failure) {
      for (const auto& step : planned.steps) {
        auto done = builder.perform(step);
        if (done) continue;
        // The step's own words for the report line; the entry and its origin for the error.
        result.line = planned.summary() + " skipped: " + describe(done.error());
        failure = with_context(std::move(done.error()),
                               cat("union ", planned.entry.mount_point, " (", planned.entry.origin, ')'));
        break;
      }
    } else {
      result.line = planned.summary() + " skipped: " + describe(*failure);
    }
    if (failure) {
      result.status = UnionStatus::Skipped;
      result.error = std::move(failure);
    } else {
      result.line = planned.summary();
      for (const auto& text : builder.notes) result.line += "; " + text;
    }
    report.unions.push_back(std::move(result));
  }
  // A warning, not a refusal: each size is a limit, not memory taken, and a fleet must not stop
  // booting over a sum; but the admin should know the unions can exhaust RAM together.
  if (const auto ram = builder.mem_total(); ram && builder.tmpfs_bytes > *ram) {
    report.notices.push_back(cat("the unions' tmpfs sizes add up to ", builder.tmpfs_bytes >> 20,
                                 " MiB, more than MemTotal ", *ram >> 20,
                                 " MiB: filled together they would exhaust memory; lower their size="));
  }
  return report;
}

}  // namespace nfsroot
