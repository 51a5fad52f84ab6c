// Real-world workloads on the mount: git clone + status, tar round trip,
// building a small C project with make.
#include <sys/stat.h>

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

class WorkloadTest : public MountedTest {};

bool Have(const std::string& tool) { return RunCommand({"sh", "-c", "command -v " + tool}) == 0; }

TEST_F(WorkloadTest, GitCloneAndStatus) {
  if (!Have("git")) SKIP_OR_FAIL("git not installed");
  TempDir src("slicefs-gitsrc");
  std::string out;
  std::vector<std::string> git = {"git", "-c", "user.name=t", "-c", "user.email=t@e", "-c",
                                  "init.defaultBranch=main"};
  auto Git = [&](std::vector<std::string> args, const std::string& cwd) {
    std::vector<std::string> a = git;
    a.insert(a.end(), args.begin(), args.end());
    return RunCommand(a, &out, cwd);
  };
  ASSERT_EQ(Git({"init", "-q", "."}, src.path()), 0) << out;
  for (int c = 0; c < 5; c++) {
    for (int f = 0; f < 10; f++) {
      ASSERT_TRUE(WriteFile(src / ("file" + std::to_string(f) + ".txt"),
                            Pattern(1000 + c * 500 + f * 37, c * 10 + f)));
    }
    ASSERT_EQ(Git({"add", "-A"}, src.path()), 0) << out;
    ASSERT_EQ(Git({"commit", "-q", "-m", "commit " + std::to_string(c)}, src.path()), 0) << out;
  }
  ASSERT_EQ(Git({"clone", "-q", "--no-hardlinks", src.path(), P("clone")}, dir_), 0) << out;
  ASSERT_EQ(Git({"status", "--porcelain"}, P("clone")), 0) << out;
  EXPECT_EQ(out, "") << "clone is not clean";
  ASSERT_EQ(Git({"rev-list", "--count", "HEAD"}, P("clone")), 0) << out;
  EXPECT_EQ(out, "5\n");
  ASSERT_EQ(Git({"fsck", "--full"}, P("clone")), 0) << out;
  // Modify, commit on the mount, and see status track it.
  ASSERT_TRUE(WriteFile(P("clone/file3.txt"), "changed"));
  ASSERT_EQ(Git({"status", "--porcelain"}, P("clone")), 0) << out;
  EXPECT_EQ(out, " M file3.txt\n");
  ASSERT_EQ(Git({"commit", "-q", "-am", "on mount"}, P("clone")), 0) << out;
  ASSERT_EQ(Git({"status", "--porcelain"}, P("clone")), 0) << out;
  EXPECT_EQ(out, "");
  ASSERT_EQ(Git({"gc", "-q"}, P("clone")), 0) << out;
  ASSERT_EQ(Git({"fsck", "--full"}, P("clone")), 0) << out;
}

TEST_F(WorkloadTest, TarRoundTrip) {
  TempDir src("slicefs-tarsrc");
  for (int d = 0; d < 4; d++) {
    std::string dd = src / ("d" + std::to_string(d));
    mkdir(dd.c_str(), 0755);
    for (int f = 0; f < 15; f++) {
      ASSERT_TRUE(WriteFile(dd + "/f" + std::to_string(f), Pattern(f * 9000 + d, d * 100 + f)));
    }
  }
  symlink("d0/f1", (src / "link").c_str());
  std::string out;
  // Create the archive on the mount, extract it on the mount, compare.
  ASSERT_EQ(RunCommand({"tar", "-cf", P("a.tar"), "-C", src.path(), "."}, &out), 0) << out;
  ASSERT_EQ(mkdir(P("x").c_str(), 0755), 0);
  ASSERT_EQ(RunCommand({"tar", "-xf", P("a.tar"), "-C", P("x")}, &out), 0) << out;
  std::map<std::string, std::string> a, b;
  TreeDigest(src.path(), "", &a);
  TreeDigest(P("x"), "", &b);
  EXPECT_EQ(a.size(), 65u);
  EXPECT_EQ(a, b);
  // And back out to local disk from a tar made of the mount's tree.
  ASSERT_EQ(RunCommand({"tar", "-cf", P("b.tar"), "-C", P("x"), "."}, &out), 0) << out;
  TempDir back("slicefs-tarback");
  ASSERT_EQ(RunCommand({"tar", "-xf", P("b.tar"), "-C", back.path()}, &out), 0) << out;
  std::map<std::string, std::string> c;
  TreeDigest(back.path(), "", &c);
  EXPECT_EQ(a, c);
}

TEST_F(WorkloadTest, MakeBuildsCProject) {
  if (!Have("make") || !Have("cc")) SKIP_OR_FAIL("make or cc not installed");
  ASSERT_TRUE(WriteFile(P("util.h"), "int add(int a, int b);\nint mul(int a, int b);\n"));
  ASSERT_TRUE(WriteFile(P("add.c"), "#include \"util.h\"\nint add(int a, int b) { return a + b; }\n"));
  ASSERT_TRUE(WriteFile(P("mul.c"), "#include \"util.h\"\nint mul(int a, int b) { return a * b; }\n"));
  ASSERT_TRUE(WriteFile(P("main.c"),
                        "#include <stdio.h>\n#include \"util.h\"\n"
                        "int main(void) { printf(\"%d\\n\", mul(add(2, 3), 7)); return 0; }\n"));
  ASSERT_TRUE(WriteFile(P("Makefile"),
                        "prog: main.o add.o mul.o\n\tcc -o prog main.o add.o mul.o\n"
                        "%.o: %.c util.h\n\tcc -O2 -c $< -o $@\n"
                        "clean:\n\trm -f prog *.o\n"));
  std::string out;
  ASSERT_EQ(RunCommand({"make", "-j2"}, &out, dir_), 0) << out;
  ASSERT_EQ(RunCommand({P("prog")}, &out), 0) << out;
  EXPECT_EQ(out, "35\n");
  // Nothing to rebuild; then touching one source rebuilds only what depends on it.
  ASSERT_EQ(RunCommand({"make", "-q"}, &out, dir_), 0) << "make thinks targets are stale: " << out;
  sleep(1);
  ASSERT_TRUE(WriteFile(P("add.c"), "#include \"util.h\"\nint add(int a, int b) { return a + b + 1; }\n"));
  ASSERT_EQ(RunCommand({"make"}, &out, dir_), 0) << out;
  EXPECT_NE(out.find("add.c"), std::string::npos) << out;
  EXPECT_EQ(out.find("mul.c"), std::string::npos) << out;
  ASSERT_EQ(RunCommand({P("prog")}, &out), 0) << out;
  EXPECT_EQ(out, "42\n");
  ASSERT_EQ(RunCommand({"make", "clean"}, &out, dir_), 0) << out;
  EXPECT_NE(access(P("prog").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace slicefs::testing
