// Two mounts of one volume: a file unlinked on mount A while open on mount B
// stays readable through B until B closes it, and then its objects are
// deleted; the same when B is killed instead (A cleans B's stale session).
// B is mounted read-only in the second test: read-only mounts register a
// session and protect their open files too. `slicefs status` lists both
// mounts with their last heartbeat.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "mount/mount_util.h"
#include "posix/posix_util.h"

namespace slicefs::testing {
namespace {

// Number of data objects (blocks) in the volume's file bucket.
size_t ChunkObjects(const TestMount& m) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(m.bucket() + "/" + m.spec().name + "/chunks", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) n++;
  }
  return n;
}

// Polls until the volume holds no data objects; false after `seconds`.
bool ObjectsGone(const TestMount& m, int seconds) {
  for (int i = 0; i < seconds * 10; i++) {
    if (ChunkObjects(m) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string PreadAll(int fd, size_t n) {
  std::string out(n, '\0');
  size_t off = 0;
  while (off < n) {
    ssize_t r = pread(fd, out.data() + off, n - off, static_cast<off_t>(off));
    if (r <= 0) break;
    off += static_cast<size_t>(r);
  }
  out.resize(off);
  return out;
}

VolumeSpec SecondMount(const TestMount& a) {
  VolumeSpec s;
  s.metaUrl = a.metaUrl();
  s.bucket = a.bucket();
  s.formatted = true;
  return s;
}

TEST(MountSharedOpen, UnlinkOnOtherMountWhileOpen) {
  REQUIRE_FUSE();
  TestMount a;
  ASSERT_TRUE(a.Mount().ok());
  TestMount b(SecondMount(a));
  ASSERT_TRUE(b.Mount().ok());
  const std::string data = Pattern(3 << 20, 17);
  ASSERT_TRUE(WriteFile(a / "f", data));
  const size_t objects = ChunkObjects(a);
  ASSERT_GT(objects, 0u);
  int fd = open((b / "f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(unlink((a / "f").c_str()), 0) << strerror(errno);
  // A's deletion worker runs at once after its own deletions: give it time.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(ChunkObjects(a), objects) << "objects deleted while the file is open on B";
  EXPECT_TRUE(PreadAll(fd, data.size()) == data) << "B cannot read the file A unlinked";
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, static_cast<off_t>(data.size()));
  ASSERT_EQ(close(fd), 0);
  EXPECT_TRUE(ObjectsGone(a, 15)) << ChunkObjects(a) << " objects left after B closed the file";
  ASSERT_TRUE(b.Unmount().ok());
}

TEST(MountSharedOpen, KilledReadOnlyHolderIsCleanedBySurvivor) {
  REQUIRE_FUSE();
  TestMount a;
  ASSERT_TRUE(a.Mount({"--heartbeat", "1"}).ok());
  TestMount b(SecondMount(a));
  ASSERT_TRUE(b.Mount({"--read-only", "--heartbeat", "1"}).ok());
  std::string out;
  ASSERT_EQ(RunSlicefs({"status", a.metaUrl()}, &out), 0) << out;
  for (const TestMount* m : {&a, &b}) {
    EXPECT_NE(out.find("\"mountPoint\": \"" + m->path() + "\""), std::string::npos) << out;
    EXPECT_NE(out.find("\"processId\": " + std::to_string(m->pid())), std::string::npos) << out;
  }
  EXPECT_NE(out.find("\"readOnly\": true"), std::string::npos) << out;
  EXPECT_NE(out.find("\"heartbeatTime\": \"20"), std::string::npos) << out;
  const std::string data = Pattern(2 << 20, 5);
  ASSERT_TRUE(WriteFile(a / "f", data));
  int fd = open((b / "f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(PreadAll(fd, 4096), data.substr(0, 4096));
  ASSERT_EQ(unlink((a / "f").c_str()), 0) << strerror(errno);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_GT(ChunkObjects(a), 0u) << "objects deleted while the file is open on the read-only mount";
  EXPECT_TRUE(PreadAll(fd, data.size()) == data);
  // B dies holding the file: A takes its session for dead after 5 missed
  // heartbeats and cleans it within one more, freeing the file's objects.
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_TRUE(b.Crash().ok());
  close(fd);
  EXPECT_TRUE(ObjectsGone(a, 20)) << ChunkObjects(a) << " objects left after the holder died";
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  std::printf("objects freed %.1f s after the read-only holder was killed (heartbeat 1 s)\n", secs);
  ASSERT_EQ(RunSlicefs({"status", a.metaUrl()}, &out), 0) << out;
  EXPECT_EQ(out.find(b.path()), std::string::npos) << "dead session still listed:\n" << out;
  EXPECT_NE(out.find(a.path()), std::string::npos) << out;
}

}  // namespace
}  // namespace slicefs::testing
