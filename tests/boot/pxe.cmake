# boot.pxe_chain: the whole chain the seed describes, under QEMU. Firmware PXE (iPXE, package
# ipxe-qemu) takes a lease from QEMU's DHCP server and pxelinux.0 from its TFTP server
# (-boot n, -netdev user,tftp=DIR,bootfile=pxelinux.0); pxelinux (packages pxelinux and
# syslinux-common) reads pxelinux.cfg/01-52-54-00-12-34-56 in the seed's format and loads
# vmlinuz and initrd.img, our minimal initrd (mkinitrd.py, as the full boots build it); /init
# then mounts the nfs-ganesha fixture's test root with the seed's append line and execs its
# /sbin/init. tests/boot/make_tftp_root.py builds DIR (build/tests/boot/pxe_chain.tftp/).
#
# include() this from tests/CMakeLists.txt inside the boot block, after
# include(boot/nfs_fixture.cmake) (it uses NFSROOT_TEST_*, ROOT_IS_READY and
# nfsroot_use_nfs_server).

if(NOT COMMAND nfsroot_use_nfs_server OR NOT NFSROOT_TEST_NFSROOT_V3 OR NOT ROOT_IS_READY
   OR NOT FULL_BOOT_MODULES OR NOT TARGET nfsroot-init)
  message(WARNING "pxe.cmake: include it after boot/nfs_fixture.cmake and ROOT_IS_READY, "
                  "FULL_BOOT_MODULES, with the nfsroot-init target; boot.pxe_chain skipped")
  return()
endif()

foreach(_pxe_file /usr/lib/PXELINUX/pxelinux.0:pxelinux
                  /usr/lib/syslinux/modules/bios/ldlinux.c32:syslinux-common
                  /usr/lib/ipxe/qemu/pxe-rtl8139.rom:ipxe-qemu)
  string(REPLACE ":" ";" _pxe_file "${_pxe_file}")
  list(GET _pxe_file 0 _pxe_path)
  list(GET _pxe_file 1 _pxe_package)
  if(NOT EXISTS "${_pxe_path}")
    message(WARNING "${_pxe_path} not found: boot.pxe_chain will fail; "
                    "apt-get install ${_pxe_package}")
  endif()
endforeach()

set(_pxe_name pxe_chain)
set(_pxe_dir "${NFSROOT_BOOT_BINARY_DIR}")
set(_pxe_initrd "${_pxe_dir}/${_pxe_name}.initrd.img")
set(_pxe_tftp "${_pxe_dir}/${_pxe_name}.tftp")
set(_pxe_mac 52:54:00:12:34:56)  # QEMU's default, given explicitly: it names the config file
set(_pxe_timeout 150)
set(_pxe_append "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_V3} console=ttyS0")
# The kernel's first line shows what pxelinux passed: BOOT_IMAGE= before, initrd= after ours.
string(REGEX REPLACE "([][.*+?^$()|{}\\\\])" "\\\\\\1" _pxe_append_re "${_pxe_append}")

set(_pxe_expect
    "PXELINUX [0-9.]+ PXE"
    "Loading vmlinuz\\.\\.\\. ?ok"
    "Loading initrd\\.img\\.\\.\\. ?ok"
    "Command line: BOOT_IMAGE=vmlinuz ${_pxe_append_re} initrd=initrd\\.img"
    "nfsroot-init: \\[\\+[0-9.]+\\] nfsroot-init ${PROJECT_VERSION} running as PID 1"
    "root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_ROOT} on /root in [0-9]+ ms"
    "union /var overlay on tmpfs 128M \\(built-in default\\)"
    "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
    "TESTROOT: pid=1")
list(APPEND _pxe_expect ${ROOT_IS_READY})
set(_pxe_steps "")
nfsroot_mkinitrd_step(_pxe_steps "${_pxe_name}" "${_pxe_initrd}" ${FULL_BOOT_MODULES})
nfsroot_boot_step(_pxe_steps
  FAIL "boot.${_pxe_name}: make_tftp_root.py failed (apt-get install pxelinux syslinux-common)"
  COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/make_tftp_root.py"
          "--output=${_pxe_tftp}" "--initrd=${_pxe_initrd}" "--append=${_pxe_append}"
          "--mac=${_pxe_mac}" --label=playground
  AT_TEST_TIME [[--kernel=${kernel}]])
set(_pxe_boot "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/qemu_boot.py"
    "--pxe=${_pxe_tftp}" "--mac=${_pxe_mac}" "--log=${_pxe_dir}/${_pxe_name}.console.log"
    "--timeout=${_pxe_timeout}")
foreach(e IN LISTS _pxe_expect)
  list(APPEND _pxe_boot "--expect=${e}")
endforeach()
list(APPEND _pxe_boot "--reject=TESTROOT: FAIL" "--reject=warning:")
nfsroot_boot_step(_pxe_steps FAIL "boot.${_pxe_name} failed" COMMAND ${_pxe_boot})
math(EXPR _pxe_ctest_timeout "${_pxe_timeout} + 60")  # room for the initrd and QEMU's start
nfsroot_add_scripted_boot_test("${_pxe_name}" INIT "$<TARGET_FILE:${NFSROOT_RELEASE_INIT}>"
                               TIMEOUT ${_pxe_ctest_timeout} STEPS _pxe_steps)
nfsroot_use_nfs_server("boot.${_pxe_name}")

foreach(v file path package name dir initrd tftp mac timeout append append_re expect
          steps boot ctest_timeout)
  unset(_pxe_${v})
endforeach()
