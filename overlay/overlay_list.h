// The declarative overlay list: which directories of the read-only root become writable, and how.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace nfsroot {

// tmpfs: an empty tmpfs; overlay: a tmpfs upper layer over the image's own directory; aufs:
// the same with aufs where the kernel has it; none: no union here (removes a lower entry).
enum class UnionKind : std::uint8_t { Tmpfs, Overlay, Aufs, None };

struct OverlayEntry {
  std::string mount_point;           // absolute, normalised: "/var", "/etc/udev/rules.d"
  UnionKind kind = UnionKind::Tmpfs;
  std::vector<std::string> options;  // for the tmpfs that holds the writable layer
  std::string origin;                // "built-in default", "nfsroot-init.overlay=", "FILE:LINE"
};

// One entry: "MOUNTPOINT KIND [OPTIONS]" separated by blanks, or "MOUNTPOINT:KIND[:OPTIONS]"
// (handy on a kernel command line, where blanks need quotes).
[[nodiscard]] Result<OverlayEntry> parse_overlay_entry(std::string_view text, std::string_view origin);

struct ParsedOverlayList {
  std::vector<OverlayEntry> entries;
  std::vector<Error> errors;  // each names FILE:LINE; the other lines still count
};

// A whole file: one entry per line, '#' starts a comment, blank lines are ignored.
[[nodiscard]] ParsedOverlayList parse_overlay_list(std::string_view text, std::string_view file_name);

// The seed's unions: /tmp tmpfs 128M, /var overlay 128M, /etc/udev/rules.d overlay 1M.
[[nodiscard]] std::vector<OverlayEntry> default_overlay_list();

// Entries of `higher` replace those of `lower` with the same mount point; kind none removes
// one. The result lists parents before children, so a union is never hidden by its parent's.
[[nodiscard]] std::vector<OverlayEntry> merge_overlay_lists(const std::vector<OverlayEntry>& higher,
                                                            const std::vector<OverlayEntry>& lower);

[[nodiscard]] std::string_view to_string(UnionKind kind);

}  // namespace nfsroot
