# More of the fault matrix (label fault_matrix): an image's broken overlay list, an NFS server
# that accepts and never answers, a DHCP server replaced mid-boot. include() this from
# tests/CMakeLists.txt after the LAB_* values, FULL_BOOT_MODULES and ROOT_IS_READY are set.
# Each boot runs in netns_lab.py's private network (see tests/CMakeLists.txt's matrix).

# --- an image's broken /etc/nfsroot-init/overlays -----------------------------------------------
# One test root per case, each exported by the test's own nfs-ganesha in its namespace:
#   symlinked  overlays -> ../../../../../../etc/nfsroot-init/hop (climbing out of the image),
#              hop -> /etc/nfsroot-init/list-in-image (absolute), list-in-image the image's list.
#              The initrd holds decoys at both link targets (/etc/nfsroot-init/hop 9M,
#              /etc/nfsroot-init/list-in-image 8M), so a link followed outside the image shows.
#   fifo       overlays is a FIFO (a plain open(2) would wait for a writer for ever)
#   huge       overlays is over 64 KiB (an entry at its head that must not be used)
#   bad_lines  overlays has one good line among bad ones
# What the boot does (README "The overlay list"): links are resolved inside the image; a list
# that is not a regular file or too large is reported with its name and the fix, and left out
# (the lower sources, here the built-in defaults, apply); a bad line is reported with FILE:LINE
# and skipped. The boot goes on in every case.
get_filename_component(_fm_roots "${NFSROOT_TEST_ROOT}" DIRECTORY)
set(_fm_lists "${NFSROOT_BOOT_SOURCE_DIR}/overlay-lists")
set(_fm_huge "${NFSROOT_BOOT_BINARY_DIR}/overlay-list-huge.list")
file(READ "${_fm_lists}/huge-head.list" _fm_text)
string(REPEAT "# padding: an overlay list this long is refused before its entries are read.....\n" 900 _fm_pad)
file(WRITE "${_fm_huge}" "${_fm_text}${_fm_pad}")  # 900 x 80 bytes: about 70 KiB
set(_fm_list_path "etc/nfsroot-init/overlays")
set(_fm_case_args_symlinked
    "--image-symlink=${_fm_list_path}=../../../../../../etc/nfsroot-init/hop"
    "--image-symlink=etc/nfsroot-init/hop=/etc/nfsroot-init/list-in-image"
    "--image-file=etc/nfsroot-init/list-in-image=${_fm_lists}/in-image.list")
set(_fm_case_args_fifo "--image-fifo=${_fm_list_path}")
set(_fm_case_args_huge "--image-file=${_fm_list_path}=${_fm_huge}")
set(_fm_case_args_bad_lines "--image-file=${_fm_list_path}=${_fm_lists}/bad-lines.list")
set(_fm_busybox "${NFSROOT_BUSYBOX}")
if(NOT _fm_busybox)
  set(_fm_busybox /bin/busybox)
endif()
# The initrd of every case: the full-boot modules and the two decoys.
set(_fm_decoys EXTRA_ADD "${_fm_lists}/initrd-hop.list:/etc/nfsroot-init/hop"
                         "${_fm_lists}/initrd-target.list:/etc/nfsroot-init/list-in-image")
foreach(_fm_case symlinked fifo huge bad_lines)
  set(NFSROOT_TEST_ROOT_OVERLAYS_${_fm_case} "${_fm_roots}/testroot-overlays-${_fm_case}")
  add_test(NAME boot.test_root_overlays_${_fm_case}
           COMMAND "${NFSROOT_PYTHON3}" "${NFSROOT_BOOT_SOURCE_DIR}/make_test_root.py"
                   "--output=${NFSROOT_TEST_ROOT_OVERLAYS_${_fm_case}}" "--busybox=${_fm_busybox}"
                   ${_fm_case_args_${_fm_case}})
  set_tests_properties(boot.test_root_overlays_${_fm_case} PROPERTIES
                       LABELS "boot;fault_matrix" TIMEOUT 60 FIXTURES_SETUP overlay_roots_${_fm_case})
endforeach()

set(_fm_root "${NFSROOT_TEST_ROOT_OVERLAYS_symlinked}")
nfsroot_add_boot_test(lab_overlays_symlinked
  LAB --dhcpd=0 --nfs=0 "--export=${_fm_root}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${_fm_root},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES} ${_fm_decoys}
  # Both links were followed inside the image: its own list's entry (5M, line 3) is used.
  EXPECT "union /tmp tmpfs 5M, mode=1777 \\(/root/etc/nfsroot-init/overlays:3\\)"
         "union /var overlay on tmpfs 128M \\(built-in default\\)"
         "TESTROOT: etc/nfsroot-init has: hop list-in-image overlays"
         ${ROOT_IS_READY}
  REJECT "tmpfs 9M" "tmpfs 8M" "overlay list:" "TESTROOT: FAIL" "rebooting"
  TIMEOUT 120)

# The message names the file and the fix, and the boot goes on with the defaults.
set(_fm_defaults "union /tmp tmpfs 128M, mode=1777 \\(built-in default\\)"
                 "union /var overlay on tmpfs 128M \\(built-in default\\)"
                 "union /etc/udev/rules.d overlay on tmpfs 1M \\(built-in default\\)")
set(_fm_root "${NFSROOT_TEST_ROOT_OVERLAYS_fifo}")
nfsroot_add_boot_test(lab_overlays_fifo
  LAB --dhcpd=0 --nfs=0 "--export=${_fm_root}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${_fm_root},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES} ${_fm_decoys}
  EXPECT "overlay list: /root/etc/nfsroot-init/overlays: not a regular file. make it a plain text file, ignoring it"
         ${_fm_defaults} ${ROOT_IS_READY}
  REJECT "TESTROOT: FAIL" "rebooting"
  TIMEOUT 120)

set(_fm_root "${NFSROOT_TEST_ROOT_OVERLAYS_huge}")
nfsroot_add_boot_test(lab_overlays_huge
  LAB --dhcpd=0 --nfs=0 "--export=${_fm_root}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${_fm_root},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES} ${_fm_decoys}
  EXPECT "overlay list: /root/etc/nfsroot-init/overlays: larger than 65536 bytes. keep it to the entries it needs, ignoring it"
         ${_fm_defaults} ${ROOT_IS_READY}
  REJECT "tmpfs 6M" "TESTROOT: FAIL" "rebooting"
  TIMEOUT 120)

# Each bad line is named FILE:LINE with its fault and fix and skipped; for its mount point the
# lower source's entry (the built-in default) stays; the good line 7 is used.
set(_fm_root "${NFSROOT_TEST_ROOT_OVERLAYS_bad_lines}")
set(_fm_file "overlay list: /root/etc/nfsroot-init/overlays")
nfsroot_add_boot_test(lab_overlays_bad_lines
  LAB --dhcpd=0 --nfs=0 "--export=${_fm_root}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${_fm_root},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES} ${_fm_decoys}
  EXPECT "${_fm_file}:1 /var overlay size=0: bad size=0: tmpfs reads 0 as no limit. size= takes a number above 0.*, skipping it"
         "${_fm_file}:2 /srv/data bogus: unknown kind 'bogus'. write MOUNTPOINT KIND \\[OPTIONS\\].*, skipping it"
         "${_fm_file}:3 /tmp/\\.\\./etc tmpfs: mount point '/tmp/\\.\\./etc' is not a clean absolute path. write it like /var.*, skipping it"
         "${_fm_file}:4 /proc tmpfs: mount point '/proc' is where the hand-off moves the initramfs' /proc. drop this entry.*, skipping it"
         "${_fm_file}:5 /var overlay size=64M,bind: bind is a mount operation, not an option. remove it.*, skipping it"
         "${_fm_file}:6 /etc/udev/rules.d overlay size=2M,nr_inodes=0: bad nr_inodes=0: tmpfs reads 0 as no limit. nr_inodes= takes a number of inodes above 0.*, skipping it"
         "${_fm_file}:8 /var overlay size=96M too many: expected 2 or 3 fields. write MOUNTPOINT KIND.*, skipping it"
         "union /tmp tmpfs 24M, mode=1777 \\(/root/etc/nfsroot-init/overlays:7\\)"
         "union /var overlay on tmpfs 128M \\(built-in default\\)"
         "union /etc/udev/rules.d overlay on tmpfs 1M \\(built-in default\\)"
         ${ROOT_IS_READY}
  REJECT "union /var overlay on tmpfs 64M" "union /var overlay on tmpfs 96M" "union /etc/udev/rules.d overlay on tmpfs 2M"
         "union /(srv|proc)" "TESTROOT: FAIL" "rebooting"
  TIMEOUT 120)

foreach(_fm_case symlinked fifo huge bad_lines)
  set_tests_properties(boot.lab_overlays_${_fm_case} PROPERTIES FIXTURES_REQUIRED overlay_roots_${_fm_case}
                       LABELS "boot;fault_matrix")
endforeach()

# --- an NFS server that answers nothing ---------------------------------------------------------
# silent_tcp.py on 10.99.0.1 accepts every TCP connection on rpcbind's, MOUNT's and NFS's ports
# and never answers (a hung server: no refusal to react to). Each mount(2) then lasts the RPC
# timeout, which timeo= (deciseconds) and retrans= set (nfs(5)), and fails with EIO: the
# kernel's MOUNT call gave up. With timeo=10,retrans=1 an attempt takes about 2 s. The retries
# stay within mount_timeout= (1, 2, 4 s apart; no 8 s wait past 15 s; an attempt still running at
# 15 s is stopped there, ETIMEDOUT; musl's strerror says "Operation timed out"), the message names the
# server and the fault, the diagnosis gives up on the silent rpcbind within its own 3 s bounds
# ("no answer in time"), then panic=-1.
nfsroot_add_boot_test(lab_nfs_silent
  LAB --dhcpd=0 --silent-nfs=0
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:/srv/silent,${NFSROOT_TEST_NFS3_OPTIONS},timeo=10,retrans=1 nfsroot-init.mount_timeout=15 panic=-1 console=ttyS0"
  MODULES 8139cp 8139too nfsv3
  EXPECT "eth0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "mount nfs 10\\.99\\.0\\.1:/srv/silent: I/O error. retrying in 1 s \\([0-9] s of 15 s\\)"
         "mount nfs 10\\.99\\.0\\.1:/srv/silent: I/O error. retrying in 2 s"
         "mount nfs 10\\.99\\.0\\.1:/srv/silent: I/O error. retrying in 4 s"
         "root failed: mount nfs 10\\.99\\.0\\.1:/srv/silent -o [^ ]*mountaddr=10\\.99\\.0\\.1[^ ]*: (I/O error \\(errno 5\\)|(Connection|Operation) timed out \\(errno 110\\)). gave up after [3-5] attempts in 1[0-6] s(, the last one stopped at the deadline with no answer)?. is the NFS server 10\\.99\\.0\\.1 up and reachable from this network\\? \\(nfsroot-init\\.mount_timeout= sets how long to try[^)]*\\). could not list the server's exports: list exports 10\\.99\\.0\\.1: portmap v2 GETPORT 10\\.99\\.0\\.1:111: no answer in time. the server's rpcbind lists: ask rpcbind 10\\.99\\.0\\.1: portmap v2 DUMP 10\\.99\\.0\\.1:111: no answer in time"
         "rebooting now \\(panic= is negative\\)" "reboot: Restarting system"
  REJECT "root: mounted" "retrying in 8 s" "Connection refused"
  TIMEOUT 120)
set_tests_properties(boot.lab_nfs_silent PROPERTIES LABELS "boot;fault_matrix")

# The same server with the NFS client's defaults: TCP's timeo=600,retrans=2 alone would hold the
# first attempt for 180 s (measured before the attempt had a deadline). The attempt runs in a
# child process that is killed at mount_timeout=15, so the step ends at 15 s with one attempt,
# and the test's TIMEOUT is well below 180 s.
nfsroot_add_boot_test(lab_nfs_silent_defaults
  LAB --dhcpd=0 --silent-nfs=0
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:/srv/silent nfsroot-init.mount_timeout=15 panic=-1 console=ttyS0"
  MODULES 8139cp 8139too nfsv3
  EXPECT "eth0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "root failed: mount nfs 10\\.99\\.0\\.1:/srv/silent -o [^ ]*mountaddr=10\\.99\\.0\\.1[^ ]*: (Connection|Operation) timed out \\(errno 110\\). gave up after 1 attempt in 1[5-6] s, the last one stopped at the deadline with no answer. is the NFS server 10\\.99\\.0\\.1 up and reachable from this network\\? \\(nfsroot-init\\.mount_timeout= sets how long to try. timeo= and retrans= in nfsroot= how long one attempt waits\\)"
         "rebooting now \\(panic= is negative\\)" "reboot: Restarting system"
  REJECT "root: mounted" "retrying in"
  TIMEOUT 100)
set_tests_properties(boot.lab_nfs_silent_defaults PROPERTIES LABELS "boot;fault_matrix")

# --- a DHCP server replaced mid-boot --------------------------------------------------------------
# hostile_dhcp.py --offer-then-stop, as server id 10.99.0.2, offers 10.99.0.77 and exits before
# any ACK. When the client's first REQUEST for it is on the console, the lab's dhcpd (server id
# 10.99.0.1, the fixed address 10.99.0.10) starts. The client's REQUESTs name 10.99.0.2, so
# dhcpd leaves them alone (RFC 2131 4.3.2); after 4 unanswered REQUESTs the client starts over
# with DISCOVER and takes dhcpd's lease; the boot completes on it.
nfsroot_add_boot_test(lab_dhcp_server_replaced
  LAB --hostile-dhcp=0 --hostile=offer-then-stop --hostile-server=10.99.0.2 --hostile-address=10.99.0.77
      "--dhcpd=/sending REQUEST 1 for 10\\.99\\.0\\.77/+1" --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${LAB_NFSROOT} panic=-1 console=ttyS0 debug"
  ${FULL_BOOT_MODULES}
  EXPECT "OFFER from 10\\.99\\.0\\.2: 10\\.99\\.0\\.77. requesting it"
         "sending REQUEST 4 for 10\\.99\\.0\\.77 to 10\\.99\\.0\\.2"
         "no ACK or NAK after 4 REQUESTs for 10\\.99\\.0\\.77. starting over with DISCOVER"
         "OFFER from 10\\.99\\.0\\.1: 10\\.99\\.0\\.10. requesting it"
         "eth0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "network: eth0 10\\.99\\.0\\.10/24 \\(dhcp\\), gateway 10\\.99\\.0\\.1"
         "TESTROOT: net conf /run/net-eth0\\.conf: .*IPV4ADDR='?10\\.99\\.0\\.10'? .*IPV4GATEWAY='?10\\.99\\.0\\.1'?"
         "${LAB_ROOT_MOUNTED}" ${ROOT_IS_READY}
  REJECT "bound to 10\\.99\\.0\\.77" "TESTROOT: .*10\\.99\\.0\\.77" "TESTROOT: net conf .*10\\.99\\.0\\.2[^0-9]"
         "TESTROOT: FAIL" "rebooting"
  TIMEOUT 150)
set_tests_properties(boot.lab_dhcp_server_replaced PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix")

# --- several servers, the first one down -------------------------------------------------------------
# nfsroot= names 10.99.0.7, which no host of the lab has (its connect waits on ARP), and
# nfsroot-init.servers= adds 10.99.0.1, which serves the root: both are asked at once, 10.99.0.1
# answers first and is mounted, and the log names 10.99.0.7 as not answering. The first attempt
# waits its jitter (by the MAC, at most 300 ms with several servers).
nfsroot_add_boot_test(lab_servers_first_down
  LAB --dhcpd=0 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.7:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.servers=10.99.0.1 panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "more servers of the same root: 10\\.99\\.0\\.1 \\(nfsroot-init\\.servers=\\)"
         "root: waiting [0-9]+ ms before the first attempt \\(0 to 300 by the MAC"
         "root: servers 10\\.99\\.0\\.7, 10\\.99\\.0\\.1 \\(port 20490\\): 10\\.99\\.0\\.1 answered in [0-9]+ ms. 10\\.99\\.0\\.7 had not answered. mounting from 10\\.99\\.0\\.1"
         "${LAB_ROOT_MOUNTED}" ${ROOT_IS_READY}
         "TESTROOT: timings: plan [0-9]+ drivers [0-9]+ network [0-9]+ root\\.servers [0-9]+ root [0-9]+ unions"
  REJECT "TESTROOT: FAIL" "rebooting" "mounted 10\\.99\\.0\\.7"
  TIMEOUT 150)
set_tests_properties(boot.lab_servers_first_down PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix")

# --- several servers, the first to answer cannot serve ----------------------------------------
# The lab's own server (10.99.0.1) exports another folder; 10.99.0.5, in a namespace of its
# own, refuses connections until the guest has heard 10.99.0.1 and failed to mount from it (no
# such export), then serves the root. So the order is fixed: 10.99.0.1 answers, cannot serve,
# is left out with a line saying why, and the root is mounted from 10.99.0.5 when it comes up
# (issue 12: a server that answers but cannot serve is left out, the others asked again).
nfsroot_add_boot_test(lab_servers_first_cannot_serve
  LAB --dhcpd=0 --nfs=0 "--export=${NFSROOT_TEST_ROOT_OVERLAYS_symlinked}"
      "--far-nfs=/answered but cannot serve the root/+0" "--far-export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.servers=10.99.0.5 panic=-1 console=ttyS0"
  ${FULL_BOOT_MODULES}
  EXPECT "root: servers 10\\.99\\.0\\.1, 10\\.99\\.0\\.5 \\(port 20490\\): 10\\.99\\.0\\.1 answered in [0-9]+ ms. 10\\.99\\.0\\.5( had not answered|: Connection refused)"
         "root: 10\\.99\\.0\\.1 answered but cannot serve the root: .*Permission denied.*10\\.99\\.0\\.1 does not export ${NFSROOT_TEST_ROOT}.* asking 10\\.99\\.0\\.5"
         "root: mounted 10\\.99\\.0\\.5:${NFSROOT_TEST_ROOT} on /root in [0-9]+ ms"
         "TESTROOT: root-source=10\\.99\\.0\\.5:${NFSROOT_TEST_ROOT}" ${ROOT_IS_READY}
  REJECT "TESTROOT: FAIL" "rebooting" "mounted 10\\.99\\.0\\.1"
  TIMEOUT 150)
set_tests_properties(boot.lab_servers_first_cannot_serve PROPERTIES
                     FIXTURES_REQUIRED "nfs_test_root;overlay_roots_symlinked" LABELS "boot;fault_matrix")

unset(_fm_roots)
unset(_fm_lists)
unset(_fm_huge)
unset(_fm_text)
unset(_fm_pad)
unset(_fm_list_path)
unset(_fm_busybox)
unset(_fm_decoys)
unset(_fm_defaults)
unset(_fm_root)
unset(_fm_file)
unset(_fm_case)

# --- the lease after the hand-off (";" is "." in these patterns: CMake splits lists on it) -------------------------------------------------------------
# The busybox root runs no network manager: /init leaves its lease keeper running, which renews
# dhcpd's 20 s lease at T1 by unicast, as the same client, while the root holds for 45 s (over
# two lifetimes of the lease); the address stays on eth0 throughout.
nfsroot_add_boot_test(lab_lease_keeper
  LAB --dhcpd=0 --lease-time=20 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0 nfsroot-test.lease_hold=45"
  ${FULL_BOOT_MODULES}
  EXPECT "eth0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "lease keeper for eth0: renews the 20 s lease: the root system does not enable systemd-networkd. started as PID [0-9]+ \\(/run/nfsroot-init/nfsroot-init\\)"
         "TESTROOT: lease keeper running: nfsroot-init keep-lease eth0 --kmsg"
         "eth0: keeping the lease of 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1. renewing in [0-9]+ s"
         "eth0: renewed 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1 for 20 s"
         # renewing only in the milliseconds a renewal is in flight
         "TESTROOT: lease after 45 s: renewals=[3-9] state=(bound|renewing)"
         "TESTROOT: eth0 still has 10\\.99\\.0\\.10"
         "TESTROOT: lease keeper still running"
         ${ROOT_IS_READY}
  REJECT "TESTROOT: FAIL" "rebooting" "ran out" "refused to extend"
  TIMEOUT 200)
set_tests_properties(boot.lab_lease_keeper PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;fault_matrix")

# --- a VLAN (vlan=, dracut.cmdline(7)) ------------------------------------------------------------
# The lab's port is a trunk carrying VLAN 5 tagged only (netns_lab.py --tap …:vlan=5: its
# vlan_relay.py passes frames tagged 5 to br0 untagged and back, and drops the rest). /init loads
# 8021q before the network step, brings eth0 up unconfigured, makes eth0.5 on it through
# rtnetlink, and DHCP, the NFS mount and the root run over the VLAN. The relay's log shows the
# guest's DHCP broadcasts arriving tagged; the test root reads the kernel's VLAN table and the
# hand-off files that keep eth0.
set(_fm_vlan_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _fm_vlan_ready "TESTROOT: net conf present /run/net-eth0.conf")
list(APPEND _fm_vlan_ready "TESTROOT: net conf present /run/net-eth0\\.5\\.conf")
nfsroot_add_boot_test(lab_vlan
  LAB "--tap=tap0=52:54:00:12:34:56:vlan=5" --dhcpd=0 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
      "--expect-log=vlan-tap0.log:2:^up [0-9]+: 52.54.00.12.34.56 > ff.ff.ff.ff.ff.ff type 0x0800"
  APPEND "ip=dhcp vlan=eth0.5:eth0 root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0"
  MODULES 8139cp 8139too nfsv3 nfsv4 overlay 8021q
  EXPECT "link modules: loaded .*8021q"
         "eth0 52:54:00:12:34:56: bringing the link up for VLAN 5"
         "eth0\\.5: VLAN 5 on eth0"
         "eth0\\.5: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "network: eth0\\.5 10\\.99\\.0\\.10/24 \\(dhcp\\)"
         "TESTROOT: vlan eth0\\.5 id 5 on eth0"
         "TESTROOT: vlan parent eth0 has no IPv4 address"
         "TESTROOT: vlan parent eth0 kept by the hand-off files"
         "TESTROOT: networkd files for eth0\\.5"
         ${_fm_vlan_ready}
  # The link /init made itself is no hotplug news.
  REJECT "TESTROOT: FAIL" "rebooting" "hotplug: interface eth0\\.5 appeared"
  TIMEOUT 150)
set_tests_properties(boot.lab_vlan PROPERTIES FIXTURES_REQUIRED nfs_test_root LABELS "boot;fault_matrix")

# The control: the same trunk port and a guest that does not tag. The relay drops its untagged
# DISCOVERs, so no server answers: if the VLAN boot passed without tagging, this would bind.
nfsroot_add_boot_test(lab_vlan_untagged_is_dropped
  LAB "--tap=tap0=52:54:00:12:34:56:vlan=5" --dhcpd=0
      "--expect-log=vlan-tap0.log:2:^untagged [0-9]+: 52.54.00.12.34.56 > ff.ff.ff.ff.ff.ff type 0x0800"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_ROOT} nfsroot-init.dhcp_timeout=8 panic=-1 console=ttyS0"
  MODULES 8139cp 8139too nfsv3
  EXPECT "eth0: DHCP discover"
         "network failed: DHCP 52:54:00:12:34:56: no OFFER after [0-9]+ DISCOVERs? in 8 s"
         "rebooting now \\(panic= is negative\\)" "reboot: Restarting system"
  REJECT "bound to" "root:"
  TIMEOUT 90)
set_tests_properties(boot.lab_vlan_untagged_is_dropped PROPERTIES LABELS "boot;fault_matrix")

# --- a bond (bond=, dracut.cmdline(7)) ------------------------------------------------------------
# Two NICs on the lab's bridge, bonded active-backup with MII monitoring. /init loads bonding
# before the network step, makes bond0, sets its mode and miimon through sysfs, adds eth0 and
# eth1, and DHCP runs on bond0 (with eth0's MAC, the bond's). Once the root is mounted the
# harness pulls eth0's cable (QEMU's monitor, set_link n0 off): the bond makes eth1 active and
# the test root then reads files nothing opened before, which can only come over eth1.
set(_fm_bond_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _fm_bond_ready "TESTROOT: net conf present /run/net-eth0.conf")
list(APPEND _fm_bond_ready "TESTROOT: net conf present /run/net-bond0\\.conf")
nfsroot_add_boot_test(lab_bond_failover
  LAB --tap=tap0=52:54:00:12:34:56 --tap=tap1=52:54:00:12:34:57 --dhcpd=0 --nfs=0 "--export=${NFSROOT_TEST_ROOT}"
  APPEND "ip=dhcp bond=bond0:eth0,eth1:mode=active-backup,miimon=100 root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=ttyS0 nfsroot-test.bond_failover=eth1"
  MODULES 8139cp 8139too nfsv3 nfsv4 overlay bonding
  BOOT_ARGS "--set-link=n0:off@/root: mounted/+0"
  EXPECT "link modules: loaded .*bonding"
         "bond0: making the bond of eth0, eth1"
         "bond0: bond of eth0, eth1 \\(mode=active-backup, miimon=100\\)"
         "bond0 52:54:00:12:34:56: bringing the link up"
         "bond0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "network: bond0 10\\.99\\.0\\.10/24 \\(dhcp\\)"
         "TESTROOT: bond bond0 fault-tolerance \\(active-backup\\): active slave eth1"
         "TESTROOT: bond slave eth0 down"
         "TESTROOT: bond slave eth1 up"
         "TESTROOT: bond read 8 unopened files, [0-9]{7,} bytes over eth1"
         "TESTROOT: networkd files for bond0"
         ${_fm_bond_ready}
  REJECT "TESTROOT: FAIL" "rebooting" "hotplug: interface bond0 appeared"
  TIMEOUT 150)
set_tests_properties(boot.lab_bond_failover PROPERTIES FIXTURES_REQUIRED nfs_test_root LABELS "boot;fault_matrix")
