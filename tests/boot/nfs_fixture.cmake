# The boot tests' NFS root: the test root images and nfs-ganesha as CTest fixtures.
# include() this from tests/CMakeLists.txt after add_subdirectory(boot); see make_test_root.py
# and nfs_server.py beside it. Needs root at test time, and the packages nfs-ganesha,
# nfs-ganesha-vfs, rpcbind and busybox-static.
#
# Tests (label "boot"):
#   boot.test_root              FIXTURES_SETUP nfs_test_root: builds NFSROOT_TEST_ROOT and
#                               NFSROOT_TEST_ROOT_SEED (fast; nothing to do when up to date)
#   boot.nfs_server_start       FIXTURES_SETUP nfs_server: rpcbind (if none runs) + ganesha on
#                               127.0.0.1, both roots exported read-only, NFSv3 + NFSv4.x
#   boot.nfs_server_stop        FIXTURES_CLEANUP nfs_server
#   boot.test_root_untouched    FIXTURES_CLEANUP nfs_test_root: the images still match their
#                               manifests after every boot
# start and stop hold RESOURCE_LOCK ${NFSROOT_NFS_SERVER_LOCK}; give that lock to any other
# test that binds 127.0.0.1:111, 20490 or 20048.
#
# A boot test that needs the server:
#   nfsroot_use_nfs_server(boot.NAME ...)   # FIXTURES_REQUIRED "nfs_server;nfs_test_root"
#
# Values for APPEND lines (QEMU's user network shows the host's 127.0.0.1 as 10.0.2.2):
#   NFSROOT_TEST_SERVER            10.0.2.2
#   NFSROOT_TEST_NFS_PORT          20490 (NFS; v4 needs port= since it asks no portmapper)
#   NFSROOT_TEST_MOUNT_PORT        20048 (MOUNT v3; v3 also finds both through rpcbind on :111)
#   NFSROOT_TEST_ROOT              the test root's absolute real path = its NFSv3 export path
#   NFSROOT_TEST_ROOT_PSEUDO       /testroot, its NFSv4 path
#   NFSROOT_TEST_ROOT_SEED         the seed-layout root (/var -> /aufs/var/mount), NFSv3 path
#   NFSROOT_TEST_ROOT_SEED_PSEUDO  /testroot-seed, its NFSv4 path
#   NFSROOT_TEST_NFS3_OPTIONS      port=20490,mountport=20048
#   NFSROOT_TEST_NFS4_OPTIONS      vers=4.2,port=20490
#   NFSROOT_TEST_NFSROOT_V3        10.0.2.2:<root>,port=20490,mountport=20048   (for nfsroot=)
#   NFSROOT_TEST_NFSROOT_V4        10.0.2.2:/testroot,vers=4.2,port=20490       (for nfsroot=)
#   NFSROOT_TEST_NFSROOT_SEED_V3   10.0.2.2:<seed root>,port=20490,mountport=20048
#   NFSROOT_TEST_IMAGES            image mode's export (make_test_images.py): a squashfs channel
#                                  channels/busybox, busybox-v1.erofs, broken/ and a non-image;
#                                  NFSv3 path = this, NFSv4 /images
#   NFSROOT_TEST_NFS_STATE_DIR     the server's folder: ganesha.log, ganesha.conf, rpcbind.log
#   NFSROOT_TEST_DEBIAN_ROOT       the debootstrapped Debian image (tests/boot/debian.cmake builds
#                                  it), exported too when it exists: NFSv3 path = this, NFSv4 /debian
#   NFSROOT_TEST_NFSROOT_DEBIAN_V3 10.0.2.2:<Debian root>,port=20490,mountport=20048
#   NFSROOT_TEST_DEBIAN_<VARIANT>_DIR, _ROOT  its variants (VARIANT in NFSROOT_TEST_DEBIAN_VARIANTS:
#                                  NETWORKMANAGER, IFUPDOWN), exported when they exist: NFSv3 path
#                                  = the root, NFSv4 /debian-<variant>
#   NFSROOT_TEST_NFSROOT_DEBIAN_<VARIANT>_V3  10.0.2.2:<variant root>,port=20490,mountport=20048
#   NFSROOT_TEST_ROOT_<ARCH>       arm64 and i386 (ARCH in NFSROOT_TEST_ROOT_ARCHES): the test root
#                                  with that architecture's busybox, exported when it exists by
#                                  then (arch.cmake builds it, before the server starts)
#   NFSROOT_TEST_NFSROOT_<ARCH>_V3 10.0.2.2:<that root>,port=20490,mountport=20048
# for example:
#   nfsroot_add_boot_test(nfs3_root
#     APPEND "ip=dhcp root=/dev/nfs ro nfsroot=${NFSROOT_TEST_NFSROOT_V3} console=ttyS0"
#     MODULES 8139cp nfsv3 EXPECT "TESTROOT: root-fs=nfs ro" "TESTROOT: DONE" REJECT "TESTROOT: FAIL")
#   nfsroot_use_nfs_server(boot.nfs3_root)
# The root's /sbin/init prints "TESTROOT: ..." facts (see make_test_root.py); /sbin/other-init
# is there for init=.

if(NOT COMMAND nfsroot_add_boot_test OR NOT NFSROOT_PYTHON3)
  message(WARNING "nfs_fixture.cmake: include it after add_subdirectory(boot); NFS boot fixture skipped")
  return()
endif()

set(_nfs_here "${CMAKE_CURRENT_LIST_DIR}")
# The server matches NFSv3 MNT requests against the export's path string: give the guest the
# same real path the server exports (no symlinks in it).
file(REAL_PATH "${NFSROOT_BOOT_BINARY_DIR}" _nfs_dir)

set(NFSROOT_TEST_SERVER 10.0.2.2)
set(NFSROOT_TEST_NFS_PORT 20490)
set(NFSROOT_TEST_MOUNT_PORT 20048)
set(NFSROOT_TEST_ROOT "${_nfs_dir}/testroot")
set(NFSROOT_TEST_ROOT_PSEUDO /testroot)
set(NFSROOT_TEST_ROOT_SEED "${_nfs_dir}/testroot-seed")
set(NFSROOT_TEST_ROOT_SEED_PSEUDO /testroot-seed)
set(NFSROOT_TEST_NFS3_OPTIONS "port=${NFSROOT_TEST_NFS_PORT},mountport=${NFSROOT_TEST_MOUNT_PORT}")
set(NFSROOT_TEST_NFS4_OPTIONS "vers=4.2,port=${NFSROOT_TEST_NFS_PORT}")
set(NFSROOT_TEST_NFSROOT_V3 "${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_ROOT},${NFSROOT_TEST_NFS3_OPTIONS}")
set(NFSROOT_TEST_NFSROOT_V4 "${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_ROOT_PSEUDO},${NFSROOT_TEST_NFS4_OPTIONS}")
set(NFSROOT_TEST_NFSROOT_SEED_V3
    "${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_ROOT_SEED},${NFSROOT_TEST_NFS3_OPTIONS}")
set(NFSROOT_TEST_NFS_STATE_DIR "${_nfs_dir}/nfs-server")
set(NFSROOT_TEST_IMAGES "${_nfs_dir}/images")
# The Debian image lives in the source tree's ignored .cache/ (debootstrap takes minutes; the
# image is kept between runs, keyed by its inputs), at a path known before it is built.
file(REAL_PATH "${PROJECT_SOURCE_DIR}" _nfs_source)
set(NFSROOT_TEST_DEBIAN_DIR "${_nfs_source}/.cache/debian-root" CACHE PATH
    "Where tests/boot/debian_root.py keeps the debootstrapped image of the Debian boot tests")
set(NFSROOT_TEST_DEBIAN_ROOT "${NFSROOT_TEST_DEBIAN_DIR}/root")
set(NFSROOT_TEST_NFSROOT_DEBIAN_V3 "${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_DEBIAN_ROOT},${NFSROOT_TEST_NFS3_OPTIONS}")
# Its variants with another network manager or none (debian_root.py build --variant), beside it.
set(NFSROOT_TEST_DEBIAN_VARIANTS networkmanager ifupdown nomanager)
set(_nfs_variant_exports "")
foreach(_nfs_variant IN LISTS NFSROOT_TEST_DEBIAN_VARIANTS)
  string(TOUPPER "${_nfs_variant}" _nfs_upper)
  set(NFSROOT_TEST_DEBIAN_${_nfs_upper}_DIR "${NFSROOT_TEST_DEBIAN_DIR}-${_nfs_variant}")
  set(NFSROOT_TEST_DEBIAN_${_nfs_upper}_ROOT "${NFSROOT_TEST_DEBIAN_${_nfs_upper}_DIR}/root")
  set(NFSROOT_TEST_NFSROOT_DEBIAN_${_nfs_upper}_V3
      "${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_DEBIAN_${_nfs_upper}_ROOT},${NFSROOT_TEST_NFS3_OPTIONS}")
  list(APPEND _nfs_variant_exports
       "--optional-export=${NFSROOT_TEST_DEBIAN_${_nfs_upper}_ROOT}:/debian-${_nfs_variant}")
endforeach()
set(NFSROOT_NFS_SERVER_LOCK nfsroot_nfs_server_ports)
# The other architectures' test roots (tests/boot/arch.cmake): the guest runs their busybox.
set(NFSROOT_TEST_ROOT_ARCHES arm64 i386)
set(_nfs_arch_exports "")
foreach(_nfs_arch IN LISTS NFSROOT_TEST_ROOT_ARCHES)
  string(TOUPPER "${_nfs_arch}" _nfs_upper)
  set(NFSROOT_TEST_ROOT_${_nfs_upper} "${_nfs_dir}/testroot-${_nfs_arch}")
  set(NFSROOT_TEST_NFSROOT_${_nfs_upper}_V3
      "${NFSROOT_TEST_SERVER}:${NFSROOT_TEST_ROOT_${_nfs_upper}},${NFSROOT_TEST_NFS3_OPTIONS}")
  list(APPEND _nfs_arch_exports "--optional-export=${NFSROOT_TEST_ROOT_${_nfs_upper}}:/testroot-${_nfs_arch}")
endforeach()

if(NFSROOT_TEST_ROOT MATCHES "[ ,:\"]")
  message(WARNING "nfs_fixture.cmake: the build folder's path ${_nfs_dir} has a space, comma, "
                  "colon or quote: nfsroot= cannot name the test root; use another build folder")
endif()

set(_nfs_busybox "${NFSROOT_BUSYBOX}")
if(NOT _nfs_busybox)
  set(_nfs_busybox /bin/busybox)
endif()

add_test(NAME boot.test_root
         COMMAND "${NFSROOT_PYTHON3}" "${_nfs_here}/make_test_root.py"
                 "--output=${NFSROOT_TEST_ROOT}" "--busybox=${_nfs_busybox}"
                 "--seed-output=${NFSROOT_TEST_ROOT_SEED}" --seed-content=ro)
add_test(NAME boot.test_images
         COMMAND "${NFSROOT_PYTHON3}" "${_nfs_here}/make_test_images.py"
                 "--root=${NFSROOT_TEST_ROOT}" "--output=${NFSROOT_TEST_IMAGES}")
add_test(NAME boot.nfs_server_start
         COMMAND "${NFSROOT_PYTHON3}" "${_nfs_here}/nfs_server.py" start
                 "--state-dir=${NFSROOT_TEST_NFS_STATE_DIR}"
                 "--export=${NFSROOT_TEST_ROOT}:${NFSROOT_TEST_ROOT_PSEUDO}"
                 "--export=${NFSROOT_TEST_ROOT_SEED}:${NFSROOT_TEST_ROOT_SEED_PSEUDO}"
                 "--export=${NFSROOT_TEST_IMAGES}:/images"
                 "--optional-export=${NFSROOT_TEST_DEBIAN_ROOT}:/debian" ${_nfs_variant_exports} ${_nfs_arch_exports}
                 --timeout=60)
add_test(NAME boot.nfs_server_stop
         COMMAND "${NFSROOT_PYTHON3}" "${_nfs_here}/nfs_server.py" stop
                 "--state-dir=${NFSROOT_TEST_NFS_STATE_DIR}")
add_test(NAME boot.test_root_untouched
         COMMAND "${NFSROOT_PYTHON3}" "${_nfs_here}/make_test_root.py"
                 --check "${NFSROOT_TEST_ROOT}" "${NFSROOT_TEST_ROOT_SEED}")

set_tests_properties(boot.test_root PROPERTIES
  LABELS boot TIMEOUT 60 FIXTURES_SETUP nfs_test_root)
# The images are made from the test root, so after it; both set up the same fixture.
set_tests_properties(boot.test_images PROPERTIES
  LABELS boot TIMEOUT 120 FIXTURES_SETUP nfs_test_root DEPENDS boot.test_root)
set_tests_properties(boot.nfs_server_start PROPERTIES
  LABELS boot TIMEOUT 90 FIXTURES_SETUP nfs_server FIXTURES_REQUIRED nfs_test_root
  RESOURCE_LOCK ${NFSROOT_NFS_SERVER_LOCK})
set_tests_properties(boot.nfs_server_stop PROPERTIES
  LABELS boot TIMEOUT 60 FIXTURES_CLEANUP nfs_server RESOURCE_LOCK ${NFSROOT_NFS_SERVER_LOCK})
set_tests_properties(boot.test_root_untouched PROPERTIES
  LABELS boot TIMEOUT 60 FIXTURES_CLEANUP nfs_test_root)

# Make boot tests depend on the server (and so on the roots, checked again after them).
function(nfsroot_use_nfs_server)
  foreach(test IN LISTS ARGN)
    set_property(TEST "${test}" APPEND PROPERTY FIXTURES_REQUIRED nfs_server nfs_test_root)
  endforeach()
endfunction()

unset(_nfs_here)
unset(_nfs_dir)
unset(_nfs_source)
unset(_nfs_busybox)
unset(_nfs_arch)
unset(_nfs_upper)
unset(_nfs_arch_exports)
unset(_nfs_variant)
unset(_nfs_variant_exports)
