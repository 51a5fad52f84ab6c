#include "support/mount.h"

#include "fuse/mountinfo.h"

#include <atomic>
#include <cstdlib>

#include "support/engines.h"
#include "support/s3_server.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

namespace slicefs::testing {

int RunSlicefs(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> argv = {SlicefsBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, out);
}

bool IsMounted(const std::string& absPath) { return IsMountPoint(absPath); }

bool FuseAvailable(std::string* why) {
  if (access("/dev/fuse", R_OK | W_OK) != 0) {
    *why = "/dev/fuse is not accessible";
    return false;
  }
  if (RunCommand({"fusermount3", "-V"}) != 0) {
    *why = "fusermount3 is not installed";
    return false;
  }
  if (geteuid() != 0) {
    *why = "mount tests run as root (they use allow_other and switch users)";
    return false;
  }
  return true;
}

namespace {
bool Alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto p = s.rfind(')');
  return p == std::string::npos || p + 2 >= s.size() || s[p + 2] != 'Z';
}

bool WaitGone(pid_t pid, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (Alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
}  // namespace

TestMount::TestMount(VolumeSpec spec) : tmp_("slicefs-mnt"), spec_(std::move(spec)) {
  // Let unprivileged test users reach the mountpoint.
  chmod(tmp_.path().c_str(), 0755);
  if (spec_.metaUrl.empty()) spec_.metaUrl = "sqlite3://" + tmp_.path() + "/meta.db";
  if (spec_.bucket.empty() && spec_.storage == "file") spec_.bucket = tmp_.path() + "/bucket";
  if (spec_.bucket.empty() && spec_.storage == "s3") {
    // A fresh bucket on the process-wide s3rver (format creates it). If
    // s3rver is unavailable the bucket stays empty and format fails loudly.
    static std::atomic<int> seq{0};
    if (S3Server* server = SharedS3Server()) {
      spec_.bucket = server->bucketUrl("mnt-" + std::to_string(getpid()) + "-" + std::to_string(seq++));
      spec_.formatArgs.insert(spec_.formatArgs.end(),
                              {"--access-key", S3Server::kAccessKey, "--secret-key", S3Server::kSecretKey});
    }
  }
  formatted_ = spec_.formatted;
  mnt_ = tmp_.path() + "/mnt";
  log_ = tmp_.path() + "/mount.log";
  mkdir(mnt_.c_str(), 0755);
}

TestMount::~TestMount() {
  if (mounted()) {
    Status st = Unmount();
    if (!st.ok()) std::fprintf(stderr, "TestMount: %s\n", st.ToString().c_str());
  }
}

Status TestMount::Format() {
  if (formatted_) return Status::OK();
  std::vector<std::string> args = {"format", spec_.metaUrl, spec_.name, "--storage", spec_.storage};
  if (!spec_.bucket.empty()) args.insert(args.end(), {"--bucket", spec_.bucket});
  args.insert(args.end(), spec_.formatArgs.begin(), spec_.formatArgs.end());
  std::string out;
  int rc = RunSlicefs(args, &out);
  if (rc != 0) return Status::Error(EIO, "slicefs format failed (" + std::to_string(rc) + "): " + out);
  formatted_ = true;
  return Status::OK();
}

Status TestMount::Mount(const std::vector<std::string>& extraArgs) {
  if (mounted()) return Status::Error(EBUSY, "already mounted");
  if (Status st = Format(); !st.ok()) return st;
  std::vector<std::string> args = {"mount", "-d", spec_.metaUrl, mnt_, "--log", log_,
                                   "--cache-dir", tmp_.path() + "/cache"};
  if (spec_.allowOther) args.insert(args.end(), {"-o", "allow_other"});
  args.insert(args.end(), spec_.mountArgs.begin(), spec_.mountArgs.end());
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  std::string out;
  int rc = RunSlicefs(args, &out);
  if (rc != 0) return Status::Error(EIO, "slicefs mount failed (" + std::to_string(rc) + "): " + out);
  auto p = out.find("(pid ");
  if (p == std::string::npos) return Status::Error(EIO, "no pid in mount output: " + out);
  pid_ = std::atoi(out.c_str() + p + 5);
  if (pid_ <= 0) return Status::Error(EIO, "bad pid in mount output: " + out);
  return Status::OK();
}

Status TestMount::Unmount() {
  if (!mounted()) return Status::OK();
  std::string out;
  int rc = 0;
  for (int i = 0; i < 50 && IsMounted(mnt_); i++) {
    rc = RunCommand({"fusermount3", "-u", mnt_}, &out);
    if (rc == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // busy: a closing file
  }
  bool stuck = IsMounted(mnt_);
  if (stuck) {
    RunCommand({"fusermount3", "-u", "-z", mnt_}, &out);
    stuck = IsMounted(mnt_);
  }
  pid_t pid = pid_;
  pid_ = 0;
  if (!WaitGone(pid, 60)) {
    kill(pid, SIGKILL);
    WaitGone(pid, 10);
    return Status::Error(ETIMEDOUT, "mount process did not exit after unmount; killed");
  }
  if (stuck) return Status::Error(EBUSY, "fusermount3 -u failed: " + out);
  return Status::OK();
}

Status TestMount::Crash() {
  if (!mounted()) return Status::Error(EINVAL, "not mounted");
  kill(pid_, SIGKILL);
  WaitGone(pid_, 10);
  pid_ = 0;
  std::string out;
  if (RunCommand({"fusermount3", "-u", mnt_}, &out) != 0 &&
      RunCommand({"fusermount3", "-u", "-z", mnt_}, &out) != 0) {
    return Status::Error(EIO, "cannot unmount the dead mount: " + out);
  }
  return Status::OK();
}

TestMount* MountedTest::mount_ = nullptr;
std::string MountedTest::skipReason_;

void MountedTest::SetUpTestSuite() {
  skipReason_.clear();
  if (!FuseAvailable(&skipReason_)) return;
  // SLICEFS_TEST_STORAGE=s3 runs every mounted suite on s3rver storage.
  VolumeSpec spec;
  if (const char* st = std::getenv("SLICEFS_TEST_STORAGE"); st && *st) spec.storage = st;
  // SLICEFS_TEST_ENGINE=redis (postgres, etcd) puts the metadata on that
  // engine's server instead of sqlite3.
  if (const char* e = std::getenv("SLICEFS_TEST_ENGINE"); e && *e) {
    auto url = FreshEngineUrl(e);
    if (!url) {
      skipReason_ = "engine " + std::string(e) + ": " + url.error().ToString();
      if (!url.error().is(ENOTSUP)) skipReason_ = "mount failed: " + skipReason_;
      return;
    }
    spec.metaUrl = *url;
  }
  mount_ = new TestMount(spec);
  Status st = mount_->Mount();
  if (!st.ok()) {
    skipReason_ = "mount failed: " + st.ToString();
    std::fprintf(stderr, "%s\n", skipReason_.c_str());
    delete mount_;
    mount_ = nullptr;
  }
}

void MountedTest::TearDownTestSuite() {
  delete mount_;
  mount_ = nullptr;
}

void MountedTest::SetUp() {
  if (!mount_) {
    if (skipReason_.rfind("mount failed", 0) == 0) FAIL() << skipReason_;
    SKIP_OR_FAIL(skipReason_);
  }
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (auto& c : name) {
    if (c == '/') c = '_';
  }
  dir_ = *mount_ / name;
  ASSERT_EQ(mkdir(dir_.c_str(), 0777), 0) << dir_ << ": " << std::strerror(errno);
  ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
}

int RunAs(uid_t uid, gid_t gid, const std::vector<gid_t>& groups, const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (setgroups(groups.size(), groups.data()) != 0) _exit(200);
    if (setresgid(gid, gid, gid) != 0) _exit(201);
    if (setresuid(uid, uid, uid) != 0) _exit(202);
    _exit(fn() & 0xff);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool WriteFile(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      close(fd);
      return false;
    }
    off += n;
  }
  return close(fd) == 0;
}

std::string FileDigest(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n <= 0) break;
    EVP_DigestUpdate(ctx, buf.data(), n);
  }
  close(fd);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char h[3];
  for (unsigned i = 0; i < len; i++) {
    std::snprintf(h, sizeof(h), "%02x", md[i]);
    hex += h;
  }
  return hex;
}

}  // namespace slicefs::testing
