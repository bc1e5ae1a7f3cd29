// Generic mount options become MS_* flags; the rest is filesystem data in order.
#include "mounts/mount_options.h"

#include <sys/mount.h>

#include <catch2/catch.hpp>

using nfsroot::split_mount_options;

TEST_CASE("mount options: flags and data are split as mount(8) does", "[mount_options]") {
  auto split = split_mount_options("nosuid,nodev,mode=0755,size=10%");
  CHECK(split.flags == (MS_NOSUID | MS_NODEV));
  CHECK(split.data == "mode=0755,size=10%");

  split = split_mount_options("ro,rw");
  CHECK(split.flags == 0);
  split = split_mount_options("rw,ro,defaults,,noatime");
  CHECK(split.flags == (MS_RDONLY | MS_NOATIME));
  CHECK(split.data.empty());

  split = split_mount_options("vers=3,nolock,addr=10.0.2.2");
  CHECK(split.flags == 0);
  CHECK(split.data == "vers=3,nolock,addr=10.0.2.2");
}
