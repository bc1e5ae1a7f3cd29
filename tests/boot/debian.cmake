# The Debian root boots: a real debootstrapped bookworm (systemd, udev) exported by the NFS
# fixture, with the initrd an admin gets: the project installed into the image, its hook enabled,
# the initrd rebuilt inside the image by the image tool and published to a TFTP folder.
#
#   boot.debian_root_image   FIXTURES_SETUP debian_root: debian_root.py build (debootstrap, about
#                            two minutes; cached in NFSROOT_TEST_DEBIAN_DIR by its inputs), with
#                            a pristine copy (DIR/pristine, before any test installs the package
#                            into DIR/root) that the variants' images start from
#   boot.debian_package_purge  the package (NFSROOT_PACKAGE_DEB, scripts/build-package.sh) on
#                            an image that is not yet diskless: apt-get install inside it runs
#                            initramfs-tools' trigger and the initrd stays initramfs-tools' own
#                            (NFSROOT_INIT=n); apt-get purge then leaves every file as it was
#                            (but dpkg's and apt's own records; the initrd by its file list)
#   boot.debian_install      FIXTURES_SETUP debian_initrd: NFSROOT_INIT=y, then apt-get install of
#                            the package inside the image (its trigger builds our initrd, checked:
#                            /init is the binary; nfsroot-image initrd only where the package
#                            was installed already and no trigger ran), publish into debian-tftp/
#   boot.debian_<variant>_image, boot.debian_<variant>_install  the same for the variants with
#                            another network manager or none (below); the image is the base's pristine
#                            copy with the variant's packages installed by apt (about a minute)
#   boot.debian_systemd_root the image's kernel and initrd booted through the PXE chain
#                            (pxelinux, pxelinux.cfg/01-<mac>) with the seed's line: systemd
#                            reaches multi-user.target, and the test image's report unit
#                            (tests/boot/debian-root/) finds no "Read-only file system" in the
#                            journal, no failed unit, and the NFS interface never deconfigured
#                            while systemd-networkd took the lease over (the image has no
#                            network file: udev and networkd used the .link and .network /init
#                            wrote into /run): a netlink log started before udev shows
#                            no address removed and the link never down; the power-off comes
#                            within 60 s of the report's end.
#   boot.debian_networkd_renews_lease  the image in netns_lab.py's network, against dhcpd's 30 s
#                            leases, held 70 s: networkd renews (dhcpd's log), no lease keeper
#   boot.debian_networkd_bond  the image in netns_lab.py's network on two NICs bonded (bond=,
#                            active-backup): networkd keeps bond0's lease and both slaves
#   boot.debian_nfs4_root    the same image over NFSv4.2 (the export's pseudo path /debian)
#   boot.debian_readonly_var_is_caught  the same boot with /var left read-only
#                            (nfsroot-init.overlay=/var:none, as initramfs-tools' BOOT=nfs leaves
#                            it): the report must catch the seed's "Read-only file system"
#                            errors, so the checks above cannot pass vacuously.
#
# include() this from tests/CMakeLists.txt after boot/nfs_fixture.cmake. Needs root,
# debootstrap and the Debian mirror (for the first build only).

if(NOT COMMAND nfsroot_use_nfs_server OR NOT NFSROOT_TEST_DEBIAN_ROOT)
  message(WARNING "debian.cmake: include it after boot/nfs_fixture.cmake; Debian boot tests skipped")
  return()
endif()

set(_deb_here "${CMAKE_CURRENT_LIST_DIR}")
set(_deb_tftp "${NFSROOT_BOOT_BINARY_DIR}/debian-tftp")
set(NFSROOT_DEBIAN_LOCK debian_image)  # tests that change the image's files take this

add_test(NAME boot.debian_root_image
         COMMAND "${NFSROOT_PYTHON3}" "${_deb_here}/debian_root.py" build "--dir=${NFSROOT_TEST_DEBIAN_DIR}")
set_tests_properties(boot.debian_root_image PROPERTIES
  LABELS boot TIMEOUT 1200 FIXTURES_SETUP debian_root RESOURCE_LOCK ${NFSROOT_DEBIAN_LOCK})
# The server exports the image when it exists: start it after the image, without making every
# other boot fail when the mirror cannot be reached.
set_property(TEST boot.nfs_server_start APPEND PROPERTY DEPENDS boot.debian_root_image)

# The image gets the package NFSROOT_PACKAGE_DEB (tests/CMakeLists.txt).
set(_deb_package_args "--dir=${NFSROOT_TEST_DEBIAN_DIR}" "--deb=${NFSROOT_PACKAGE_DEB}"
    "--image-tool=${PROJECT_SOURCE_DIR}/image-tool/nfsroot-image")
add_test(NAME boot.debian_package_purge
         COMMAND "${NFSROOT_PYTHON3}" "${_deb_here}/debian_root.py" purge ${_deb_package_args})
set_tests_properties(boot.debian_package_purge PROPERTIES
  LABELS "boot;package" TIMEOUT 600 FIXTURES_REQUIRED debian_root RESOURCE_LOCK ${NFSROOT_DEBIAN_LOCK})
add_test(NAME boot.debian_install
         COMMAND "${NFSROOT_PYTHON3}" "${_deb_here}/debian_root.py" install ${_deb_package_args}
                 "--tftp=${_deb_tftp}")
# After the purge check, which starts from an image without the package.
set_tests_properties(boot.debian_install PROPERTIES
  LABELS "boot;package" TIMEOUT 600 FIXTURES_SETUP debian_initrd FIXTURES_REQUIRED debian_root
  RESOURCE_LOCK ${NFSROOT_DEBIAN_LOCK} DEPENDS boot.debian_package_purge)

# A boot of the image's kernel and initrd, as nfsroot-image publish left them: directly
# (-kernel/-initrd), or with PXE through pxelinux and a config file in the seed's format.
# A variant's boot (VARIANT networkmanager or ifupdown) takes that variant's kernel, initrd,
# fixture and lock instead of the base image's. NO_EXIT: the guest is stopped once every
# expectation matched (a negative control whose root may hang at shutdown).
function(_nfsroot_debian_boot name)
  cmake_parse_arguments(PARSE_ARGV 1 D "PXE;NO_EXIT" "APPEND;PRE_STEPS;SPAN;VARIANT;TIMEOUT" "EXPECT;REJECT;LAB")
  if(NOT D_TIMEOUT)
    set(D_TIMEOUT 300)  # qemu_boot.py's, in seconds; the test's own is 400
  endif()
  set(_deb_fixture debian_initrd)
  set(_deb_lock ${NFSROOT_DEBIAN_LOCK})
  if(D_VARIANT)
    set(_deb_tftp "${_deb_tftp}-${D_VARIANT}")
    set(_deb_fixture debian_${D_VARIANT}_initrd)
    set(_deb_lock debian_${D_VARIANT}_image)
  endif()
  set(boot "")
  if(D_LAB)  # in netns_lab.py's private network, with its own servers
    list(APPEND boot "${NFSROOT_PYTHON3}" "${_deb_here}/netns_lab.py" "--name=${name}"
         "--state-dir=${NFSROOT_BOOT_BINARY_DIR}/${name}.lab" ${D_LAB} --)
  endif()
  list(APPEND boot "${NFSROOT_PYTHON3}" "${_deb_here}/qemu_boot.py" "--timeout=${D_TIMEOUT}"
      "--log=${NFSROOT_BOOT_BINARY_DIR}/${name}.console.log")
  set(steps "")
  if(D_PRE_STEPS)
    set(steps "${${D_PRE_STEPS}}")
  endif()
  if(D_PXE)
    set(tftp "${NFSROOT_BOOT_BINARY_DIR}/${name}.tftp")
    nfsroot_boot_step(steps FAIL "boot.${name}: make_tftp_root.py failed"
      COMMAND "${NFSROOT_PYTHON3}" "${_deb_here}/make_tftp_root.py" "--output=${tftp}"
              "--kernel=${_deb_tftp}/vmlinuz" "--initrd=${_deb_tftp}/initrd.img"
              "--append=${D_APPEND}" --mac=52:54:00:12:34:56)
    list(APPEND boot "--pxe=${tftp}" --mac=52:54:00:12:34:56)
  else()
    list(APPEND boot "--kernel=${_deb_tftp}/vmlinuz" "--initrd=${_deb_tftp}/initrd.img"
         "--append=${D_APPEND}")
  endif()
  foreach(e IN LISTS D_EXPECT)
    list(APPEND boot "--expect=${e}")
  endforeach()
  if(D_NO_EXIT)
    list(APPEND boot --no-expect-exit)
  endif()
  foreach(e IN LISTS D_REJECT)
    list(APPEND boot "--reject=${e}")
  endforeach()
  if(D_SPAN)
    list(APPEND boot "--span=${D_SPAN}")
  endif()
  nfsroot_boot_step(steps FAIL "boot.${name} failed" COMMAND ${boot})
  nfsroot_add_scripted_boot_test(${name} INIT "$<TARGET_FILE:${NFSROOT_RELEASE_INIT}>" TIMEOUT 400 STEPS steps)
  set_tests_properties(boot.${name} PROPERTIES
    FIXTURES_REQUIRED ${_deb_fixture} RESOURCE_LOCK ${_deb_lock})
  if(NOT D_LAB)  # the lab serves the root itself
    nfsroot_use_nfs_server(boot.${name})
  endif()
endfunction()

# The seed's whole chain with a real Debian: PXE, pxelinux, the image's kernel and the initrd
# its own update-initramfs built, our /init, systemd to multi-user.target.
set(_deb_seed_line "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_DEBIAN_V3} console=ttyS0")
_nfsroot_debian_boot(debian_systemd_root PXE APPEND "${_deb_seed_line}"
  SPAN "DEBIANROOT: DONE=>reboot: Power down<=60"
  EXPECT "PXELINUX [0-9.]+ PXE"
         "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
         "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: root-fs=nfs ro"
         "DEBIANROOT: /var writable \\(overlay\\)"
         "DEBIANROOT: /tmp writable \\(tmpfs\\)"
         "DEBIANROOT: /etc/udev/rules.d writable \\(overlay\\)"
         "DEBIANROOT: journal has no Read-only file system error"
         "DEBIANROOT: no failed units"
         "DEBIANROOT: network eth0 kept 10\\.0\\.2\\.15"
         "DEBIANROOT: networkd configured eth0 from /run/systemd/network/70-nfsroot-eth0\\.network"
         "DEBIANROOT: udev applied /run/systemd/network/70-nfsroot-eth0\\.link to eth0"
         "DEBIANROOT: networkd took the lease over: DHCPv4 address 10\\.0\\.2\\.15/24"
         "lease keeper: not started: systemd-networkd in the root renews the [0-9]+ s lease"
         "DEBIANROOT: kernel saw no address removed from eth0 \\([0-9]+ events logged\\)"
         "DEBIANROOT: kernel saw eth0's link never down"
         "DEBIANROOT: journal shows no deconfiguration of eth0"
         "DEBIANROOT: journal has nfsroot-init's boot log"
         "DEBIANROOT: all checks passed"
         "DEBIANROOT: DONE"
         "reboot: Power down"
  REJECT "DEBIANROOT: FAIL" "nfsroot-init: .*(warning|failed)")
# The same image over NFSv4.2, through the server's pseudo root; booted directly.
_nfsroot_debian_boot(debian_nfs4_root
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_SERVER}:/debian,${NFSROOT_TEST_NFS4_OPTIONS} console=ttyS0"
  EXPECT "type nfs4, read-only"
         "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: root-fs=nfs4 ro"
         "DEBIANROOT: no failed units"
         "DEBIANROOT: all checks passed"
         "DEBIANROOT: DONE"
         "reboot: Power down"
  REJECT "DEBIANROOT: FAIL" "nfsroot-init: .*(warning|failed)")
# Image mode: the image packed by nfsroot-image build into a channel of the images export (the
# hook's initrd carries loop and squashfs), booted directly; systemd reaches multi-user.target
# on the squashfs root with its unions, no unit failed, no "Read-only file system".
set(_deb_channel_step "")
nfsroot_boot_step(_deb_channel_step FAIL "boot.debian_image_mode: nfsroot-image build failed"
  COMMAND "${PROJECT_SOURCE_DIR}/image-tool/nfsroot-image" build "${NFSROOT_TEST_DEBIAN_ROOT}"
          "${NFSROOT_TEST_IMAGES}" --name debian --keep 1)
_nfsroot_debian_boot(debian_image_mode PRE_STEPS _deb_channel_step
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=debian console=ttyS0"
  EXPECT "root: image [0-9]+-[0-9]+-[0-9a-f]+\\.squashfs \\(squashfs, [0-9]+ KiB, current of channel debian\\)"
         "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: root-fs=squashfs ro"
         "DEBIANROOT: /var writable \\(overlay\\)"
         "DEBIANROOT: journal has no Read-only file system error"
         "DEBIANROOT: no failed units"
         "DEBIANROOT: all checks passed"
         "DEBIANROOT: DONE"
         "reboot: Power down"
  REJECT "DEBIANROOT: FAIL" "nfsroot-init: .*(warning|failed)")
# The lease after the hand-off, with systemd-networkd in the root: in the lab's private network,
# ISC dhcpd grants 30 s leases (T1 15 s) and serves nothing else; the root holds 70 s
# (nfsroot-test.lease_hold=) before its checks. /init leaves no keeper (networkd renews), the
# server's log shows the renewals (/init's ACK, networkd's, then one every 15 s), and the
# address is never removed nor the link taken down in the netlink log started before udev;
# the machine powers off within 60 s of the report's end.
_nfsroot_debian_boot(debian_networkd_renews_lease
  LAB --dhcpd=0 --lease-time=30 --nfs=0 "--export=${NFSROOT_TEST_DEBIAN_ROOT}"
      "--expect-log=dhcpd.log:5:DHCPACK on 10\\.99\\.0\\.10 to 52:54:00:12:34:56"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_DEBIAN_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} console=ttyS0 nfsroot-test.lease_hold=70"
  # The power-off must not hang on the NFS root: systemd would wait 90 s for a stuck unit.
  SPAN "DEBIANROOT: DONE=>reboot: Power down<=60"
  EXPECT "eth0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "lease keeper: not started: systemd-networkd in the root renews the 30 s lease"
         "DEBIANROOT: holding 70 s"
         "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: network eth0 kept 10\\.99\\.0\\.10"
         "DEBIANROOT: networkd took the lease over: DHCPv4 address 10\\.99\\.0\\.10/24"
         "DEBIANROOT: kernel saw no address removed from eth0 \\([0-9]+ events logged\\)"
         "DEBIANROOT: kernel saw eth0's link never down"
         "DEBIANROOT: journal shows no deconfiguration of eth0"
         "DEBIANROOT: all checks passed"
         "DEBIANROOT: DONE"
         "reboot: Power down"
  REJECT "DEBIANROOT: FAIL" "nfsroot-init: .*(warning|failed)")
# A bond in the networkd root (bond=, two NICs active-backup): networkd takes the lease over on
# bond0 from /init's file and keeps eth0 and eth1 in the bond (with KeepMaster=yes in theirs;
# networkd 252 was seen to keep them without it too, newer ones may not); the
# address, the bond's link and both slaves stay, and the power-off is bounded.
_nfsroot_debian_boot(debian_networkd_bond
  LAB --tap=tap0=52:54:00:12:34:56 --tap=tap1=52:54:00:12:34:57 --dhcpd=0 --nfs=0
      "--export=${NFSROOT_TEST_DEBIAN_ROOT}"
  APPEND "ip=dhcp bond=bond0:eth0,eth1:mode=active-backup,miimon=100 root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_DEBIAN_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} console=ttyS0"
  SPAN "DEBIANROOT: DONE=>reboot: Power down<=60"
  EXPECT "bond0: bond of eth0, eth1 \\(mode=active-backup, miimon=100\\)"
         "bond0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
         "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: network bond0 kept 10\\.99\\.0\\.10"
         "DEBIANROOT: networkd configured bond0 from /run/systemd/network/70-nfsroot-bond0\\.network"
         "DEBIANROOT: networkd took the lease over: DHCPv4 address 10\\.99\\.0\\.10/24"
         "DEBIANROOT: networkd kept eth0 under bond0 from /run/systemd/network/70-nfsroot-eth0\\.network"
         "DEBIANROOT: networkd kept eth1 under bond0 from /run/systemd/network/70-nfsroot-eth1\\.network"
         "DEBIANROOT: kernel saw no address removed from bond0"
         "DEBIANROOT: kernel saw bond0's link never down"
         "DEBIANROOT: journal shows no deconfiguration of bond0"
         "DEBIANROOT: all checks passed"
         "DEBIANROOT: DONE"
         "reboot: Power down"
  REJECT "DEBIANROOT: FAIL" "nfsroot-init: .*(warning|failed)")
# The networkd root over DHCPv6 alone (ip=dhcp6; the lab's dnsmasq: RAs with M set and no
# autonomous prefix, stateful DHCPv6 with its shortest lease, 120 s, so T1 is 60 s; no IPv4
# anywhere). networkd takes advertisements only (IPv6AcceptRA=yes, [IPv6AcceptRA]
# DHCPv6Client=no: its state file shows no DHCPv6 client), because networkd 252 removes its
# DHCPv6 client's address when it stops, KeepConfiguration= or not: with networkd renewing, the
# power-off took 184 s on 2026-12-07, the NFS root's /128 gone from under it. /init's lease
# keeper renews the lease instead (dnsmasq logs the RENEW from the same DUID-LL, the
# console the keeper's line); the address and the link stay, and the power-off is prompt.
_nfsroot_debian_boot(debian_networkd_dhcp6
  LAB --ipv6 --dhcp6=0 --lease-time=120 "--client=52:54:00:12:34:56=" --nfs=0 "--export=${NFSROOT_TEST_DEBIAN_ROOT}"
      "--expect-log=dnsmasq6.log:1:DHCPRENEW\\(br0\\) 00:03:00:01:52:54:00:12:34:56"
      "--expect-log=dnsmasq6.log:2:DHCPREPLY\\(br0\\) fd00:99::20 00:03:00:01:52:54:00:12:34:56"
  APPEND "ip=dhcp6 root=/dev/nfs ro nfsroot=[fd00:99::1]:${NFSROOT_TEST_DEBIAN_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} console=ttyS0 nfsroot-test.lease_hold=40"
  SPAN "DEBIANROOT: DONE=>reboot: Power down<=60"
  EXPECT "network: eth0 fd00:99::20/128 \\(DHCPv6\\)"
         "lease keeper for eth0: renews the 120 s DHCPv6 lease: systemd-networkd would remove a DHCPv6 address it renewed when it stops"
         "eth0: renewed fd00:99::20 from [0-9a-f]+ for 120 s"
         "DEBIANROOT: holding 40 s"
         "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: network eth0 kept fd00:99::20"
         "DEBIANROOT: networkd configured eth0 from /run/systemd/network/70-nfsroot-eth0\\.network"
         "DEBIANROOT: networkd runs no DHCPv6 client on eth0"
         "DEBIANROOT: lease keeper running: .*nfsroot-init keep-lease eth0"
         "DEBIANROOT: kernel saw no address removed from eth0"
         "DEBIANROOT: kernel saw eth0's link never down"
         "DEBIANROOT: journal shows no deconfiguration of eth0"
         "DEBIANROOT: all checks passed"
         "DEBIANROOT: DONE"
         "reboot: Power down"
  REJECT "DEBIANROOT: FAIL" "nfsroot-init: .*(warning|failed)")
_nfsroot_debian_boot(debian_readonly_var_is_caught
  APPEND "nfsroot-init.overlay=/var:none ${_deb_seed_line}"
  EXPECT "DEBIANROOT: multi-user.target active"
         "DEBIANROOT: FAIL /var: not writable"
         "DEBIANROOT: FAIL journal: .*: Read-only file system"
         "DEBIANROOT: [0-9]+ checks failed"
         "DEBIANROOT: DONE"
         "reboot: Power down")

# The variants with another network manager and no network file of the image's for it: /init's
# files in /run (net/manager_files.h) keep the manager's hands off the NFS root's interface.
# Each is the base image's pristine copy (boot.debian_root_image makes it) with the variant's
# packages installed by the image's apt (debian_root.py build --variant --base, cached by a key
# of its own that includes the base's: a new base makes new variants; a missing or stale
# pristine copy fails the test, saying so), with the package installed and the initrd rebuilt
# as for the base image, booted directly with the seed's line; the report
# (tests/boot/debian-root-managers/) prints "MANAGERROOT: ...".
foreach(_deb_variant IN LISTS NFSROOT_TEST_DEBIAN_VARIANTS)
  string(TOUPPER "${_deb_variant}" _deb_upper)
  set(_deb_variant_dir "${NFSROOT_TEST_DEBIAN_${_deb_upper}_DIR}")
  add_test(NAME boot.debian_${_deb_variant}_image
           COMMAND "${NFSROOT_PYTHON3}" "${_deb_here}/debian_root.py" build "--dir=${_deb_variant_dir}"
                   "--variant=${_deb_variant}" "--base=${NFSROOT_TEST_DEBIAN_DIR}"
                   "--image-tool=${PROJECT_SOURCE_DIR}/image-tool/nfsroot-image")
  # From the base image's pristine copy, which boot.debian_root_image makes (and only it writes:
  # the base's lock is for its root, which the variant does not read).
  set_tests_properties(boot.debian_${_deb_variant}_image PROPERTIES
    LABELS boot TIMEOUT 1200 FIXTURES_SETUP debian_${_deb_variant}_root
    FIXTURES_REQUIRED debian_root DEPENDS boot.debian_root_image
    RESOURCE_LOCK debian_${_deb_variant}_image)
  set_property(TEST boot.nfs_server_start APPEND PROPERTY DEPENDS boot.debian_${_deb_variant}_image)
  add_test(NAME boot.debian_${_deb_variant}_install
           COMMAND "${NFSROOT_PYTHON3}" "${_deb_here}/debian_root.py" install "--dir=${_deb_variant_dir}"
                   "--deb=${NFSROOT_PACKAGE_DEB}" "--image-tool=${PROJECT_SOURCE_DIR}/image-tool/nfsroot-image"
                   "--tftp=${_deb_tftp}-${_deb_variant}")
  set_tests_properties(boot.debian_${_deb_variant}_install PROPERTIES
    LABELS "boot;package" TIMEOUT 600 FIXTURES_SETUP debian_${_deb_variant}_initrd
    FIXTURES_REQUIRED debian_${_deb_variant}_root RESOURCE_LOCK debian_${_deb_variant}_image)
endforeach()
set(_deb_manager_expect
    "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
    "MANAGERROOT: multi-user.target active"
    "MANAGERROOT: root-fs=nfs ro"
    "MANAGERROOT: no failed units")
set(_deb_manager_end
    "MANAGERROOT: netlink log live"
    "MANAGERROOT: kernel saw no address removed from eth0 \\([0-9]+ events logged\\)"
    "MANAGERROOT: kernel saw eth0's link never down"
    "MANAGERROOT: all checks passed"
    "MANAGERROOT: DONE"
    "reboot: Power down")
# Each variant in the lab's private network against ISC dhcpd's 30 s leases (T1 15 s), held 70 s
# (nfsroot-test.lease_hold=) before the report: no variant enables networkd, so /init's lease
# keeper renews the lease under the manager (its lines on the console, dhcpd's ACKs in its log:
# /init's, then one every 15 s), and the manager leaves the address and the link alone.
set(_deb_manager_v4_lab --dhcpd=0 --lease-time=30 --nfs=0
    "--expect-log=dhcpd.log:5:DHCPACK on 10\\.99\\.0\\.10 to 52:54:00:12:34:56")
set(_deb_manager_v4_expect
    "eth0: bound to 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1"
    "lease keeper for eth0: renews the 30 s lease: the root system does not enable systemd-networkd"
    "eth0: renewed 10\\.99\\.0\\.10 from 10\\.99\\.0\\.1 for 30 s"
    "MANAGERROOT: holding 70 s"
    ${_deb_manager_expect}
    "MANAGERROOT: network eth0 kept 10\\.99\\.0\\.10"
    "MANAGERROOT: lease keeper running: .*nfsroot-init keep-lease eth0")
set(_deb_manager_reject "MANAGERROOT: FAIL" "nfsroot-init: .*(warning|failed)" "nfs: server .* not responding")
foreach(_deb_variant IN LISTS NFSROOT_TEST_DEBIAN_VARIANTS)
  string(TOUPPER "${_deb_variant}" _deb_upper)
  if(_deb_variant STREQUAL "networkmanager")
    # NetworkManager installed, with Debian's NetworkManager.conf and no file of ours: it would
    # manage eth0 (and run DHCP on it); it leaves it unmanaged.
    set(_deb_checks "MANAGERROOT: NetworkManager active"
                    "MANAGERROOT: NetworkManager read /run/NetworkManager/conf.d/70-nfsroot-eth0\\.conf"
                    "MANAGERROOT: NetworkManager left eth0 unmanaged \\(nmcli -t device: .*eth0:unmanaged")
  elseif(_deb_variant STREQUAL "ifupdown")
    # ifupdown with "auto eth0" / "iface eth0 inet dhcp": it would run dhclient on eth0 at boot
    # and release the address at shutdown; ifup -a finds eth0 up as nfsroot-init, ifdown -a runs
    # nothing.
    set(_deb_checks "MANAGERROOT: interfaces\\(5\\) has auto eth0"
                    "MANAGERROOT: networking.service active \\(ifup -a ran\\)"
                    "MANAGERROOT: ifupdown has eth0 up as nfsroot-init"
                    "MANAGERROOT: no dhclient ran on eth0")
  else()
    # No network manager at all (systemd-networkd disabled, nothing installed instead): the
    # lease keeper alone keeps the address.
    set(_deb_checks "MANAGERROOT: no network manager installed")
  endif()
  _nfsroot_debian_boot(debian_${_deb_variant}_root VARIANT ${_deb_variant}
    LAB ${_deb_manager_v4_lab} "--export=${NFSROOT_TEST_DEBIAN_${_deb_upper}_ROOT}"
    SPAN "MANAGERROOT: DONE=>reboot: Power down<=60"
    APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_DEBIAN_${_deb_upper}_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} console=ttyS0 nfsroot-test.lease_hold=70"
    EXPECT ${_deb_manager_v4_expect} ${_deb_checks} ${_deb_manager_end}
    REJECT ${_deb_manager_reject})
endforeach()
# Both over DHCPv6 alone (ip=dhcp6, in the lab's IPv6 network, as boot.debian_networkd_dhcp6:
# dnsmasq's 120 s lease, held 40 s): NetworkManager leaves eth0 unmanaged and ifupdown finds it
# up as nfsroot-init (its stanza has "iface eth0 inet6 dhcp" too: dhclient -6 would take the
# address and release it at shutdown), so neither touches the /128 or the link; /init's lease
# keeper renews the lease under them (dnsmasq logs the RENEW), and the power-off is prompt.
foreach(_deb_variant networkmanager ifupdown)
  string(TOUPPER "${_deb_variant}" _deb_upper)
  if(_deb_variant STREQUAL "networkmanager")
    set(_deb_checks "MANAGERROOT: NetworkManager left eth0 unmanaged \\(nmcli -t device: .*eth0:unmanaged")
  else()
    set(_deb_checks "MANAGERROOT: ifupdown has eth0 up as nfsroot-init" "MANAGERROOT: no dhclient ran on eth0")
  endif()
  _nfsroot_debian_boot(debian_${_deb_variant}_dhcp6 VARIANT ${_deb_variant}
    LAB --ipv6 --dhcp6=0 --lease-time=120 "--client=52:54:00:12:34:56=" --nfs=0
        "--export=${NFSROOT_TEST_DEBIAN_${_deb_upper}_ROOT}"
        "--expect-log=dnsmasq6.log:1:DHCPRENEW\\(br0\\) 00:03:00:01:52:54:00:12:34:56"
    APPEND "ip=dhcp6 root=/dev/nfs ro nfsroot=[fd00:99::1]:${NFSROOT_TEST_DEBIAN_${_deb_upper}_ROOT},${NFSROOT_TEST_NFS3_OPTIONS} console=ttyS0 nfsroot-test.lease_hold=40"
    SPAN "MANAGERROOT: DONE=>reboot: Power down<=60"
    EXPECT "network: eth0 fd00:99::20/128 \\(DHCPv6\\)"
           "lease keeper for eth0: renews the 120 s DHCPv6 lease: the root system does not enable systemd-networkd"
           "eth0: renewed fd00:99::20 from [0-9a-f]+ for 120 s"
           "MANAGERROOT: holding 40 s"
           ${_deb_manager_expect}
           "MANAGERROOT: network eth0 kept fd00:99::20"
           "MANAGERROOT: lease keeper running: .*nfsroot-init keep-lease eth0"
           ${_deb_checks}
           ${_deb_manager_end}
    REJECT ${_deb_manager_reject})
endforeach()
unset(_deb_checks)
# The same two boots with /init's file turned off: the report must catch the manager taking
# the interface (the checks above cannot pass vacuously). The guest is stopped after the report:
# a manager that releases the address at shutdown hangs the power-off on the NFS root.
_nfsroot_debian_boot(debian_networkmanager_file_off_is_caught VARIANT networkmanager NO_EXIT
  APPEND "nfsroot-init.networkmanager=no ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_DEBIAN_NETWORKMANAGER_V3} console=ttyS0"
  EXPECT "no NetworkManager file \\(nfsroot-init.networkmanager=no\\)"
         "MANAGERROOT: FAIL NetworkManager: no \\[device-nfsroot-eth0\\]"
         "MANAGERROOT: FAIL NetworkManager manages eth0: .*eth0:(connected|connecting)"
         "MANAGERROOT: [0-9]+ checks failed"
         "MANAGERROOT: DONE")
# Without the state, ifup -a runs dhclient on the NFS root's interface and the boot never gets
# past networking.service (its 5 min start timeout; the report would come after it).
_nfsroot_debian_boot(debian_ifupdown_state_off_is_caught VARIANT ifupdown NO_EXIT
  APPEND "nfsroot-init.ifupdown=no ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_DEBIAN_IFUPDOWN_V3} console=ttyS0"
  EXPECT "no ifupdown state \\(nfsroot-init.ifupdown=no\\)"
         "Job networking.service/start running \\(1min"
  REJECT "MANAGERROOT: all checks passed")

unset(_deb_here)
unset(_deb_variant)
unset(_deb_upper)
unset(_deb_variant_dir)
unset(_deb_manager_expect)
unset(_deb_manager_end)
unset(_deb_manager_v4_lab)
unset(_deb_manager_v4_expect)
unset(_deb_manager_reject)
unset(_deb_package_args)
unset(_deb_tftp)
unset(_deb_seed_line)
unset(_deb_channel_step)
