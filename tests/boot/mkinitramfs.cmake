# boot.full_boot_mkinitramfs: the initramfs-tools hook for real. The REAL mkinitramfs (-d with a
# generated conf dir, our hook with its defaults, MODULES=list, BUSYBOX=y, zstd, a made-up
# /lib/firmware) builds an initrd for the test kernel (tests/boot/mkinitramfs_initrd.py, in a
# private mount namespace; it checks what is in and what was pruned), which then boots with
# the seed's line against the nfs-ganesha fixture to the test root's /sbin/init, as
# boot.full_boot_nfs3 does; boot.mkinitramfs_all the same with NFSROOT_INIT_NICS=all. The
# test's output shows the initrd's compressed size and how long mkinitramfs took.
#
# include() this from tests/CMakeLists.txt inside the boot block, after
# include(boot/nfs_fixture.cmake) (it uses NFSROOT_TEST_* and nfsroot_use_nfs_server). Needs
# root and initramfs-tools (apt-get install --no-install-recommends initramfs-tools: with
# recommends it replaces busybox-static).

if(NOT COMMAND nfsroot_use_nfs_server OR NOT NFSROOT_TEST_NFSROOT_V3 OR NOT ROOT_IS_READY
   OR NOT TARGET nfsroot-init)
  message(WARNING "mkinitramfs.cmake: include it after boot/nfs_fixture.cmake and ROOT_IS_READY, with the "
                  "nfsroot-init target; boot.full_boot_mkinitramfs skipped")
  return()
endif()

find_program(NFSROOT_MKINITRAMFS NAMES mkinitramfs PATHS /usr/sbin /sbin)
if(NOT NFSROOT_MKINITRAMFS)
  message(WARNING "mkinitramfs not found: boot.full_boot_mkinitramfs will fail; "
                  "apt-get install --no-install-recommends initramfs-tools")
endif()

set(_mki_dir "${NFSROOT_BOOT_BINARY_DIR}")
set(_mki_timeout 150)
set(_mki_expect
    "root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_ROOT} on /root in [0-9]+ ms"
    "union /var overlay on tmpfs 128M \\(/etc/nfsroot-init/overlays:[0-9]+\\)"
    "hand-off: freed the initramfs .* exec /sbin/init after [0-9]+ ms"
    "TESTROOT: pid=1")
list(APPEND _mki_expect ${ROOT_IS_READY})

# full_boot_mkinitramfs: the hook's defaults (NFSROOT_INIT_NICS=small), at most 3.5 MiB (issue
# 13's goal); mkinitramfs_all: every NIC driver (bnx2's firmware taken, the rest pruned), so
# coldplug also runs over the full drivers/net alias index; mkinitramfs_rtl_nfs3: the smallest
# set, the seed's Realtek NICs by name, NFSv3 only, no shell, at most 1.2 MiB (issue 13's goal).
# Each with the project's conf-hook (zstd -19), as the package installs it.
set(_mki_args_full_boot_mkinitramfs "--nics=small" "--max-mib=3.5")
set(_mki_args_mkinitramfs_all "--nics=all")
set(_mki_args_mkinitramfs_rtl_nfs3 "--nics=r8169 8139cp 8139too" "--nfs=3" "--shell=none" "--max-mib=1.2")
foreach(_mki_name full_boot_mkinitramfs mkinitramfs_all mkinitramfs_rtl_nfs3)
  set(_mki_mk "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/mkinitramfs_initrd.py"
      "--output=${_mki_dir}/${_mki_name}.initrd.img" "--kernel-dir=${NFSROOT_TEST_KERNEL_DIR}"
      "--hook=${PROJECT_SOURCE_DIR}/initramfs-hook/hooks/nfsroot-init"
      "--conf-hook=${PROJECT_SOURCE_DIR}/initramfs-hook/conf-hooks.d/nfsroot-init"
      "--overlays=${PROJECT_SOURCE_DIR}/initramfs-hook/overlays" "--fake-firmware"
      ${_mki_args_${_mki_name}})
  set(_mki_boot "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/qemu_boot.py"
      "--initrd=${_mki_dir}/${_mki_name}.initrd.img" "--log=${_mki_dir}/${_mki_name}.console.log"
      "--append=ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_V3} console=ttyS0"
      "--timeout=${_mki_timeout}")
  foreach(e IN LISTS _mki_expect)
    list(APPEND _mki_boot "--expect=${e}")
  endforeach()
  list(APPEND _mki_boot "--reject=TESTROOT: FAIL" "--reject=warning:")
  set(_mki_steps "")
  nfsroot_boot_step(_mki_steps
    FAIL "boot.${_mki_name}: mkinitramfs_initrd.py failed (needs root and initramfs-tools: \
apt-get install --no-install-recommends initramfs-tools)"
    COMMAND ${_mki_mk} AT_TEST_TIME [[--init=${INIT}]])
  nfsroot_boot_step(_mki_steps FAIL "boot.${_mki_name} failed"
    COMMAND ${_mki_boot} AT_TEST_TIME [[--kernel=${kernel}]])
  if(_mki_name STREQUAL "mkinitramfs_rtl_nfs3")
    # The same initrd in image mode, copied to RAM: the hook's loop and squashfs
    # (NFSROOT_INIT_IMAGE's default) loop-mount the test images' squashfs channel, and its
    # af_alg and algif_hash check the copy's SHA-256.
    nfsroot_boot_step(_mki_steps FAIL "boot.${_mki_name}: the image-mode boot with the hook's initrd failed"
      COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/qemu_boot.py"
              "--initrd=${_mki_dir}/${_mki_name}.initrd.img" "--log=${_mki_dir}/${_mki_name}.image.console.log"
              "--append=ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=channels/busybox nfsroot-init.toram console=ttyS0"
              "--timeout=${_mki_timeout}"
              "--expect=image modules: loaded loop \\([0-9.]+ ms\\)"
              "--expect=root: image v1\\.squashfs \\(squashfs, [0-9]+ KiB, current of channel channels/busybox\\) from 10\\.0\\.2\\.2:${NFSROOT_TEST_IMAGES}, copied to RAM in [0-9]+ ms \\(SHA-256 checked\\), on /dev/loop[0-9]+, mounted read-only on /root"
              "--expect=TESTROOT: root-fs=squashfs ro" "--expect=TESTROOT: pid=1"
              "--reject=TESTROOT: FAIL" "--reject=warning:"
      AT_TEST_TIME [[--kernel=${kernel}]])
  endif()
  math(EXPR _mki_ctest_timeout "${_mki_timeout} + 120")  # mkinitramfs takes ~10-20 s, the check more
  if(_mki_name STREQUAL "mkinitramfs_rtl_nfs3")
    math(EXPR _mki_ctest_timeout "${_mki_ctest_timeout} + ${_mki_timeout}")  # and the image boot
  endif()
  nfsroot_add_scripted_boot_test("${_mki_name}" INIT "$<TARGET_FILE:${NFSROOT_RELEASE_INIT}>"
                                 TIMEOUT ${_mki_ctest_timeout} STEPS _mki_steps)
  nfsroot_use_nfs_server("boot.${_mki_name}")
endforeach()

foreach(v name dir timeout expect mk boot steps ctest_timeout args_full_boot_mkinitramfs
        args_mkinitramfs_all args_mkinitramfs_rtl_nfs3)
  unset(_mki_${v})
endforeach()
