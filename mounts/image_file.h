// Image mode's pure parts: an image file's format by its magic, a channel's `current`, and the
// nfsroot-init.image= path (issue 12). rootmount/image_root.h does the file system calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace nfsroot {

// The fix most image errors share.
inline constexpr std::string_view kImageBuildHint = "nfsroot-image build writes the channel and its images";

enum class ImageFormat : std::uint8_t { Squashfs, Erofs };

[[nodiscard]] std::string_view to_string(ImageFormat format);  // the filesystem type: "squashfs", "erofs"

// How many bytes of a file image_format() needs: EROFS' superblock is at 1024.
inline constexpr std::size_t kImageHeadBytes = 1028;

// The format by its superblock magic (squashfs: "hsqs" at 0, SQUASHFS_MAGIC; EROFS: 0xE0F5E1E2
// little-endian at 1024, EROFS_SUPER_MAGIC_V1), nullopt for anything else.
[[nodiscard]] std::optional<ImageFormat> image_format(std::string_view head);

// A squashfs image's block size from its superblock (struct squashfs_super_block: block_size,
// le32 at 12, and block_log, le16 at 22, which must agree; 4 KiB to 1 MiB), nullopt when HEAD
// is no squashfs superblock or they disagree.
[[nodiscard]] std::optional<std::uint32_t> squashfs_block_size(std::string_view head);

// The NFS client's read-ahead unless told otherwise (VM_READAHEAD_PAGES, 128 KiB).
inline constexpr std::uint32_t kKernelReadAheadKib = 128;
inline constexpr std::uint32_t kMaxImageReadAheadKib = 65536;
// How far the image's export should read ahead, in KiB; 0: leave the kernel's. OPTION_KIB is
// nfsroot-init.image_readahead= (0 included); without it, a squashfs block size above the
// kernel's window: squashfs reads a block whole, so a 1 MiB block fetched in 128 KiB windows
// costs eight READs where one would do (bench/image_cost.py measured the boot's READs fall from
// 276 to 145 for nfsroot-image build --boot-order's 1 MiB blocks, with 17.6 to 20.5 MiB read,
// while a 128 KiB-block image read ahead 1 MiB only read more: 24 to 38 MiB for 658 to 519).
[[nodiscard]] std::uint32_t image_read_ahead_kib(std::optional<std::uint32_t> option_kib, ImageFormat format,
                                                 std::string_view head);

// A channel's `current`: one line naming the version's file in the same folder. A plain name
// (letters, digits, '.', '_', '-', '+'; not starting with '.'; at most 255 bytes), so a channel
// can never point outside its folder. `file` names the file for the message.
[[nodiscard]] Result<std::string> parse_channel_current(std::string_view text, std::string_view file);

// nfsroot-init.image=: a path inside the export, "/" or not in front, no "." or ".." component,
// no empty one, printable. The normalized path without a leading "/".
[[nodiscard]] Result<std::string> normalize_image_path(std::string_view path);

// --- copy to RAM (nfsroot-init.toram)

// The checksum nfsroot-image build writes beside a version, VERSION.sha256: sha256sum's line,
// "<64 hex digits>  <name>" ("*<name>" in its binary mode), or the digits alone. A name, when
// given, must be the version's own (a .sha256 copied beside another file is caught). The digest
// in lower case; `file` names the .sha256 for the message.
[[nodiscard]] Result<std::string> parse_image_checksum(std::string_view text, std::string_view version,
                                                       std::string_view file);

// What copying an image into RAM may use, from /proc/meminfo.
struct RamForCopy {
  std::uint64_t available = 0;  // MemAvailable
  std::uint64_t total = 0;      // MemTotal
  std::uint64_t reserve = 0;    // left for the root system: an eighth of RAM, at least 64 MiB
};

// Whether an image of IMAGE_SIZE bytes fits in RAM with the reserve kept (all in bytes): the
// budget, or an error naming the image, both sizes and the fixes. MEMINFO is /proc/meminfo's text.
[[nodiscard]] Result<RamForCopy> check_ram_for_copy(std::uint64_t image_size, std::string_view meminfo,
                                                    std::string_view image);

// BYTES in whole MiB, rounded up: the copy's sizes for people and for the tmpfs.
[[nodiscard]] std::uint64_t whole_mib(std::uint64_t bytes);

// The tmpfs that holds the copy: the image's size rounded up to whole MiB, and one MiB more.
[[nodiscard]] std::uint64_t ram_copy_tmpfs_bytes(std::uint64_t image_size);

}  // namespace nfsroot
