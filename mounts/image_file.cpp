// An image file's format, a channel's current, the image= path: pure, tested by tables.
#include "mounts/image_file.h"

#include <algorithm>

#include "base/cat.h"
#include "base/text.h"

namespace nfsroot {

std::string_view to_string(ImageFormat format) {
  return format == ImageFormat::Erofs ? "erofs" : "squashfs";
}

std::optional<ImageFormat> image_format(std::string_view head) {
  if (head.starts_with("hsqs")) return ImageFormat::Squashfs;  // SQUASHFS_MAGIC 0x73717368, little-endian
  // EROFS_SUPER_OFFSET 1024, EROFS_SUPER_MAGIC_V1 0xE0F5E1E2, little-endian.
  if (head.size() >= 1028 && head.substr(1024, 4) == std::string_view("\xe2\xe1\xf5\xe0", 4)) {
    return ImageFormat::Erofs;
  }
  return std::nullopt;
}

Result<std::string> parse_channel_current(std::string_view text, std::string_view file) {
  std::string_view line = text;
  if (const auto newline = line.find('\n'); newline != std::string_view::npos) {
    if (line.substr(newline + 1).find_first_not_of(" \t\r\n") != std::string_view::npos) {
      return std::unexpected(error_with_problem(file, escape_for_log(text), "more than one line",
                                                cat("write only the version's file name into it; ", kImageBuildHint)));
    }
    line = line.substr(0, newline);
  }
  line = trim(line);
  if (line.ends_with('\r')) line = trim(line.substr(0, line.size() - 1));  // written on Windows
  if (line.empty()) {
    return std::unexpected(error_with_problem(file, "", "empty", cat("write the version's file name into it; ", kImageBuildHint)));
  }
  const bool plain = line.size() <= 255 && line.front() != '.' &&
                     line.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+") ==
                         std::string_view::npos;
  if (!plain) {
    return std::unexpected(error_with_problem(
        file, escape_for_log(line), "not a plain file name",
        "name a file of the channel's own folder: letters, digits, '.', '_', '-', '+', not starting with '.'"));
  }
  return std::string(line);
}

Result<std::string> normalize_image_path(std::string_view path) {
  constexpr std::string_view kOption = "nfsroot-init.image=";
  std::string_view rest = path;
  while (rest.starts_with('/')) rest.remove_prefix(1);
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty()) {
    return std::unexpected(error_with_problem(kOption, escape_for_log(path), "names no file or channel",
                                              "give the image's path inside the export, e.g. images/debian"));
  }
  for (const auto component : split(rest, '/')) {
    const bool printable = std::ranges::all_of(component, [](char c) { return c > ' ' && c < 0x7f; });
    if (component.empty() || component == "." || component == ".." || !printable) {
      return std::unexpected(error_with_problem(kOption, escape_for_log(path),
                                                "has an empty, '.', '..' or unprintable component",
                                                "give a path inside the export, e.g. images/debian"));
    }
  }
  return std::string(rest);
}

}  // namespace nfsroot
