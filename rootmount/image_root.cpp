// Image mode: resolve the channel, check the image's magic, loop-mount it read-only.
#include "rootmount/image_root.h"

#include <sys/mount.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

namespace {

// The version's .sha256 (nfsroot-image build writes it): the digest, or empty when there is
// none, which is a notice, not a failure: images made by hand boot too.
Result<std::string> expected_checksum(System& system, const ImageRoot& root, const RamCopy& copy) {
  const std::string file = cat(root.file, ".sha256");
  auto text = system.read_file_head(file, 4096);
  if (!text) {
    if (text.error().errno_value != ENOENT) return std::unexpected(text.error());
    if (copy.report) copy.report(cat("root: no ", file, ": the copy is not checked (nfsroot-image build writes it)"));
    return std::string();
  }
  return parse_image_checksum(*text, root.version, file);
}

// Into the tmpfs, checked. Returns the copy's path; the tmpfs is left mounted only on success.
Result<std::string> copy_to_ram(System& system, ImageRoot& root, const RamCopy& copy) {
  const auto meminfo = TRY(system.read_file("/proc/meminfo"));
  TRY(check_ram_for_copy(root.size, meminfo, root.file));
  const std::string expected = TRY(expected_checksum(system, root, copy));
  TRY(system.make_directories(copy.directory, 0700));
  TRY(system.mount("nfsroot-ram", copy.directory, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   cat("size=", ram_copy_tmpfs_bytes(root.size), ",mode=0700")));
  const std::string path = cat(copy.directory, '/', root.version);
  CopyFileOptions options;
  options.sha256 = !expected.empty();
  options.stall_limit = copy.stall_limit;
  std::uint64_t tenths = 0;
  options.progress = [&](std::uint64_t bytes) {
    // A line per tenth: a fleet's console shows the copy moving, not a flood.
    const std::uint64_t now = root.size == 0 ? 10 : std::min<std::uint64_t>(bytes * 10 / root.size, 10);
    if (now <= tenths || !copy.report) return;
    tenths = now;
    copy.report(cat("root: copying ", root.version, " to RAM: ", whole_mib(bytes), " of ", whole_mib(root.size), " MiB (",
                    now * 10, "%)"));
  };
  auto copied = system.copy_file(root.file, path, options);
  Result<void> checked;
  if (!copied) {
    checked = std::unexpected(copied.error());
  } else if (copied->bytes != root.size) {
    checked = std::unexpected(error_with_problem(
        "copy to RAM of", root.file, cat("read ", copied->bytes, " bytes, but the file had ", root.size),
        "the file changed on the server while it was copied: never rewrite a version in place (nfsroot-image build "
        "writes a new one)"));
  } else if (options.sha256 && copied->sha256 != expected) {
    checked = std::unexpected(error_with_problem(
        "copy to RAM of", root.file, cat("its SHA-256 is ", copied->sha256, ", but ", root.version, ".sha256 says ", expected),
        "the file was damaged on the server's disk or in transit: check it there (nfsroot-image list), rebuild it "
        "or roll back (nfsroot-image rollback)"));
  }
  if (!checked) {
    [[maybe_unused]] auto freed = system.unmount(copy.directory);  // the RAM back for what follows
    return std::unexpected(checked.error());
  }
  root.checksum_checked = options.sha256;
  return path;
}

}  // namespace

std::string read_ahead_setting_path(std::uint64_t device) {
  return cat("/sys/class/bdi/", major(device), ':', minor(device), "/read_ahead_kb");
}

Result<std::string> set_export_read_ahead(System& system, const std::string& export_dir, std::uint32_t kib) {
  auto status = system.file_status(export_dir);
  if (!status) return std::unexpected(status.error());
  std::string setting = read_ahead_setting_path(status->device);
  if (auto written = system.write_existing_file(setting, cat(kib, '\n')); !written) {
    return std::unexpected(written.error());
  }
  return setting;
}

Result<ImageRoot> mount_image_root(System& system, const std::string& export_dir, const std::string& image,
                                   const std::string& target, const RamCopy* copy,
                                   std::optional<std::uint32_t> read_ahead_kib) {
  const auto started = system.now();
  ImageRoot root;
  std::string path = cat(export_dir, '/', image);
  auto status = system.file_status(path);
  if (!status) {
    return std::unexpected(with_context(status.error(), cat("image ", image)));
  }
  if (status->directory) {
    // A channel: its `current` names the version. Read once: a rename of `current` by
    // nfsroot-image build is atomic, so this boot gets one version or the other.
    root.channel = image;
    const std::string current = cat(path, "/current");
    auto text = system.read_file_head(current, 4096);
    if (!text) {
      Error error = text.error();
      if (error.errno_value == ENOENT) {
        error.hint = cat("the channel ", image, " has no current file: ", kImageBuildHint);
      }
      return std::unexpected(std::move(error));
    }
    auto version = parse_channel_current(*text, current);
    if (!version) return std::unexpected(version.error());
    root.version = *version;
    path = cat(path, '/', root.version);
    status = system.file_status(path);
    if (!status) {
      Error error = status.error();
      if (error.errno_value == ENOENT) {
        error.hint = cat(current, " names ", root.version, ", which is not in the channel: build it, or point current "
                         "at a version that is (nfsroot-image rollback)");
      }
      return std::unexpected(std::move(error));
    }
  } else {
    const auto slash = image.rfind('/');
    root.version = slash == std::string::npos ? image : image.substr(slash + 1);
  }
  if (status->symlink || !status->regular) {
    return std::unexpected(error_with_problem(path, "", status->symlink ? "a symlink" : "not a regular file",
                                              "name the image file itself, or a channel folder with a current file"));
  }
  root.file = path;
  root.size = status->size;
  auto head = system.read_file_head(path, kImageHeadBytes);
  if (!head) return std::unexpected(head.error());
  const auto format = image_format(*head);
  if (!format) {
    return std::unexpected(error_with_problem(
        path, escape_for_log(head->substr(0, 4)), "not a squashfs or EROFS image (no magic at 0 or 1024)",
        cat("make the image with mksquashfs or mkfs.erofs; ", kImageBuildHint)));
  }
  root.format = *format;
  if (const auto read_ahead = image_read_ahead_kib(read_ahead_kib, *format, *head); read_ahead > 0) {
    auto setting = set_export_read_ahead(system, export_dir, read_ahead);
    if (setting) {
      root.read_ahead_kib = read_ahead;
      root.read_ahead_setting = std::move(*setting);
    } else {
      root.read_ahead_error = std::move(setting.error());
    }
  }
  if (copy) {
    auto copied = copy_to_ram(system, root, *copy);
    if (!copied) return std::unexpected(with_context(copied.error(), copy->option));
    root.copy = *copied;
    root.copy_milliseconds = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(system.now() - started).count());
  }
  const std::string& loop_file = root.copy.empty() ? path : root.copy;
  auto device = system.mount_loop(loop_file, target, std::string(to_string(*format)), MS_RDONLY);
  if (!device) {
    Error error = device.error();
    if (error.errno_value == ENODEV) {
      error.hint = cat("the kernel has no ", to_string(*format), " filesystem: is the ", to_string(*format),
                       " module in the initramfs?");
    } else if (error.errno_value == EINVAL || error.errno_value == EIO) {
      error.hint = cat("the image may be truncated or damaged: check it on the server (", kImageBuildHint, ")");
    }
    return std::unexpected(std::move(error));
  }
  root.device = *device;
  if (!root.copy.empty()) {
    // From here the client no longer needs the server. Nothing of the export is open, so this
    // only fails if something else holds it; then it stays mounted, which is harmless.
    if (auto unmounted = system.unmount(export_dir); !unmounted) {
      if (copy->report) copy->report(cat("root: ", describe(unmounted.error()), "; the export stays mounted"));
    } else {
      root.export_unmounted = true;
    }
  }
  return root;
}

}  // namespace nfsroot
