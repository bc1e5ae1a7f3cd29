// Our option splitter against libmount, the reference: a corpus of option strings must give the
// same MS_* flags (libmount's MNT_LINUX_MAP) and the same filesystem data (mnt_split_optstr's
// "fs" part, userspace-only options dropped). libmount has no static archive in Debian, so the
// /init cannot use it; the host test can.
#include <libmount/libmount.h>

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include "mounts/mount_options.h"

namespace {

struct Reference {
  unsigned long flags = 0;
  std::string data;
};

Reference libmount_split(const std::string& options) {
  Reference reference;
  REQUIRE(mnt_optstr_get_flags(options.c_str(), &reference.flags, mnt_get_builtin_optmap(MNT_LINUX_MAP)) == 0);
  char* user = nullptr;
  char* vfs = nullptr;
  char* fs = nullptr;
  REQUIRE(mnt_split_optstr(options.c_str(), &user, &vfs, &fs, 0, 0) == 0);
  reference.data = fs ? fs : "";
  std::free(user);
  std::free(vfs);
  std::free(fs);
  return reference;
}

}  // namespace

TEST_CASE("mount options split exactly as libmount splits them", "[mount_options][libmount]") {
  const std::vector<std::string> corpus = {
      // what nfsroot-init itself mounts
      "nosuid,nodev,noexec", "nosuid,mode=0755", "nosuid,nodev,mode=0755,size=10%", "size=128M,mode=1777",
      "vers=3,proto=tcp,nolock,port=20490,mountport=20048,addr=10.0.2.2,mountaddr=10.0.2.2",
      "ro,vers=4.2,port=20490,addr=10.0.2.2", "lowerdir=/proc/self/fd/7,upperdir=/run/u,workdir=/run/w",
      "br=/run/u=rw:/root/var=ro",
      // every generic flag, set and cleared, and their last-one-wins rule
      "ro", "rw", "rw,ro", "ro,rw", "nosuid,suid", "nodev,dev", "noexec,exec", "sync,async", "dirsync",
      "mand,nomand", "noatime,atime", "nodiratime,diratime", "relatime,norelatime", "strictatime,nostrictatime",
      "lazytime,nolazytime", "silent,loud", "iversion,noiversion", "nosymfollow", "nosymfollow,symfollow",
      "remount", "bind", "rbind", "private", "rprivate", "shared,rshared", "slave,rslave", "unbindable,runbindable",
      // userspace-only options: never sent to the kernel
      "defaults", "defaults,noauto,user,_netdev,nofail,x-systemd.device-timeout=5,size=10%", "owner,group",
      "users,nouser", "auto,noauto", "comment=systemd.automount,uid=0", "loop", "helper=foo,uhelper=udisks2",
      // edge cases
      "", ",", "ro,,rw", ",,size=1M,,", "rsize=1048576,wsize=1048576,timeo=600,retrans=2,sec=sys",
      // found by mount_options_fuzzer: fstab's X-* options, a ',' inside quotes, NAME= as NAME,
      // userspace options with values, and an unterminated quote (libmount drops from there on)
      "X-mount.mkdir,nosuid", "X-MOUNT.MKDIR=0700,size=1M", "context=\"system_u:object_r:nfs_t:s0:c1,c2\",ro",
      "a=\"x,x-a,ro\",b", "nosuid=,nodev=,rw=", "user=,owner=", "user=alice,users=1,owner=1", "defaults=1,auto=1",
      "noauto=,_netdev=,nofail=,noauto=1", "loop=/dev/loop0,offset=1,sizelimit=2,encryption=x,comment,helper,uhelper",
      "ro=1,nosuid=yes", "size=1M,a\"b,ro", "ro,\"", "\"a,b\"c,nodev",
      "nousers,verity.roothash=ab12,verity.fecroots=2,verity.hashdevice", "verity.other=1",
  };
  for (const auto& options : corpus) {
    INFO("options: '" << options << "'");
    const auto reference = libmount_split(options);
    const auto ours = nfsroot::split_mount_options(options);
    CHECK(ours.flags == reference.flags);
    CHECK(ours.data == reference.data);
  }
}
