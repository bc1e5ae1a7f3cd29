# Prints the size of a release /init after each link, so growth is seen when it happens.
# cmake -DFILE=<binary> [-DLIBC=glibc|musl] -P print_size.cmake
file(SIZE "${FILE}" bytes)
math(EXPR kib "(${bytes} + 1023) / 1024")
if(NOT LIBC)
  set(LIBC glibc)
endif()
message(STATUS "nfsroot-init: ${bytes} bytes (${kib} KiB), static (${LIBC}), stripped: ${FILE}")
