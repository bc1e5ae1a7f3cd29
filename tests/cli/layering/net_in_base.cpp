// Compiled with only nfsroot_base's include path: base is the lowest layer, so a header of net/
// must not be found (cli.layering_*).
#include "base/error.h"
#ifdef NFSROOT_LAYERING_VIOLATION
#include "net/udp_frame.h"
#endif
int main() { return 0; }
