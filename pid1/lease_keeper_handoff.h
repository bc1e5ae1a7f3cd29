// The lease keeper at the hand-off: what /init does so that `nfsroot-init keep-lease` runs in
// the root system after the initramfs is gone (network/lease_keeper.h is the keeper itself,
// plan/resolve.h's choose_lease_keeper() decides whether it runs).
#pragma once

#include <string>

#include "base/error.h"
#include "sys/system.h"

namespace nfsroot {

// Whether the root's systemd starts systemd-networkd: a link to systemd-networkd.service in a
// .wants folder of its /etc/systemd/system, where `systemctl enable` puts one
// (multi-user.target.wants on Debian). A root without systemd has none.
[[nodiscard]] bool root_enables_networkd(System& system, const std::string& root);

// Where the keeper's program is kept: the running /init, copied into /run before the
// initramfs is freed (/run moves into the root system, and the keeper's files are there too).
[[nodiscard]] std::string keeper_program_path(const std::string& run_dir);

// Copies SELF (the running /init) to keeper_program_path(run_dir), mode 0555.
[[nodiscard]] Result<void> keep_own_program(System& system, const std::string& self, const std::string& run_dir);

// Once in the new root (enter_new_root()), just before exec of its init: starts the kept
// program as "nfsroot-init keep-lease INTERFACE --kmsg" (--debug with debug), in a session of
// its own; a child of PID 1, which the root's init then reaps. Its PID.
[[nodiscard]] Result<long> start_lease_keeper(System& system, const std::string& interface, bool debug);

}  // namespace nfsroot
