# Image mode (issue 12): the root is a squashfs or EROFS file on the NFS export, loop-mounted
# read-only, with the usual unions over it. The export (NFSROOT_TEST_IMAGES) is made by
# boot.test_images from the test root; include this after boot/nfs_fixture.cmake.
if(NOT COMMAND nfsroot_use_nfs_server OR NOT NFSROOT_TEST_IMAGES OR NOT ROOT_IS_READY)
  message(WARNING "image.cmake: include it after nfs_fixture.cmake and ROOT_IS_READY; image boots skipped")
  return()
endif()

# erofs needs libcrc32c, whose softdep "pre: crc32c" is crc32c_generic (modules.alias): libcrc32c's
# init fails with ENOENT without it.
set(_img_modules MODULES 8139cp 8139too nfsv3 nfsv4 overlay loop squashfs erofs crc32c_generic)
# What every image boot that reaches the root shows: ROOT_IS_READY with the image's type.
set(_img_ready ${ROOT_IS_READY})
list(REMOVE_ITEM _img_ready "TESTROOT: root-fs=nfs ro")

# A channel over NFSv3: current names v1.squashfs; the export stays mounted under /run.
nfsroot_add_boot_test(image_squashfs_channel
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=channels/busybox console=ttyS0"
  ${_img_modules}
  EXPECT "image: channels/busybox in the export"
         "root: mounted 10\\.0\\.2\\.2:${NFSROOT_TEST_IMAGES} on /run/nfsroot-init/image in [0-9]+ ms"
         "root: image v1\\.squashfs \\(squashfs, [0-9]+ KiB, current of channel channels/busybox\\) from 10\\.0\\.2\\.2:${NFSROOT_TEST_IMAGES}, on /dev/loop[0-9]+, mounted read-only on /root"
         "union /var overlay on tmpfs 128M \\(built-in default\\)"
         "TESTROOT: root-fs=squashfs ro" "TESTROOT: image-export=10\\.0\\.2\\.2:${NFSROOT_TEST_IMAGES} nfs"
         ${_img_ready}
  REJECT "TESTROOT: FAIL" "warning:"
  TIMEOUT 150)

# An EROFS file named directly, over NFSv4.2 through the pseudo root.
nfsroot_add_boot_test(image_erofs_nfs4
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:/images,${NFSROOT_TEST_NFS4_OPTIONS} nfsroot-init.image=busybox-v1.erofs console=ttyS0"
  ${_img_modules}
  EXPECT "root: image busybox-v1\\.erofs \\(erofs, [0-9]+ KiB\\) from 10\\.0\\.2\\.2:/images, on /dev/loop[0-9]+, mounted read-only on /root"
         "TESTROOT: root-fs=erofs ro" "TESTROOT: image-export=10\\.0\\.2\\.2:/images nfs4"
         ${_img_ready}
  REJECT "TESTROOT: FAIL" "warning:"
  TIMEOUT 150)

# dracut's livenet form: root=live:nfs4://SERVER:PORT/DIR/FILE mounts DIR, then the image FILE.
nfsroot_add_boot_test(image_dracut_live
  APPEND "ip=dhcp root=live:nfs4://10.0.2.2:${NFSROOT_TEST_NFS_PORT}/images/busybox-v1.erofs console=ttyS0"
  ${_img_modules}
  EXPECT "root: 10\\.0\\.2\\.2:/images \\(server from root=live:, path from command line, version from root=live:nfs4://\\)"
         "root: mounted 10\\.0\\.2\\.2:/images on /run/nfsroot-init/image in [0-9]+ ms"
         "root: image busybox-v1\\.erofs \\(erofs, [0-9]+ KiB\\) from 10\\.0\\.2\\.2:/images, on /dev/loop[0-9]+, mounted read-only on /root"
         "TESTROOT: root-fs=erofs ro" "TESTROOT: image-export=10\\.0\\.2\\.2:/images nfs4"
         ${_img_ready}
  REJECT "TESTROOT: FAIL" "warning:"
  TIMEOUT 150)

# A channel whose current names a version that is not there: the file, the name, the fix.
nfsroot_add_boot_test(image_missing_version
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=broken panic=-1 console=ttyS0"
  ${_img_modules}
  EXPECT "root failed: image root: lstat /run/nfsroot-init/image/broken/v9\\.squashfs: No such file or directory \\(errno 2\\). /run/nfsroot-init/image/broken/current names v9\\.squashfs, which is not in the channel"
         "rebooting now"
  REJECT "TESTROOT:"
  TIMEOUT 120)

# A file with an image's name that is not one.
nfsroot_add_boot_test(image_wrong_magic
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=not-an-image.squashfs panic=-1 console=ttyS0"
  ${_img_modules}
  EXPECT "root failed: image root: /run/nfsroot-init/image/not-an-image\\.squashfs .*not a squashfs or EROFS image"
         "rebooting now"
  REJECT "TESTROOT:"
  TIMEOUT 120)

# An upgrade under a running client and a rollback, with the real nfsroot-image
# (tests/boot/image_upgrade.py): A reads through the switch to version 2, B boots version 2,
# C version 1 after the rollback. Three boots and two builds.
set(_img_initrd "${NFSROOT_BOOT_BINARY_DIR}/image_upgrade.initrd.img")
set(_img_steps "")
nfsroot_mkinitrd_step(_img_steps image_upgrade "${_img_initrd}"
                      MODULES 8139cp 8139too nfsv3 nfsv4 overlay loop squashfs erofs crc32c_generic)
nfsroot_boot_step(_img_steps FAIL "boot.image_upgrade failed"
  COMMAND "${NFSROOT_PYTHON3}" "${CMAKE_CURRENT_LIST_DIR}/image_upgrade.py"
          "--tool=${PROJECT_SOURCE_DIR}/image-tool/nfsroot-image" "--root=${NFSROOT_TEST_ROOT}"
          "--images=${NFSROOT_TEST_IMAGES}" "--export=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS}"
          "--initrd=${_img_initrd}" "--logdir=${NFSROOT_BOOT_BINARY_DIR}" "--timeout=150"
  AT_TEST_TIME [[--kernel=${kernel}]])
nfsroot_add_scripted_boot_test(image_upgrade INIT "$<TARGET_FILE:${NFSROOT_RELEASE_INIT}>" TIMEOUT 700
                               STEPS _img_steps)

nfsroot_use_nfs_server(boot.image_squashfs_channel boot.image_erofs_nfs4 boot.image_dracut_live
                       boot.image_missing_version boot.image_wrong_magic boot.image_upgrade)
set_property(TEST boot.image_squashfs_channel boot.image_erofs_nfs4 boot.image_dracut_live
                  boot.image_missing_version boot.image_wrong_magic boot.image_upgrade
             APPEND PROPERTY LABELS image_mode)

unset(_img_modules)
unset(_img_ready)
unset(_img_initrd)
unset(_img_steps)
