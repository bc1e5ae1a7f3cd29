# arm64 and i386 (issue 14): the cross-built glibc /init of that architecture's package
# (build/deb/ARCH/, made by scripts/setup.sh: build-package.sh --arch ARCH, which cross-compiles
# with cmake/toolchains/) boots under Debian's own kernel of that architecture in QEMU (TCG),
# against the same nfs-ganesha fixture, with a test root whose busybox is the guest's (tests,
# labels "boot;arch"):
#
#   boot.<arch>_package_init       unpacks that package (dpkg-deb -x) for its /init: what the
#                                  boots below boot is what the package ships
#   boot.test_root_<arch>          make_test_root.py with .cache/busybox-<arch> (before the server
#                                  starts, which then exports it); boot.test_root_<arch>_untouched
#                                  checks it after the boots
#   boot.arm64_virtio_net          the seed's line over NFSv3 to the test root's /sbin/init (a
#                                  mkinitrd.py initrd: virtio_pci, virtio_net, NFS, overlay), as
#                                  boot.full_boot_nfs3: root mounted, default unions writable,
#                                  /run/net-eth0.conf, the initramfs freed, TESTROOT's checks
#   boot.arm64_mkinitramfs_initrd  the REAL mkinitramfs with our hook for the arm64 kernel, the
#                                  /init taken from the arm64 package, checked
#                                  by mkinitramfs_initrd.py --arch arm64 (every ELF file arm64;
#                                  --shell=none: mkinitramfs would copy the build machine's busybox)
#   boot.arm64_mkinitramfs         that initrd, virtio-net, the seed's line to the test root
#   boot.arm64_usb_net             that initrd with QEMU's USB Ethernet adapter behind qemu-xhci
#                                  (a Raspberry Pi-class board's NIC is on USB): xhci_pci by
#                                  modalias, cdc_ether from the uevent, the boot on usb0
#   boot.<arch>_wrong_export       an export the server does not have: the mount fails and the
#                                  message lists the server's exports, then panic=-1
#   boot.i386_rtl8139              Debian's 686 kernel, QEMU's rtl8139: the seed's line to the
#                                  test root, as boot.arm64_virtio_net
#
# include() this from tests/CMakeLists.txt after boot/nfs_fixture.cmake and ROOT_IS_READY.

if(NOT COMMAND nfsroot_use_nfs_server OR NOT NFSROOT_TEST_ROOT_ARCHES OR NOT ROOT_IS_READY)
  message(WARNING "arch.cmake: include it after boot/nfs_fixture.cmake and ROOT_IS_READY; "
                  "boot.arm64_* and boot.i386_* skipped")
  return()
endif()

set(_arch_dir "${NFSROOT_BOOT_BINARY_DIR}")
foreach(_arch_a IN LISTS NFSROOT_TEST_ROOT_ARCHES)
  string(TOUPPER "${_arch_a}" _arch_u)
  # The package's /init, unpacked by boot.<arch>_package_init: the setup builds the package, which
  # compiles the /init, and nothing else (a second cross build of the same /init cost minutes).
  set(_arch_deb "${PROJECT_BINARY_DIR}/deb/${_arch_a}/nfsroot-init_${PROJECT_VERSION}_${_arch_a}.deb")
  set(_arch_unpacked "${_arch_dir}/${_arch_a}_package")
  set(NFSROOT_CROSS_INIT_${_arch_u} "${_arch_unpacked}/usr/lib/nfsroot-init/nfsroot-init")
  add_test(NAME boot.${_arch_a}_package_init
           COMMAND sh -c [[
             [ -f "$1" ] || { echo "boot.$3_package_init: no $1: build it with scripts/build-package.sh --arch $3 (scripts/setup.sh does)"; exit 1; }
             rm -rf "$2" && dpkg-deb -x "$1" "$2" && file -L "$2/usr/lib/nfsroot-init/nfsroot-init"
           ]] sh "${_arch_deb}" "${_arch_unpacked}" "${_arch_a}")
  set_tests_properties(boot.${_arch_a}_package_init PROPERTIES
    LABELS "boot;arch" TIMEOUT 60 FIXTURES_SETUP nfsroot_${_arch_a}_package)
  set(NFSROOT_TEST_KERNEL_DIR_${_arch_u} "${PROJECT_SOURCE_DIR}/.cache/kernel-${_arch_a}" CACHE PATH
      "The ${_arch_a} test kernel (scripts/fetch-test-kernel.sh DIR ${_arch_a})")
  set(NFSROOT_TEST_BUSYBOX_${_arch_u} "${PROJECT_SOURCE_DIR}/.cache/busybox-${_arch_a}/bin/busybox" CACHE FILEPATH
      "The ${_arch_a} static busybox of its test root (scripts/fetch-test-busybox.sh DIR ${_arch_a})")

  # The test root, built before the server starts (DEPENDS orders without requiring: the amd64
  # boots do not need it), and checked after the boots that use it.
  set(_arch_root "${NFSROOT_TEST_ROOT_${_arch_u}}")
  add_test(NAME boot.test_root_${_arch_a}
           COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/make_test_root.py"
                   "--output=${_arch_root}" "--busybox=${NFSROOT_TEST_BUSYBOX_${_arch_u}}"
                   "--applets-from=${NFSROOT_BUSYBOX}")
  add_test(NAME boot.test_root_${_arch_a}_untouched
           COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/make_test_root.py" --check "${_arch_root}")
  set_tests_properties(boot.test_root_${_arch_a} PROPERTIES
    LABELS "boot;arch" TIMEOUT 60 FIXTURES_SETUP nfs_test_root_${_arch_a})
  set_tests_properties(boot.test_root_${_arch_a}_untouched PROPERTIES
    LABELS "boot;arch" TIMEOUT 60 FIXTURES_CLEANUP nfs_test_root_${_arch_a})
  set_property(TEST boot.nfs_server_start APPEND PROPERTY DEPENDS boot.test_root_${_arch_a})
endforeach()

# nfsroot_add_arch_boot_test(<name> ARCH <arch> INITRD <file> [INITRD_STEPS <var>] [NIC <model>]
#     APPEND <line> EXPECT <regex>... [REJECT <regex>...] [FIXTURES <fixture>...])
# boot.<name>: <var>'s steps (building INITRD; none when a fixture builds it), then qemu_boot.py
# --arch <arch> under that architecture's kernel with its /init, against the NFS server and the
# architecture's test root.
function(nfsroot_add_arch_boot_test name)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "ARCH;INITRD;INITRD_STEPS;NIC;APPEND" "EXPECT;REJECT;FIXTURES")
  if(A_UNPARSED_ARGUMENTS OR NOT A_ARCH OR NOT A_INITRD OR NOT A_APPEND OR NOT A_EXPECT)
    message(FATAL_ERROR "nfsroot_add_arch_boot_test(${name}): needs ARCH, INITRD, APPEND and EXPECT; "
                        "unknown arguments: ${A_UNPARSED_ARGUMENTS}")
  endif()
  string(TOUPPER "${A_ARCH}" upper)
  set(boot "${NFSROOT_PYTHON3}" "${NFSROOT_BOOT_SOURCE_DIR}/qemu_boot.py" "--arch=${A_ARCH}"
      "--initrd=${A_INITRD}" "--log=${NFSROOT_BOOT_BINARY_DIR}/${name}.console.log"
      "--append=${A_APPEND}" "--timeout=120")
  if(A_NIC)
    list(APPEND boot "--nic=${A_NIC}")
  endif()
  foreach(e IN LISTS A_EXPECT)
    list(APPEND boot "--expect=${e}")
  endforeach()
  foreach(e IN LISTS A_REJECT)
    list(APPEND boot "--reject=${e}")
  endforeach()
  set(steps "")
  if(A_INITRD_STEPS)
    set(steps "${${A_INITRD_STEPS}}")
  endif()
  nfsroot_boot_step(steps FAIL "boot.${name} failed" COMMAND ${boot} AT_TEST_TIME [[--kernel=${kernel}]])
  nfsroot_add_scripted_boot_test("${name}" INIT "${NFSROOT_CROSS_INIT_${upper}}" TIMEOUT 180 STEPS steps
                                 KERNEL_DIR "${NFSROOT_TEST_KERNEL_DIR_${upper}}")
  set_tests_properties("boot.${name}" PROPERTIES LABELS "boot;arch")
  set_property(TEST "boot.${name}" APPEND PROPERTY FIXTURES_REQUIRED nfs_test_root_${A_ARCH} nfsroot_${A_ARCH}_package
                                                                    ${A_FIXTURES})
  nfsroot_use_nfs_server("boot.${name}")
endfunction()

set(_arch_modules_arm64 virtio_pci virtio_net nfsv3 nfsv4 overlay)
set(_arch_modules_i386 8139cp 8139too nfsv3 nfsv4 overlay)
set(_arch_console_arm64 ttyAMA0)
set(_arch_console_i386 ttyS0)

# The seed's line to the test root (as boot.full_boot_nfs3): arm64 on virtio-net, i386 on rtl8139.
foreach(_arch_case arm64_virtio_net:arm64 i386_rtl8139:i386)
  string(REPLACE ":" ";" _arch_case "${_arch_case}")
  list(GET _arch_case 0 _arch_name)
  list(GET _arch_case 1 _arch_a)
  string(TOUPPER "${_arch_a}" _arch_u)
  set(_arch_steps "")
  nfsroot_mkinitrd_step(_arch_steps ${_arch_name} "${_arch_dir}/${_arch_name}.initrd.img"
                        MODULES ${_arch_modules_${_arch_a}} ARCH ${_arch_a})
  nfsroot_add_arch_boot_test(${_arch_name} ARCH ${_arch_a} INITRD "${_arch_dir}/${_arch_name}.initrd.img"
    INITRD_STEPS _arch_steps
    APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_${_arch_u}_V3} console=${_arch_console_${_arch_a}}"
    EXPECT "root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_ROOT_${_arch_u}} on /root in [0-9]+ ms"
           "union /var overlay on tmpfs 128M \\(built-in default\\)"
           "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
           "TESTROOT: pid=1" ${ROOT_IS_READY}
    REJECT "TESTROOT: FAIL" "warning:")
endforeach()

# A wrong export path on each architecture: the server's export list in the failure message.
foreach(_arch_a arm64 i386)
  set(_arch_name ${_arch_a}_wrong_export)
  set(_arch_steps "")
  nfsroot_mkinitrd_step(_arch_steps ${_arch_name} "${_arch_dir}/${_arch_name}.initrd.img"
                        MODULES ${_arch_modules_${_arch_a}} ARCH ${_arch_a})
  nfsroot_add_arch_boot_test(${_arch_name} ARCH ${_arch_a} INITRD "${_arch_dir}/${_arch_name}.initrd.img"
    INITRD_STEPS _arch_steps
    APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:/no/such/export,${NFSROOT_TEST_NFS3_OPTIONS} panic=-1 console=${_arch_console_${_arch_a}}"
    EXPECT "root failed: mount nfs 10\\.0\\.2\\.2:/no/such/export -o .*: Permission denied \\(errno 13\\). 10\\.0\\.2\\.2 does not export /no/such/export: check nfsroot= or the DHCP root-path. the server exports: ${NFSROOT_TEST_ROOT} .* the server's rpcbind lists: NFS v3 v4 on tcp 20490. MOUNT v1 v3 on tcp 20048"
           "rebooting now")
endforeach()

# The real mkinitramfs for the arm64 kernel, with the arm64 package's /init (the hook's default
# NFSROOT_INIT_BINARY on an arm64 image): built and checked once, then booted on virtio-net and
# on USB Ethernet.
set(_arch_initrd "${_arch_dir}/arm64_mkinitramfs.initrd.img")
set(_arch_steps "")
nfsroot_boot_step(_arch_steps
  FAIL "boot.arm64_mkinitramfs_initrd: mkinitramfs_initrd.py failed (needs root and initramfs-tools)"
  COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/mkinitramfs_initrd.py" "--output=${_arch_initrd}"
          "--init=${NFSROOT_CROSS_INIT_ARM64}" "--kernel-dir=${NFSROOT_TEST_KERNEL_DIR_ARM64}" "--arch=arm64" "--shell=none" "--nics=small"
          "--hook=${PROJECT_SOURCE_DIR}/initramfs-hook/hooks/nfsroot-init"
          "--overlays=${PROJECT_SOURCE_DIR}/initramfs-hook/overlays")
nfsroot_add_scripted_boot_test(arm64_mkinitramfs_initrd INIT "${NFSROOT_CROSS_INIT_ARM64}" TIMEOUT 180
                               STEPS _arch_steps KERNEL_DIR "${NFSROOT_TEST_KERNEL_DIR_ARM64}")
set_tests_properties(boot.arm64_mkinitramfs_initrd PROPERTIES LABELS "boot;arch"
                     FIXTURES_SETUP nfsroot_arm64_mkinitramfs_initrd FIXTURES_REQUIRED nfsroot_arm64_package)

nfsroot_add_arch_boot_test(arm64_mkinitramfs ARCH arm64 INITRD "${_arch_initrd}"
  FIXTURES nfsroot_arm64_mkinitramfs_initrd
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_ARM64_V3} console=ttyAMA0"
  EXPECT "root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_ROOT_ARM64} on /root in [0-9]+ ms"
         "loaded .*virtio_pci \\([0-9.]+ ms\\).* virtio_net \\([0-9.]+ ms\\)"
         "union /var overlay on tmpfs 128M \\(/etc/nfsroot-init/overlays:[0-9]+\\)"
         "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
         "TESTROOT: pid=1" ${ROOT_IS_READY}
  REJECT "TESTROOT: FAIL" "warning:")

# The USB adapter's interface is usb0 (cdc_ether names a locally administered MAC so).
string(REPLACE "/run/net-eth0\\.conf" "/run/net-usb0\\.conf" _arch_ready "${ROOT_IS_READY}")
string(REPLACE "/run/net-eth0.conf" "/run/net-usb0\\.conf" _arch_ready "${_arch_ready}")
nfsroot_add_arch_boot_test(arm64_usb_net ARCH arm64 INITRD "${_arch_initrd}" NIC usb-net
  FIXTURES nfsroot_arm64_mkinitramfs_initrd
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_ARM64_V3} console=ttyAMA0"
  EXPECT "loaded .*xhci_hcd \\([0-9.]+ ms\\), xhci_pci \\([0-9.]+ ms\\)"
         "hotplug: loaded .*usbnet \\([0-9.]+ ms\\), cdc_ether \\([0-9.]+ ms\\)"
         "hotplug: interface usb0 appeared [0-9]+ ms after xhci_pci loaded"
         "network: usb0 10\\.0\\.2\\.15/24 \\(dhcp\\)"
         "root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_ROOT_ARM64} on /root in [0-9]+ ms"
         "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
         "TESTROOT: pid=1" ${_arch_ready}
  REJECT "TESTROOT: FAIL" "warning:" "waiting for carrier")

foreach(v a u root dir modules_arm64 modules_i386 console_arm64 console_i386 case name steps deb unpacked
          initrd ready)
  unset(_arch_${v})
endforeach()
