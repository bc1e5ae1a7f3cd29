// Image mode: resolve the channel, check the image's magic, loop-mount it read-only.
#include "rootmount/image_root.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

Result<ImageRoot> mount_image_root(System& system, const std::string& export_dir, const std::string& image,
                                   const std::string& target) {
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
  auto device = system.mount_loop(path, target, std::string(to_string(*format)), MS_RDONLY);
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
  return root;
}

}  // namespace nfsroot
