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
         "root: the export reads ahead 1024 KiB \\(/sys/class/bdi/0:[0-9]+/read_ahead_kb\\)"
         "TESTROOT: root-fs=squashfs ro" "TESTROOT: image-export=10\\.0\\.2\\.2:${NFSROOT_TEST_IMAGES} nfs"
         "TESTROOT: image-export-readahead=1024"
         ${_img_ready}
  REJECT "TESTROOT: FAIL" "warning:"
  TIMEOUT 150)

# An EROFS file named directly, over NFSv4.2 through the pseudo root.
nfsroot_add_boot_test(image_erofs_nfs4
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:/images,${NFSROOT_TEST_NFS4_OPTIONS} nfsroot-init.image=busybox-v1.erofs nfsroot-init.image_readahead=2048 console=ttyS0"
  ${_img_modules}
  EXPECT "root: image busybox-v1\\.erofs \\(erofs, [0-9]+ KiB\\) from 10\\.0\\.2\\.2:/images, on /dev/loop[0-9]+, mounted read-only on /root"
         "root: the export reads ahead 2048 KiB \\(/sys/class/bdi/0:[0-9]+/read_ahead_kb\\)"
         "TESTROOT: root-fs=erofs ro" "TESTROOT: image-export=10\\.0\\.2\\.2:/images nfs4"
         "TESTROOT: image-export-readahead=2048"
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
         "TESTROOT: image-export-readahead=128"
         ${_img_ready}
  REJECT "TESTROOT: FAIL" "warning:" "reads ahead"
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

# Copy to RAM (nfsroot-init.toram): the kernel's SHA-256 needs af_alg and algif_hash.
set(_img_toram_modules ${_img_modules} af_alg algif_hash)

# The channel's version copied into RAM and checked against its .sha256; the export unmounted.
# In the test's own network (netns_lab.py), the server is stopped once the root's init waits for
# that; the client then reads files nothing had opened (their md5sums checked) with no NFS mount.
nfsroot_add_boot_test(lab_image_toram_server_stopped
  LAB --dhcpd=0 --nfs=0 "--export=${NFSROOT_TEST_IMAGES}"
      "--nfs-stop=/TESTROOT: waiting for the server to stop/+0"
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.99.0.1:${NFSROOT_TEST_IMAGES} nfsroot-init.image=channels/busybox nfsroot-init.toram nfsroot-test.server_gone=10.99.0.1:20490 panic=-1 console=ttyS0"
  ${_img_toram_modules}
  EXPECT "copied to RAM first \\(nfsroot-init\\.toram\\)"
         "root: copying v1\\.squashfs to RAM: [0-9]+ of [0-9]+ MiB \\(100%\\)"
         "root: image v1\\.squashfs \\(squashfs, [0-9]+ KiB, current of channel channels/busybox\\) from 10\\.99\\.0\\.1:${NFSROOT_TEST_IMAGES}, copied to RAM in [0-9]+ ms \\(SHA-256 checked\\), on /dev/loop[0-9]+, mounted read-only on /root"
         "root: unmounted 10\\.99\\.0\\.1:${NFSROOT_TEST_IMAGES}: the client no longer needs the server"
         "TESTROOT: root-fs=squashfs ro" ${_img_ready}
         "TESTROOT: timings: plan [0-9]+ drivers [0-9]+ network [0-9]+ root\\.nfs [0-9]+ root\\.copy [0-9]+ root [0-9]+ unions [0-9]+ hand-off [0-9]+"
         "TESTROOT: waiting for the server to stop" "TESTROOT: no NFS mount left"
         "TESTROOT: read 8 unopened files after the server stopped"
  REJECT "TESTROOT: FAIL" "warning:" "rebooting"
  TIMEOUT 200)
set_tests_properties(boot.lab_image_toram_server_stopped PROPERTIES FIXTURES_REQUIRED nfs_test_root
                     LABELS "boot;image_mode;fault_matrix")

# A version whose .sha256 does not match: caught while copying, named with the fix.
nfsroot_add_boot_test(image_toram_bad_checksum
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=badsum nfsroot-init.toram panic=-1 console=ttyS0"
  ${_img_toram_modules}
  EXPECT "root failed: image root: nfsroot-init\\.toram: copy to RAM of /run/nfsroot-init/image/badsum/v1\\.squashfs: its SHA-256 is [0-9a-f]{64}, but v1\\.squashfs\\.sha256 says 0{63}1. the file was damaged on the server's disk or in transit"
         "rebooting now"
  REJECT "TESTROOT:" "root: image"
  TIMEOUT 120)

# An image larger than the client's RAM (a sparse 16 GiB file): refused before any copying.
nfsroot_add_boot_test(image_toram_too_large
  APPEND "ip=dhcp root=/dev/nfs ro nfsroot=10.0.2.2:${NFSROOT_TEST_IMAGES},${NFSROOT_TEST_NFS3_OPTIONS} nfsroot-init.image=huge.squashfs rd.live.ram=1 panic=-1 console=ttyS0"
  ${_img_toram_modules}
  EXPECT "root failed: image root: rd\\.live\\.ram: copy to RAM of /run/nfsroot-init/image/huge\\.squashfs: its 16384 MiB do not fit: [0-9]+ MiB of [0-9]+ MiB RAM available, of which 64 MiB must stay free for the root system. give the client more RAM"
         "rebooting now"
  REJECT "TESTROOT:" "copying huge"
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
                       boot.image_missing_version boot.image_wrong_magic boot.image_upgrade
                       boot.image_toram_bad_checksum boot.image_toram_too_large)
set_property(TEST boot.image_squashfs_channel boot.image_erofs_nfs4 boot.image_dracut_live
                  boot.image_missing_version boot.image_wrong_magic boot.image_upgrade
                  boot.image_toram_bad_checksum boot.image_toram_too_large
             APPEND PROPERTY LABELS image_mode)

unset(_img_modules)
unset(_img_toram_modules)
unset(_img_ready)
unset(_img_initrd)
unset(_img_steps)
