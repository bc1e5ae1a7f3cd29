// Image mode: the root is a squashfs or EROFS image file on the NFS export, loop-mounted
// read-only (issue 12). The export names either the file or a channel: a folder whose `current`
// file names the version to boot, which `nfsroot-image build` switches atomically (a rename),
// so a boot sees one version whole, never a half-written one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "mounts/image_file.h"
#include "sys/system.h"

namespace nfsroot {

struct ImageRoot {
  std::string file;     // the image file, under the export's mount point
  std::string version;  // its file name
  std::string channel;  // the channel folder, empty when the command line named the file
  ImageFormat format = ImageFormat::Squashfs;
  std::uint64_t size = 0;
  std::string device;  // the loop device
};

// Resolves IMAGE (normalized) under EXPORT_DIR, where the export is mounted, checks the file
// (a regular file, not a symlink, with a known magic) and loop-mounts it read-only on TARGET.
[[nodiscard]] Result<ImageRoot> mount_image_root(System& system, const std::string& export_dir,
                                                 const std::string& image, const std::string& target);

}  // namespace nfsroot
