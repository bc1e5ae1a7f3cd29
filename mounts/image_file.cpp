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

namespace {

std::uint32_t little_endian(std::string_view bytes) {
  std::uint32_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

std::optional<std::uint32_t> squashfs_block_size(std::string_view head) {
  if (!head.starts_with("hsqs") || head.size() < 24) return std::nullopt;
  const std::uint32_t size = little_endian(head.substr(12, 4));
  const std::uint32_t log = little_endian(head.substr(22, 2));
  if (log < 12 || log > 20 || size != (std::uint32_t{1} << log)) return std::nullopt;
  return size;
}

std::uint32_t image_read_ahead_kib(std::optional<std::uint32_t> option_kib, ImageFormat format,
                                   std::string_view head) {
  if (option_kib) return *option_kib;
  if (format != ImageFormat::Squashfs) return 0;  // EROFS reads 4 KiB blocks: the kernel's window fits
  const auto block = squashfs_block_size(head);
  return block && *block / 1024 > kKernelReadAheadKib ? *block / 1024 : 0;
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

namespace nfsroot {

Result<std::string> parse_image_checksum(std::string_view text, std::string_view version, std::string_view file) {
  constexpr std::string_view kFix = "write it again with sha256sum (nfsroot-image build does), or remove it to copy unchecked";
  std::string_view line = text;
  if (const auto newline = line.find('\n'); newline != std::string_view::npos) line = line.substr(0, newline);
  line = trim(line);
  if (line.ends_with('\r')) line = trim(line.substr(0, line.size() - 1));
  const std::string_view digits = line.substr(0, std::min(line.find_first_of(" \t"), line.size()));
  const bool hex = digits.size() == 64 && digits.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  if (!hex) {
    return std::unexpected(error_with_problem(file, escape_for_log(line.substr(0, 80)),
                                              "does not start with a SHA-256 (64 hex digits)", kFix));
  }
  std::string_view name = trim(line.substr(digits.size()));
  if (name.starts_with('*')) name.remove_prefix(1);  // sha256sum --binary
  if (!name.empty() && name != version) {
    return std::unexpected(error_with_problem(file, escape_for_log(name), cat("is the checksum of another file, not ", version),
                                              kFix));
  }
  std::string digest(digits);
  std::ranges::transform(digest, digest.begin(), [](char c) { return c >= 'A' && c <= 'F' ? char(c - 'A' + 'a') : c; });
  return digest;
}

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

// "MemAvailable:   123456 kB" -> bytes; nullopt when the line is missing or malformed.
std::optional<std::uint64_t> meminfo_bytes(std::string_view meminfo, std::string_view key) {
  for (const auto line : split(meminfo, '\n')) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    std::string_view rest = trim(line.substr(key.size() + 1));
    if (!rest.ends_with(" kB")) return std::nullopt;
    const auto kib = parse_decimal<std::uint64_t>(trim(rest.substr(0, rest.size() - 3)));
    if (!kib || *kib > UINT64_MAX / 1024) return std::nullopt;
    return *kib * 1024;
  }
  return std::nullopt;
}

std::string mib(std::uint64_t bytes) { return cat(whole_mib(bytes), " MiB"); }

}  // namespace

Result<RamForCopy> check_ram_for_copy(std::uint64_t image_size, std::string_view meminfo, std::string_view image) {
  RamForCopy ram;
  const auto available = meminfo_bytes(meminfo, "MemAvailable");
  const auto total = meminfo_bytes(meminfo, "MemTotal");
  if (!available || !total) {
    return std::unexpected(error_with_problem("/proc/meminfo", "", "has no MemAvailable or MemTotal in kB",
                                              "copy to RAM needs Linux 3.14 or later"));
  }
  ram.available = *available;
  ram.total = *total;
  // The root system runs in what the copy leaves: a desktop or a build needs more than this,
  // which is the admin's sizing; the reserve only keeps the boot itself from the OOM killer.
  ram.reserve = std::max<std::uint64_t>(64 * kMiB, ram.total / 8);
  if (image_size > ram.available || ram.available - image_size < ram.reserve) {
    return std::unexpected(error_with_problem(
        "copy to RAM of", image,
        cat("its ", mib(image_size), " do not fit: ", mib(ram.available), " of ", mib(ram.total),
            " RAM available, of which ", mib(ram.reserve), " must stay free for the root system"),
        "give the client more RAM, make the image smaller, or leave copy to RAM off"));
  }
  return ram;
}

std::uint64_t whole_mib(std::uint64_t bytes) { return (bytes + kMiB - 1) / kMiB; }

std::uint64_t ram_copy_tmpfs_bytes(std::uint64_t image_size) { return (whole_mib(image_size) + 1) * kMiB; }

}  // namespace nfsroot
