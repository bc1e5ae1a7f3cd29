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

// A channel's `current`: one line naming the version's file in the same folder. A plain name
// (letters, digits, '.', '_', '-', '+'; not starting with '.'; at most 255 bytes), so a channel
// can never point outside its folder. `file` names the file for the message.
[[nodiscard]] Result<std::string> parse_channel_current(std::string_view text, std::string_view file);

// nfsroot-init.image=: a path inside the export, "/" or not in front, no "." or ".." component,
// no empty one, printable. The normalized path without a leading "/".
[[nodiscard]] Result<std::string> normalize_image_path(std::string_view path);

}  // namespace nfsroot
