// The union plan: the overlay list's sources merged, then turned into ordered steps (directories,
// tmpfs, overlayfs, aufs) that the union builder performs. Pure: nothing here touches the system.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"
#include "overlay/overlay_list.h"
#include "sys/system.h"

namespace nfsroot {

// --- the sources of the overlay list ------------------------------------------------------------

// Where the list lives, both inside the NFS root and in the initramfs (the hook's copy).
inline constexpr std::string_view kOverlayListPath = "/etc/nfsroot-init/overlays";

struct OverlayListFile {
  std::string name;  // as origins and errors show it: "/root/etc/nfsroot-init/overlays"
  std::string text;
};

struct OverlaySources {
  std::vector<std::string> command_line;          // nfsroot-init.overlay= values, in order
  std::optional<OverlayListFile> root_file;       // /etc/nfsroot-init/overlays in the NFS root
  std::optional<OverlayListFile> initramfs_file;  // the copy the hook baked into the initrd
};

struct MergedOverlayList {
  std::vector<OverlayEntry> entries;  // parents first; each keeps its origin ("FILE:LINE", …)
  std::vector<Error> errors;          // bad lines and values, each naming FILE:LINE; all skipped
};

// Priority, highest first: the command line, the root's file, the initramfs copy, the built-in
// default. Merged entry by entry (merge_overlay_lists): a higher source replaces a lower one's
// entry for the same mount point, and kind none removes it. So the root's file only needs the
// lines it changes, and removing a baked-in line takes "MOUNTPOINT none" in the root's file.
//
// Policy for a bad line (or a bad nfsroot-init.overlay= value): it is reported with FILE:LINE and
// skipped; the rest of its source still applies, and a lower source's entry for that mount point
// (often the built-in default) stays in force. A typo in one line of an image-wide file must not
// keep every client from booting; the caller logs each error.
[[nodiscard]] MergedOverlayList merge_overlay_sources(const OverlaySources& sources);

// --- the plan ------------------------------------------------------------------------------------

// An enum, not a bool: call sites read plan_union_steps(entries, {…, AufsSupport::Present}).
enum class AufsSupport : std::uint8_t { Absent, Present };

struct UnionLayout {
  std::string new_root = "/root";  // where the NFS root is mounted
  // One tmpfs per entry below it. In the initramfs' /run, which the hand-off moves into the new
  // root, so the layers stay reachable (/run/nfsroot-init/unions/2-var/upper) after switch_root.
  std::string layers_dir = "/run/nfsroot-init/unions";
  AufsSupport aufs = AufsSupport::Absent;
};

// mode=, uid=, gid= written in an entry's options: each wins over the image's directory.
struct AttributeOverrides {
  std::optional<std::uint32_t> mode;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  friend bool operator==(const AttributeOverrides&, const AttributeOverrides&) = default;
};

// Paths named "mount_point" (and CopyAttributes::from) are the image's, resolved inside the new
// root by the builder; every other path is in the initramfs.

// Before anything is made for an overlay or aufs entry: its mount point must be a directory in the
// image (symlinks resolved inside the new root), so that a missing one costs no tmpfs.
struct CheckMountPoint {
  std::string mount_point;
  [[nodiscard]] std::string describe() const;
};

// mkdir -p; an existing directory is fine.
struct MakeDirectory {
  std::string path;
  std::uint32_t mode = 0755;
  [[nodiscard]] std::string describe() const;
};

// The tmpfs that holds one entry's writable layer (upper/ and work/), in the initramfs.
struct MountLayerTmpfs {
  std::string target;
  std::string options;  // "mode=0755,size=128M": the entry's size and flags
  [[nodiscard]] std::string describe() const;
};

// Gives TO the mode and owner of the image's directory at FROM (for the seed's layout, the
// directory the builder takes as the lower layer), except where the entry's options say.
// overlayfs shows the upper directory's root attributes, not the lower's: without this, /var
// would turn into root:root 0755 whatever the image says.
struct CopyAttributes {
  std::string from;  // in the image
  std::string to;    // in the initramfs
  AttributeOverrides overrides;
  [[nodiscard]] std::string describe() const;
};

// kind tmpfs: an empty tmpfs directly on the mount point. The builder reads the mode, owner and
// group of the directory it covers and passes them as mode=, uid=, gid= (so there is no moment
// where /tmp has the wrong mode); those written in the options win.
struct MountTmpfs {
  std::string mount_point;
  std::string options;  // the entry's options without mode=, uid=, gid=
  AttributeOverrides overrides;
  [[nodiscard]] std::string describe() const;
};

// kind overlay: overlayfs mounted in place, lowerdir the image's own directory there.
struct MountOverlay {
  std::string mount_point;
  std::string upper;
  std::string work;
  std::string flags;  // the entry's generic options (nosuid, noexec, …) for the visible mount
  [[nodiscard]] std::string describe() const;
};

// kind aufs where the kernel has it: br=UPPER=rw:LOWER=ro, mounted in place.
struct MountAufs {
  std::string mount_point;
  std::string upper;
  std::string flags;
  [[nodiscard]] std::string describe() const;
};

using UnionStep = std::variant<CheckMountPoint, MakeDirectory, MountLayerTmpfs, CopyAttributes, MountTmpfs,
                               MountOverlay, MountAufs>;

[[nodiscard]] std::string describe(const UnionStep& step);

struct PlannedUnion {
  OverlayEntry entry;
  UnionKind kind = UnionKind::Tmpfs;  // what is mounted: aufs becomes overlay without aufs
  std::string layer_dir;              // LAYERS/N-NAME; empty for kind tmpfs
  std::vector<UnionStep> steps;       // empty when error is set
  std::optional<Error> error;         // this entry cannot be built; the others can
  // "/var overlay on tmpfs 128M (built-in default)"
  [[nodiscard]] std::string summary() const;
};

struct UnionPlan {
  std::string new_root;
  std::string layers_dir;
  std::vector<UnionStep> setup;       // before any union: the layers directory
  std::vector<PlannedUnion> unions;   // in mount order: parents before children
  std::vector<std::string> notices;   // for the log: aufs fallback, duplicate mount points
};

// Each entry gets its own tmpfs (so its size= holds) at LAYERS/N-NAME, N its place in the
// plan and NAME the mount point with '/' as '-' ("3-etc-udev-rules.d"). Entries are put in
// parent-before-child order here, whatever order they come in; kind none is skipped. Fails only
// when the layout itself is unusable (paths not absolute, or characters that overlayfs and aufs
// read as separators in the layers directory).
[[nodiscard]] Result<UnionPlan> plan_union_steps(const std::vector<OverlayEntry>& entries, const UnionLayout& layout);

// --- pure helpers the builder uses ------------------------------------------------------------------

// The image's attributes with the entry's overrides applied.
[[nodiscard]] DirectoryAttributes apply_overrides(const DirectoryAttributes& image,
                                                  const AttributeOverrides& overrides);

// "mode=1777,uid=0,gid=0" followed by OPTIONS (the tmpfs options of a kind tmpfs entry).
[[nodiscard]] std::string tmpfs_options_with_attributes(const DirectoryAttributes& attributes,
                                                        std::string_view options);

// MemTotal from /proc/meminfo, in bytes.
[[nodiscard]] std::optional<std::uint64_t> parse_mem_total(std::string_view meminfo);

// tmpfs accepts any size= and only fails when the memory is really used up; a size above the
// machine's RAM is caught here instead. No size= (half of RAM) passes.
[[nodiscard]] Result<void> check_tmpfs_size(std::string_view options, std::uint64_t mem_total_bytes);

// Whether /proc/filesystems lists NAME ("nodev\taufs").
[[nodiscard]] bool filesystem_listed(std::string_view proc_filesystems, std::string_view name);

// The seed's layout: the image's /var is a symlink to /aufs/var/mount (an empty directory, where
// the seed mounted aufs) and the real contents are in /aufs/var/ro. Given the mount point and its
// symlink text, returns the directory to use as the lower layer ("/aufs/var/ro"), or nullopt when
// the link does not have that shape.
[[nodiscard]] std::optional<std::string> seed_layout_lower(std::string_view mount_point, std::string_view link_text);

// The most a tmpfs with these options may hold: the last size= (bytes or a share of RAM) or
// nr_blocks= (4 KiB pages), which set the same limit, else the kernel's default of half of RAM
// (Documentation/filesystems/tmpfs.rst); nullopt for a size that does not parse
// (check_tmpfs_size reports it).
[[nodiscard]] std::optional<std::uint64_t> tmpfs_size_bytes(std::string_view options, std::uint64_t mem_total_bytes);

}  // namespace nfsroot
