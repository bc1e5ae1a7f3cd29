// Text of the NetworkManager and ifupdown runtime files of the hand-off.
#include "net/manager_files.h"

#include <string>

namespace nfsroot {

namespace {

// NetworkManager.conf(5) of 1.42 (Debian 12): /usr/lib/NetworkManager/conf.d is read first,
// /run/NetworkManager/conf.d ("per-boot configuration") second, then NetworkManager.conf, then
// /etc/NetworkManager/conf.d, later files overriding earlier ones; a file of the same name in
// /etc/NetworkManager/conf.d keeps ours from being read at all (read_entire_config() in
// src/core/nm-config.c skips it). That is how an admin's own file wins.
//
// Why a [device-…] section with managed=0 and not [keyfile] unmanaged-devices: that key is one
// list for all files, and a plain "unmanaged-devices=" in any file read after ours (the admin's
// NetworkManager.conf or /etc conf.d) replaces it, dropping our interface without a word, while
// "=" in ours would drop what /usr/lib set ("+=" appends only to what came before). [device*]
// sections are separate, each matched on the device by match-device; managed= there exists
// since 1.10, outweighs udev's NM_UNMANAGED (_get_managed_by_flags() in
// src/core/devices/nm-device.c), and yields to a [device…] section an admin writes with
// managed=1 in a file read later, or to `nmcli device set <interface> managed yes`.
//
// NetworkManager leaves an unmanaged device as it finds it: a device starts unmanaged, and
// only leaving a managed state makes NetworkManager deconfigure it and take the link down
// (_set_state_full(), NM_DEVICE_STATE_UNMANAGED), so /init's address and link stay as they are.
// interface-name: globs '*' and '?', which a plain name never holds.
std::string networkmanager_conf(const InterfaceConfig& config, const std::string& name) {
  const bool lower = name != config.device;
  return "# written by nfsroot-init: the NFS root lives on " + config.device +
         (lower ? ", which is on " + name : std::string()) + "; NetworkManager leaves " + (lower ? name : "it") +
         " unmanaged\n"
         "[device-nfsroot-" + name + "]\n"
         "match-device=interface-name:" + name + "\n"
         "managed=0\n";
}

// The root's interface, then the links under it (a VLAN's parent) that have plain names.
std::vector<std::string> stack_of(const InterfaceConfig& config) {
  if (!is_plain_interface_name(config.device)) return {};
  std::vector<std::string> names{config.device};
  for (const auto& lower : config.lower_devices) {
    if (is_plain_interface_name(lower)) names.push_back(lower);
  }
  return names;
}

}  // namespace

std::vector<RuntimeFile> networkmanager_runtime_files(const InterfaceConfig& config) {
  std::vector<RuntimeFile> files;
  for (const auto& name : stack_of(config)) {
    files.push_back({"NetworkManager/conf.d/70-nfsroot-" + name + ".conf", networkmanager_conf(config, name)});
  }
  return files;
}

// ifupdown 0.8.41 (Debian 12): networking.service runs `ifup -a --read-environment` at boot and
// `ifdown -a --read-environment --exclude=lo` at shutdown; for an allow-hotplug interface, udev's
// 80-ifupdown.rules starts ifup@<interface>.service (`ifup --allow=hotplug <interface>; ifquery
// --state <interface>`, stopped with `ifdown <interface>`). An `iface eth0 inet dhcp` stanza runs
// dhclient on the interface at boot and `dhclient -r` (the address released and removed) and
// `ip link set down` at shutdown (inet.defn): the root hangs either way.
//
// ifup and ifdown keep their record of what is up in /run/network (ifup(8), FILES): since 0.8 a
// file per interface, ifstate.<interface>, whose line is the logical interface it is up as, and
// the list ifstate of <interface>=<logical> lines (lock_interface(), update_state(),
// read_all_state() in main.c). With the interface recorded as up as "nfsroot-init", a logical
// interface no interfaces(5) stanza defines: ifup (also -a and --allow=hotplug) finds it
// configured and does nothing; ifdown (also -a) looks for the stanza of "nfsroot-init", finds
// none, says "ignoring unknown interface <interface>=nfsroot-init" and runs nothing, no DHCP
// release and no link down; `ifquery --state` names it, so ifup@<interface>.service starts
// clean. ifup, ifdown and Debian's sysvinit networking script create /run/network and keep
// what is there. `ifdown <interface>` by hand forgets the record (a later ifup configures it).
//
// Not EXCLUDE_INTERFACES in a drop-in for networking.service: --read-environment reads it
// (main.c), but the unit's EnvironmentFile=-/etc/default/networking overrides any Environment=
// (systemd.exec(5)), so an admin's EXCLUDE_INTERFACES=wlan0 there would undo ours; ifup@.service
// reads no environment (it needed a runtime mask besides); and a unit directory in
// /run/systemd/system makes sd_booted() true on a root whose init is not systemd, where
// Debian's init-functions would then hand every init script to systemctl.
std::vector<RuntimeFile> ifupdown_runtime_files(const InterfaceConfig& config) {
  const std::vector<std::string> names = stack_of(config);
  if (names.empty()) return {};
  const std::string logical(kIfupdownLogicalName);
  std::vector<RuntimeFile> files;
  std::string state;
  for (const auto& name : names) {
    files.push_back({"network/ifstate." + name, logical + "\n"});
    state += name + "=" + logical + "\n";
  }
  files.push_back({"network/ifstate", state});
  return files;
}

}  // namespace nfsroot
