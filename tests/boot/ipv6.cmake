# IPv6-only boots (issue 15, label ipv6): the guest's only network is the lab's fd00:99::/64. No
# IPv4 server runs in these labs, so a boot that falls back to IPv4 anywhere fails. include()
# this from tests/CMakeLists.txt after fault_matrix.cmake (it uses FULL_BOOT_MODULES and
# ROOT_IS_READY). netns_lab.py --ipv6 puts fd00:99::1/64 on br0; --nfs serves the test root on it
# too (nfs_server.py --host ::: ganesha on [::], rpcbind on [::]:111); --ra makes dnsmasq send
# router advertisements for SLAAC. tests/boot/ipv6_lab_check.py (ctest integration.ipv6_lab.*)
# shows the lab serving all of this from a client namespace, without a VM.

# dracut.cmdline(7) writes an IPv6 server in brackets; the kernel's NFS client takes the source
# the same way ("[fd00:99::1]:/path"), so the mounted line and /proc/mounts show it so.
set(_v6_nfsroot "[fd00:99::1]:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS}")
set(_v6_mounted "root: mounted \\[fd00:99::1\\]:${NFSROOT_TEST_ROOT} on /root in [0-9]+ ms")
# What only a mount over IPv6 shows in /proc/mounts: the tcp6 netid and the IPv6 addresses.
set(_v6_mount_options "TESTROOT: root-source=\\[fd00:99::1\\]:${NFSROOT_TEST_ROOT}"
    "TESTROOT: root-options=ro,[^ ]*proto=tcp6,[^ ]*mountaddr=fd00:99::1,[^ ]*addr=fd00:99::1")
# Nothing of IPv4, and none of the command-line parser's "IPv6 ... not supported" fallbacks
# (today's /init warns so and runs DHCPv4, which no server here answers).
set(_v6_reject "IPv6[a-z ]* (is|are) not supported" "DHCP discover" "10\\.99\\.0\\."
    "TESTROOT: FAIL" "rebooting")

# Dual stack: DHCPv4 configures eth0 (ip=dhcp), the server is named by its IPv6 address, and
# the kernel's own SLAAC (accept_ra, on by default for an interface that is up) gives eth0 its
# fd00:99::/64 address from dnsmasq's router advertisements. Until then the mount's connect
# fails with ENETUNREACH, which rootmount/nfs_mount.cpp retries until the mount deadline.
nfsroot_add_boot_test(lab_ipv6_server_dual_stack
  LAB --ipv6 --ra=0 --dhcpd=0 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${_v6_nfsroot} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "network: eth0 10\\.99\\.0\\.10/24 \\(dhcp\\)"
         "${_v6_mounted}" ${_v6_mount_options} ${ROOT_IS_READY}
  REJECT "TESTROOT: FAIL" "rebooting"
  TIMEOUT 150)
set_tests_properties(boot.lab_ipv6_server_dual_stack PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix;ipv6")

# The hand-off file: /run/net6-eth0.conf for the static form (initramfs-tools' ip6= keys), none
# for ip=auto6 (its IPV6PROTO has no word for router advertisements).
set(_v6_static_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _v6_static_ready "TESTROOT: net conf present /run/net-eth0.conf")
list(APPEND _v6_static_ready "TESTROOT: net conf present /run/net6-eth0\\.conf")
set(_v6_auto6_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _v6_auto6_ready "TESTROOT: net conf present /run/net-eth0.conf")
list(APPEND _v6_auto6_ready "TESTROOT: net conf none")

# A static address and gateway in dracut's IPv6 form of ip= (fields: [client]:[peer]:[gateway]:
# prefix length:host name:interface:autoconf), the root from the lab's server over NFSv3.
nfsroot_add_boot_test(lab_ipv6_static
  LAB --ipv6 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=[fd00:99::10]::[fd00:99::1]:64:client:eth0:none root=/dev/nfs ro nfsroot=${_v6_nfsroot} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "network: eth0 fd00:99::10/64 \\(static IPv6\\), gateway fd00:99::1. .*wrote /run/net6-eth0\\.conf"
         "${_v6_mounted}" ${_v6_mount_options} ${_v6_static_ready}
         "TESTROOT: net conf /run/net6-eth0\\.conf: DEVICE6='?eth0'? IPV6PROTO='?none'? IPV6ADDR='?fd00:99::10'? IPV6NETMASK='?64'? IPV6GATEWAY='?fd00:99::1'?"
  REJECT ${_v6_reject}
  TIMEOUT 150)

# ip=auto6: the kernel's own SLAAC from dnsmasq's router advertisements (prefix fd00:99::/64,
# autonomous). The guest kernel forms the address from the MAC (EUI-64, addr_gen_mode 0):
# 52:54:00:12:34:56 gives fd00:99::5054:ff:fe12:3456. The router's address is a link-local one
# that changes with br0's MAC, hence the optional gateway. dnsmasq6.log shows the guest asked.
nfsroot_add_boot_test(lab_ipv6_auto6
  LAB --ipv6 --ra=0 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
      "--expect-log=dnsmasq6.log:1:RTR-SOLICIT\\(br0\\)"
  APPEND "ip=auto6 root=/dev/nfs ro nfsroot=${_v6_nfsroot} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "network: eth0 fd00:99::5054:ff:fe12:3456/64 \\(router advertisement\\)"
         "${_v6_mounted}" ${_v6_mount_options} ${_v6_auto6_ready}
  REJECT ${_v6_reject}
  TIMEOUT 150)

set_tests_properties(boot.lab_ipv6_static boot.lab_ipv6_auto6 PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix;ipv6")

# ip=dhcp6: stateful DHCPv6 from the lab's dnsmasq (netns_lab.py --dhcp6): RAs with M set and
# the prefix on-link but not autonomous, so the guest's only global address is its lease. The
# guest's MAC is the lab's first --client, whose fixed address is fd00:99::20; dnsmasq finds the
# MAC in our DUID-LL. The address is a /128 (DHCPv6 gives no prefix length); the server is
# reached through the RA's on-link prefix.
nfsroot_add_boot_test(lab_ipv6_dhcp6
  LAB --ipv6 --dhcp6=0 "--client=52:54:00:12:34:56=" --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
      "--expect-log=dnsmasq6.log:1:DHCPREPLY\\(br0\\) fd00:99::20"
  APPEND "ip=dhcp6 root=/dev/nfs ro nfsroot=${_v6_nfsroot} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "eth0: DHCPv6 solicit from fe80::5054:ff:fe12:3456"
         "network: eth0 fd00:99::20/128 \\(DHCPv6\\). .*wrote /run/net6-eth0\\.conf"
         "${_v6_mounted}" ${_v6_mount_options} ${_v6_static_ready}
         "TESTROOT: net conf /run/net6-eth0\\.conf: DEVICE6='?eth0'? IPV6PROTO='?dhcp6'? IPV6ADDR='?fd00:99::20'? IPV6NETMASK='?128'?"
         "TESTROOT: resolv.conf well-formed"
  REJECT ${_v6_reject}
  TIMEOUT 150)
set_tests_properties(boot.lab_ipv6_dhcp6 PROPERTIES FIXTURES_REQUIRED nfs_test_root LABELS "boot;fault_matrix;ipv6")

# DHCPv6 over a VLAN (vlan=, dracut's form): the guest's port carries VLAN 5 tagged only
# (vlan_relay.py drops what is untagged), so the RAs, the DHCPv6 exchange and the NFS traffic
# all cross it tagged on eth0.5, which has eth0's MAC and so the same DUID-LL and fixed address.
set(_v6_vlan_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _v6_vlan_ready "TESTROOT: net conf present /run/net-eth0.conf")
list(APPEND _v6_vlan_ready "TESTROOT: net conf present /run/net6-eth0\\.5\\.conf")
nfsroot_add_boot_test(lab_ipv6_vlan_dhcp6
  LAB "--tap=tap0=52:54:00:12:34:56:vlan=5" --ipv6 --dhcp6=0 "--client=52:54:00:12:34:56=" --nfs=0
      "--export=${NFSROOT_TEST_ROOT}"
      "--expect-log=vlan-tap0.log:1:^up [0-9]+: 52.54.00.12.34.56 > 33.33.00.01.00.02 type 0x86dd"
      "--expect-log=dnsmasq6.log:1:DHCPREPLY\\(br0\\) fd00:99::20"
  APPEND "vlan=eth0.5:eth0 ip=eth0.5:dhcp6 root=/dev/nfs ro nfsroot=${_v6_nfsroot} panic=-1 console=ttyS0"
  MODULES 8139cp 8139too nfsv3 nfsv4 overlay 8021q
  EXPECT "eth0\\.5: VLAN 5 on eth0"
         "eth0\\.5: DHCPv6 solicit from fe80::5054:ff:fe12:3456"
         "network: eth0\\.5 fd00:99::20/128 \\(DHCPv6\\). .*wrote /run/net6-eth0\\.5\\.conf"
         "${_v6_mounted}" ${_v6_mount_options} ${_v6_vlan_ready}
         "TESTROOT: vlan eth0\\.5 id 5 on eth0"
         "TESTROOT: vlan parent eth0 kept by the hand-off files"
  REJECT ${_v6_reject}
  TIMEOUT 150)
set_tests_properties(boot.lab_ipv6_vlan_dhcp6 PROPERTIES FIXTURES_REQUIRED nfs_test_root LABELS "boot;fault_matrix;ipv6")

# DHCPv6 on a bond (bond=) through a pulled cable, as boot.lab_bond_failover does for IPv4: the
# bond has eth0's MAC, so the same DUID-LL and fixed address; once the root is mounted eth0's
# cable is pulled and the test root reads files nothing opened before, over eth1 (the bonding
# driver's unsolicited neighbour advertisements move the address to eth1's port).
set(_v6_bond_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _v6_bond_ready "TESTROOT: net conf present /run/net-eth0.conf")
list(APPEND _v6_bond_ready "TESTROOT: net conf present /run/net6-bond0\\.conf")
nfsroot_add_boot_test(lab_ipv6_bond_failover_dhcp6
  LAB --tap=tap0=52:54:00:12:34:56 --tap=tap1=52:54:00:12:34:57 --ipv6 --dhcp6=0 "--client=52:54:00:12:34:56="
      --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "bond=bond0:eth0,eth1:mode=active-backup,miimon=100 ip=bond0:dhcp6 root=/dev/nfs ro nfsroot=${_v6_nfsroot} panic=-1 console=ttyS0 nfsroot-test.bond_failover=eth1"
  MODULES 8139cp 8139too nfsv3 nfsv4 overlay bonding
  BOOT_ARGS "--set-link=n0:off@/root: mounted/+0"
  EXPECT "bond0: bond of eth0, eth1 \\(mode=active-backup, miimon=100\\)"
         "bond0: DHCPv6 solicit from fe80::5054:ff:fe12:3456"
         "network: bond0 fd00:99::20/128 \\(DHCPv6\\). .*wrote /run/net6-bond0\\.conf"
         "${_v6_mounted}" ${_v6_mount_options} ${_v6_bond_ready}
         "TESTROOT: bond bond0 fault-tolerance \\(active-backup\\): active slave eth1"
         "TESTROOT: bond read 8 unopened files, [0-9]{7,} bytes over eth1"
  REJECT ${_v6_reject}
  TIMEOUT 150)
set_tests_properties(boot.lab_ipv6_bond_failover_dhcp6 PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix;ipv6")

# The control: ip=auto6 on a link where no router advertises (br0 has fd00:99::1, nothing sends
# RAs). The wait for an RA is bounded (nfsroot-init.dhcp_timeout=, the address configuration's
# timeout), the message says no router advertisement came, then panic=-1 reboots. If auto6 were
# satisfied by the link-local address alone, or fell back to DHCPv4, this would not fail so.
nfsroot_add_boot_test(lab_ipv6_auto6_no_router
  LAB --ipv6
  APPEND "ip=auto6 root=/dev/nfs ro nfsroot=${_v6_nfsroot} nfsroot-init.dhcp_timeout=8 panic=-1 console=ttyS0"
  MODULES 8139cp 8139too nfsv3
  EXPECT "network failed: .*router advertisement"
         "rebooting now \\(panic= is negative\\)" "reboot: Restarting system"
  REJECT "root:" "network: eth0" "IPv6[a-z ]* (is|are) not supported" "DHCP discover"
  TIMEOUT 90)
set_tests_properties(boot.lab_ipv6_auto6_no_router PROPERTIES LABELS "boot;fault_matrix;ipv6")

unset(_v6_nfsroot)
unset(_v6_mounted)
unset(_v6_mount_options)
unset(_v6_reject)
unset(_v6_static_ready)
unset(_v6_auto6_ready)
unset(_v6_vlan_ready)
unset(_v6_bond_ready)
