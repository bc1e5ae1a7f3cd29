# cli.install_*: `cmake --install BUILD --prefix PREFIX` into a scratch DESTDIR puts the binary,
# the hook, its conf-hook, its conf file and the overlay list where initramfs-tools looks, and the conf file
# names the binary where this prefix put it (the prefix is chosen at install time, not at
# configure time), and the binary is the release /init INIT (the musl one when it is built).
# Run: cmake -DBUILD=<build dir> -DPREFIX=<prefix> -DDEST=<scratch> -DINIT=<release /init> -P <this>
file(REMOVE_RECURSE "${DEST}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install --prefix ${PREFIX} failed: ${err}")
endif()
foreach(path "${PREFIX}/lib/nfsroot-init/nfsroot-init" /usr/share/initramfs-tools/hooks/nfsroot-init
             /usr/share/initramfs-tools/conf-hooks.d/nfsroot-init
             /etc/initramfs-tools/conf.d/nfsroot-init /etc/nfsroot-init/overlays)
  if(NOT EXISTS "${DEST}${path}")
    message(FATAL_ERROR "cmake --install --prefix ${PREFIX}: ${path} missing")
  endif()
endforeach()
file(SHA256 "${DEST}${PREFIX}/lib/nfsroot-init/nfsroot-init" installed)
file(SHA256 "${INIT}" release)
if(NOT installed STREQUAL release)
  message(FATAL_ERROR "cmake --install --prefix ${PREFIX}: lib/nfsroot-init/nfsroot-init is not ${INIT}")
endif()
file(STRINGS "${DEST}/etc/initramfs-tools/conf.d/nfsroot-init" binary_lines REGEX "NFSROOT_INIT_BINARY=")
if(PREFIX STREQUAL "/usr")
  set(want "^#NFSROOT_INIT_BINARY=/usr/lib/nfsroot-init/nfsroot-init$")  # the hook's default
else()
  set(want "^NFSROOT_INIT_BINARY=${PREFIX}/lib/nfsroot-init/nfsroot-init$")
endif()
if(NOT binary_lines MATCHES "${want}")
  message(FATAL_ERROR "conf.d/nfsroot-init for --prefix ${PREFIX} says '${binary_lines}', want /${want}/")
endif()
file(REMOVE_RECURSE "${DEST}")
message(STATUS "install layout for --prefix ${PREFIX}: ok")
