// Image mode: the root is a squashfs or EROFS image file on the NFS export, loop-mounted
// read-only (issue 12). The export names either the file or a channel: a folder whose `current`
// file names the version to boot, which `nfsroot-image build` switches atomically (a rename),
// so a boot sees one version whole, never a half-written one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  // Copy to RAM: the copy in the tmpfs, empty when the image is read from the server.
  std::string copy;
  long copy_milliseconds = 0;     // from the start of resolving the image to the copy's end
  bool checksum_checked = false;  // against the version's .sha256
  bool export_unmounted = false;  // after the copy: the client no longer needs the server
  // The export's read-ahead as set (0: the kernel's left), where, or why it could not be set
  // (the boot goes on: only the number of READs is at stake).
  std::uint32_t read_ahead_kib = 0;
  std::string read_ahead_setting;
  std::optional<Error> read_ahead_error;
};

// nfsroot-init.toram: copy the version into a tmpfs of its own first, checking it.
struct RamCopy {
  std::string option = "nfsroot-init.toram";        // the option that asked, for messages
  std::string directory = "/run/nfsroot-init/ram";  // where the tmpfs is mounted
  std::chrono::milliseconds stall_limit{std::chrono::minutes(3)};  // no byte for this long: fail
  std::function<void(std::string_view)> report;  // progress and notices, a line each
};

// The NFS client reads a file ahead in windows of at most its backing device's read_ahead_kb
// (Documentation/ABI/stable/sysfs-class-bdi), 128 KiB unless set: NFS names that device after
// its superblock's "MAJOR:MINOR", the st_dev of every file on the mount. The loop device reads
// the image through it, so the window bounds how much one READ brings.
[[nodiscard]] std::string read_ahead_setting_path(std::uint64_t device);
// Sets the read-ahead of the NFS mount at EXPORT_DIR to KIB; the setting's path.
[[nodiscard]] Result<std::string> set_export_read_ahead(System& system, const std::string& export_dir,
                                                        std::uint32_t kib);

// Resolves IMAGE (normalized) under EXPORT_DIR, where the export is mounted, checks the file
// (a regular file, not a symlink, with a known magic) and loop-mounts it read-only on TARGET.
// With COPY, the file is first copied into a tmpfs at copy->directory, after checking that it
// fits in RAM, and its SHA-256 compared on the way with VERSION.sha256 beside it (none: a
// notice, copied unchecked); the loop device then reads the copy and the export is unmounted.
// A failed copy unmounts its tmpfs again. Before the image is read past its superblock, the
// export's read-ahead is set as image_read_ahead_kib() says for READ_AHEAD_KIB
// (nfsroot-init.image_readahead=; nullopt: by the image's block size).
[[nodiscard]] Result<ImageRoot> mount_image_root(System& system, const std::string& export_dir,
                                                 const std::string& image, const std::string& target,
                                                 const RamCopy* copy = nullptr,
                                                 std::optional<std::uint32_t> read_ahead_kib = std::nullopt);

}  // namespace nfsroot
