// POSIX ACLs through real mounts, as several real users (setpriv in forked
// children): one sequence of setfacl/getfacl/chmod/cp -a/tar --acls and
// accesses by named users and groups runs on a local ext4 directory and on
// two mounts of one --enable-acl volume (switching mounts midway), and every
// step's output and exit status must match. A volume without ACLs keeps
// cp -a's modes and refuses extended ACLs.
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "support/assert.h"
#include "support/engines.h"
#include "support/mount.h"
#include "support/test_util.h"

namespace slicefs::testing {
namespace {

struct User {
  const char* name;
  uid_t uid;
  gid_t gid;
  const char* groups;  // supplementary groups for setpriv, "" for none
};
// Ids unknown to /etc/passwd on purpose: getfacl prints them as numbers on
// both sides. carol is in group 3004 ("dev"), alice in 3001 ("staff").
const User kRoot{"root", 0, 0, ""};
const User kAlice{"alice", 2001, 3001, "3001"};
const User kBob{"bob", 2002, 3002, "3002"};
const User kCarol{"carol", 2003, 3003, "3003,3004"};
const User kDave{"dave", 2004, 3005, "3005"};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// Runs cmd with /bin/sh in dir as user u (umask 022); returns its output
// (stdout+stderr, dir replaced by ROOT) and "rc=N".
std::string RunSh(const std::string& dir, const User& u, const std::string& cmd) {
  std::string sh = "/bin/sh -c " + Quote("umask 022; " + cmd);
  if (u.uid != 0) {
    sh = "setpriv --reuid=" + std::to_string(u.uid) + " --regid=" + std::to_string(u.gid) +
         (*u.groups ? std::string(" --groups=") + u.groups : std::string(" --clear-groups")) + " -- " + sh;
  }
  std::string full = "cd " + Quote(dir) + " && " + sh + " 2>&1; echo \"rc=$?\"";
  std::string out;
  FILE* f = popen(full.c_str(), "r");
  if (!f) return "popen failed";
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  pclose(f);
  for (size_t p; (p = out.find(dir)) != std::string::npos;) out.replace(p, dir.size(), "ROOT");
  return out;
}

enum class Want { kOk, kFail, kAny };
struct Step {
  int mount;  // 0 or 1: which mount of the volume runs it (local: the same dir)
  const User* user;
  std::string cmd;
  Want want;
};

// The sequence. Every path is relative to the run's directory.
std::vector<Step> Sequence() {
  const Want ok = Want::kOk, fail = Want::kFail, any = Want::kAny;
  return {
      {0, &kRoot, "mkdir d && chown 2001:3001 d && chmod 0755 d", ok},
      {0, &kAlice, "echo secret > d/f && chmod 0640 d/f && stat -c '%a %u:%g' d/f && getfacl d/f", ok},
      {0, &kBob, "cat d/f", fail},
      // A named user: the mask becomes the group bits.
      {0, &kAlice, "setfacl -m u:2002:r d/f && stat -c %a d/f && getfacl d/f && ls -l d/f | cut -c1-11", ok},
      {0, &kBob, "cat d/f", ok},
      {0, &kBob, "echo x >> d/f", fail},
      {0, &kAlice, "setfacl -m u:2002:rw d/f && stat -c %a d/f", ok},
      {0, &kBob, "echo more >> d/f && cat d/f", ok},
      // chmod changes the mask; setfacl -m m:: changes the group bits.
      {0, &kAlice, "chmod 0640 d/f && getfacl d/f", ok},
      {0, &kBob, "echo x >> d/f", fail},
      {0, &kBob, "cat d/f", ok},
      {0, &kAlice, "setfacl -m m::rw d/f && stat -c %a d/f && getfacl -c d/f", ok},
      {0, &kBob, "echo y >> d/f", ok},
      // The other mount sees and enforces the same.
      {1, &kBob, "cat d/f && echo z >> d/f", ok},
      {1, &kCarol, "cat d/f", fail},
      {1, &kAlice, "setfacl -x u:2002 d/f && getfacl d/f && stat -c %a d/f", ok},
      {1, &kBob, "cat d/f", fail},
      // Named groups; a named user entry wins over the groups; the mask.
      {1, &kAlice, "echo g > d/g && chmod 0600 d/g && setfacl -m g:3004:r d/g && getfacl d/g", ok},
      {1, &kCarol, "cat d/g", ok},
      {1, &kDave, "cat d/g", fail},
      {1, &kAlice, "setfacl -m u:2003:- d/g", ok},
      {1, &kCarol, "cat d/g", fail},
      {1, &kAlice, "setfacl -x u:2003 d/g && setfacl -m g:3004:rw,m::r d/g && getfacl d/g", ok},
      {1, &kCarol, "echo w >> d/g", fail},
      {1, &kCarol, "cat d/g", ok},
      {0, &kCarol, "cat d/g && echo w >> d/g", fail},
      // The owning group denies, a named group of the same caller grants.
      {0, &kAlice, "echo h > d/h && chmod 0600 d/h && chgrp 3001 d/h && setfacl -m g:3004:r,g::- d/h", ok},
      {0, &kCarol, "cat d/h", ok},
      // Directories: search, list, create, rename, unlink through an ACL.
      {0, &kAlice, "mkdir d/dir && chmod 0700 d/dir && echo in > d/dir/file && chmod 0644 d/dir/file", ok},
      {0, &kBob, "cat d/dir/file", fail},
      {0, &kAlice, "setfacl -m u:2002:x d/dir", ok},
      {0, &kBob, "cat d/dir/file", ok},
      {0, &kBob, "ls d/dir", fail},
      {0, &kBob, "touch d/dir/new", fail},
      {0, &kAlice, "setfacl -m u:2002:rwx d/dir", ok},
      {0, &kBob, "ls d/dir && touch d/dir/new && mv d/dir/new d/dir/new2 && rm -f d/dir/file && ls d/dir", ok},
      {0, &kCarol, "ls d/dir", fail},
      {0, &kBob, "mv d/dir/new2 d/moved", fail},
      {0, &kAlice, "mkdir d/dir2 && chmod 0750 d/dir2 && setfacl -m g:3004:rwx,u:2002:rx d/dir2", ok},
      {0, &kCarol, "touch d/dir2/c && ln d/dir2/c d/dir2/c2 && stat -c %h d/dir2/c && rm d/dir2/c2", ok},
      {0, &kBob, "mv d/dir/new2 d/dir2/", fail},
      {0, &kCarol, "mv d/dir2/c d/dir/", fail},
      {0, &kAlice, "setfacl -m g:3004:rwx d/dir", ok},
      {0, &kCarol, "mv d/dir2/c d/dir/c && ls d/dir && rm d/dir/c", ok},
      {0, &kBob, "truncate -s 0 d/dir/new2 && : > d/dir/new2 && stat -c %s d/dir/new2", ok},
      {0, &kCarol, "truncate -s 1 d/dir/new2", fail},
      // utimes and user xattrs follow the ACL's write permission; only the
      // owner sets explicit times or changes the ACL.
      {0, &kAlice, "echo t > d/t && chmod 0644 d/t && setfacl -m u:2002:rw d/t", ok},
      {0, &kBob, "touch d/t", ok},
      {0, &kBob, "touch -d 2020-01-01 d/t", fail},
      {0, &kCarol, "touch d/t", fail},
      {0, &kBob, "setfattr -n user.k -v v d/t && getfattr -n user.k --only-values d/t", ok},
      {0, &kCarol, "setfattr -n user.k -v w d/t", fail},
      {0, &kBob, "setfacl -m u:2003:r d/t", fail},
      // exec
      {0, &kAlice, "printf '#!/bin/sh\\necho ran\\n' > d/x && chmod 0700 d/x && setfacl -m u:2002:rx,u:2003:r d/x", ok},
      {0, &kBob, "./d/x", ok},
      {0, &kCarol, "./d/x", fail},
      {0, &kCarol, "wc -c < d/x", ok},
      // Default ACLs: inherited by files and directories, the umask is not
      // applied, the create mode masks the inherited ACL.
      {0, &kAlice, "mkdir d/def && setfacl -d -m u:2002:rwx,g:3004:rx d/def && getfacl d/def", ok},
      {0, &kAlice, "echo hi > d/def/nf && mkdir d/def/nd && stat -c '%n %a' d/def/nf d/def/nd && getfacl d/def/nf d/def/nd", ok},
      {0, &kAlice, "umask 077; touch d/def/nf2 && stat -c %a d/def/nf2 && getfacl d/def/nf2", ok},
      {0, &kAlice, "mkdir -m 0750 d/def/nd2 && getfacl d/def/nd2", ok},
      {0, &kBob, "echo b >> d/def/nf && touch d/def/nd/bobfile && stat -c %a d/def/nd/bobfile && getfacl d/def/nd/bobfile", ok},
      {0, &kCarol, "echo c >> d/def/nf", fail},
      {0, &kCarol, "cat d/def/nf", ok},
      {0, &kAlice, "setfacl -k d/def && getfacl d/def && touch d/def/after && stat -c %a d/def/after && getfacl d/def/after", ok},
      {0, &kAlice, "setfacl -b d/f d/g && getfacl d/f d/g && stat -c %a d/f d/g", ok},
      {0, &kAlice, "setfacl -R -m u:2003:rX d/def; find d/def | sort | xargs getfacl", any},  // bobfile: EPERM
      {1, &kCarol, "cat d/def/nf && ls d/def/nd", ok},
      {1, &kAlice, "setfacl -d -m u:2002:r d/t", fail},
      {1, &kAlice, "setfacl -m u:2002:rwx,m::- d/t && getfacl d/t && stat -c %a d/t", ok},
      // Linux quirk: with a mask (group bits) of ---, the ACL is not consulted
      // at all and a named user falls through to the other bits.
      {1, &kBob, "cat d/t", ok},
      {1, &kAlice, "chmod 0600 d/t && setfacl -m u:2002:r d/t && chmod g=,o= d/t && getfacl -c d/t", ok},
      {1, &kBob, "cat d/t", fail},
      {1, &kAlice, "ln -s t d/lnk && getfacl -P d/lnk; setfacl -h -m u:2002:r d/lnk", any},
      // cp -a and tar --acls keep ACLs, default ACLs and modes.
      {1, &kRoot, "cp -a d/def d/def.cp && find d/def.cp | sort | xargs getfacl && a=$(cd d/def && find . | sort | xargs getfacl) && "
                  "b=$(cd d/def.cp && find . | sort | xargs getfacl) && [ \"$a\" = \"$b\" ] && echo same", ok},
      {1, &kRoot, "tar --acls -cf t.tar d/def && mkdir e && tar --acls -xf t.tar -C e && find e | sort | xargs getfacl && "
                  "a=$(cd d/def && find . | sort | xargs getfacl) && b=$(cd e/d/def && find . | sort | xargs getfacl) && [ \"$a\" = \"$b\" ] && echo same", ok},
      {1, &kAlice, "cp -a d/t d/t.cp && getfacl d/t.cp && stat -c %a d/t.cp", ok},
      {1, &kRoot, "getfattr -d -m - d/def | sort | cut -c1-30; ls -l d | grep -v ^total | cut -c1-11 | sort | uniq -c", ok},
  };
}

// One side of the comparison: run dirs for mount 0 and 1 (the same on the
// local disk); sleep between mounts so the kernel's 1 s attribute cache,
// which also holds the ACLs, has expired.
std::vector<std::string> RunAll(const std::string& dir0, const std::string& dir1, bool twoMounts) {
  std::vector<std::string> out;
  int last = 0;
  for (const Step& s : Sequence()) {
    if (twoMounts && s.mount != last) std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    last = s.mount;
    out.push_back(RunSh(s.mount ? dir1 : dir0, *s.user, s.cmd));
  }
  return out;
}

bool LocalAcls(const std::string& dir, std::string* why) {
  std::string out = RunSh(dir, kRoot, "touch probe && setfacl -m u:2002:r probe && getfacl -c probe && rm probe");
  if (out.find("user:2002:r--") == std::string::npos) {
    *why = "the local directory " + dir + " has no POSIX ACL support: " + out;
    return false;
  }
  return true;
}

class AclTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!FuseAvailable(&why)) {
      if (InCI()) FAIL() << why;
      GTEST_SKIP() << why;
    }
  }
  // A volume spec on SLICEFS_TEST_ENGINE's server when set (as the mounted
  // suites do), else sqlite3.
  VolumeSpec Spec(bool acl) {
    VolumeSpec spec;
    if (acl) spec.formatArgs.push_back("--enable-acl");
    if (const char* e = std::getenv("SLICEFS_TEST_ENGINE"); e && *e) {
      auto url = FreshEngineUrl(e);
      EXPECT_TRUE(url) << url.error().ToString();
      if (url) spec.metaUrl = *url;
    }
    return spec;
  }
};

TEST_F(AclTest, SameResultsAsLocalDiskAcrossTwoMounts) {
  // ext4 (or any ACL-capable local filesystem) is the reference.
  TempDir local("slicefs-acl-local");
  chmod(local.path().c_str(), 0755);
  std::string why;
  if (!LocalAcls(local.path(), &why)) {
    if (InCI()) FAIL() << why;
    GTEST_SKIP() << why;
  }
  TestMount a(Spec(true));
  ASSERT_OK(a.Mount());
  VolumeSpec second = a.spec();
  second.formatted = true;
  TestMount b(second);
  ASSERT_OK(b.Mount());
  ASSERT_EQ(mkdir(a.path().c_str(), 0755) == 0 || errno == EEXIST, true);
  ASSERT_EQ(mkdir((a / "w").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((local / "w").c_str(), 0755), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // b sees w

  const std::vector<Step> steps = Sequence();
  const std::vector<std::string> want = RunAll(local / "w", local / "w", false);
  const std::vector<std::string> got = RunAll(a / "w", b / "w", true);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < steps.size(); i++) {
    const Step& s = steps[i];
    EXPECT_EQ(got[i], want[i]) << "step " << i << " as " << s.user->name << " on mount " << s.mount << ": " << s.cmd;
    // The reference itself must behave as the sequence says (or the
    // comparison would prove nothing).
    const bool rc0 = want[i].ends_with("rc=0\n");
    if (s.want != Want::kAny) {
      EXPECT_EQ(rc0, s.want == Want::kOk) << "ext4, step " << i << ": " << s.cmd << "\n" << want[i];
    }
  }
}

TEST_F(AclTest, VolumeWithoutAclsKeepsModesAndRefusesExtendedAcls) {
  TestMount m(Spec(false));
  ASSERT_OK(m.Mount());
  TempDir local("slicefs-acl-src");
  chmod(local.path().c_str(), 0755);
  const std::string dir = m / "w";
  ASSERT_EQ(mkdir(dir.c_str(), 0777), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  // The report: cp -a of a 0644 file gave a 0600 copy.
  std::string out = RunSh(dir, kAlice, "echo a > f && chmod 0644 f && cp -a f g && stat -c %a g");
  EXPECT_EQ(out, "644\nrc=0\n");
  out = RunSh(local.path(), kRoot, "echo s > src && chmod 0754 src && cp -a src " + Quote(dir) + "/fromlocal && stat -c %a " +
                                     Quote(dir) + "/fromlocal");
  EXPECT_EQ(out, "754\nrc=0\n");
  out = RunSh(dir, kAlice, "mkdir sd && chmod 0751 sd && cp -a sd sd2 && stat -c %a sd2 && tar --acls -cf t.tar f && "
                         "mkdir x && tar --acls -xpf t.tar -C x && stat -c %a x/f");
  EXPECT_EQ(out, "751\n644\nrc=0\n");
  // A minimal ACL is a mode change; an extended one is refused.
  out = RunSh(dir, kAlice, "setfacl -m u::rwx,g::r,o::- f && stat -c %a f");
  EXPECT_EQ(out, "740\nrc=0\n");
  out = RunSh(dir, kAlice, "setfacl -m u:2002:r f");
  EXPECT_NE(out.find("Operation not supported"), std::string::npos) << out;
  EXPECT_FALSE(out.ends_with("rc=0\n")) << out;
  out = RunSh(dir, kAlice, "setfacl -d -m u:2002:r sd");
  EXPECT_NE(out.find("Operation not supported"), std::string::npos) << out;
  out = RunSh(dir, kAlice, "stat -c %a f && getfacl -c f");
  EXPECT_EQ(out, "740\nuser::rwx\ngroup::r--\nother::---\n\nrc=0\n");
  out = RunSh(dir, kBob, "setfacl -m u::rwx,g::rwx,o::rwx f");
  EXPECT_FALSE(out.ends_with("rc=0\n")) << out;
}

TEST_F(AclTest, ConfigEnablesAclsAndRefusesToDisableThemWhileUsed) {
  TestMount m(Spec(false));
  ASSERT_OK(m.Mount());
  const std::string dir = m / "w";
  ASSERT_EQ(mkdir(dir.c_str(), 0777), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  EXPECT_FALSE(RunSh(dir, kAlice, "echo x > f && setfacl -m u:2002:r f").ends_with("rc=0\n"));
  ASSERT_OK(m.Unmount());
  std::string out;
  ASSERT_EQ(RunSlicefs({"config", m.metaUrl(), "--enable-acl"}, &out), 0) << out;
  EXPECT_NE(out.find("enable-acl: false -> true"), std::string::npos) << out;
  ASSERT_OK(m.Mount());
  EXPECT_EQ(RunSh(dir, kAlice, "setfacl -m u:2002:r f && getfacl -c f"),
            "user::rw-\nuser:2002:r--\ngroup::r--\nmask::r--\nother::r--\n\nrc=0\n");
  EXPECT_EQ(RunSh(dir, kBob, "cat f"), "x\nrc=0\n");
  ASSERT_OK(m.Unmount());
  EXPECT_NE(RunSlicefs({"config", m.metaUrl(), "--disable-acl"}, &out), 0);
  EXPECT_NE(out.find("ACLs cannot be disabled"), std::string::npos) << out;
  ASSERT_OK(m.Mount());
  EXPECT_EQ(RunSh(dir, kAlice, "setfacl -b f && getfacl -c f"), "user::rw-\ngroup::r--\nother::r--\n\nrc=0\n");
  ASSERT_OK(m.Unmount());
  ASSERT_EQ(RunSlicefs({"config", m.metaUrl(), "--disable-acl"}, &out), 0) << out;
  EXPECT_NE(out.find("enable-acl: true -> false"), std::string::npos) << out;
}

}  // namespace
}  // namespace slicefs::testing
