# Prints the size of the release /init after each link, so growth is seen when it happens.
file(SIZE "${FILE}" bytes)
math(EXPR kib "(${bytes} + 1023) / 1024")
message(STATUS "nfsroot-init: ${bytes} bytes (${kib} KiB), static, stripped: ${FILE}")
