#include "tree/tree_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace slicefs::testing {
namespace fs = std::filesystem;

void TreeTest::SetUp() {
  std::string why;
  if (!FuseAvailable(&why)) SKIP_OR_FAIL(why);
  ENGINE_URL_OR_SKIP(url, GetParam());
  url_ = url;
  VolumeSpec spec;
  spec.metaUrl = url;
  spec.formatArgs = {"--trash-days", "1"};
  m_ = std::make_unique<TestMount>(spec);
  Status st = m_->Mount();
  ASSERT_TRUE(st.ok()) << st.ToString();
}

std::unique_ptr<TestMount> TreeTest::SecondMount(const std::vector<std::pair<std::string, std::string>>& env) {
  VolumeSpec spec = m_->spec();
  spec.formatted = true;
  spec.bucket = m_->bucket();
  for (auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  auto m = std::make_unique<TestMount>(spec);
  Status st = m->Mount();
  for (auto& [k, v] : env) unsetenv(k.c_str());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return m;
}

int SlicefsAs(uid_t uid, const std::vector<std::string>& args, std::string* out) {
  if (uid == 0) return RunSlicefs(args, out);
  char tmpl[] = "/tmp/slicefs-tree-out-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return -1;
  fchmod(fd, 0666);
  const std::string bin = std::string(SLICEFS_BINARY_DIR) + "/slicefs";
  int rc = RunAs(uid, uid, {}, [&] {
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    return 127;
  });
  close(fd);
  if (out) *out = ReadFile(tmpl);
  unlink(tmpl);
  return rc;
}

std::map<std::string, std::string> TreeDigest(const std::string& root) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = it->path().lexically_relative(root).string();
    if (it->is_symlink()) {
      out[rel] = "-> " + fs::read_symlink(it->path()).string();
    } else if (it->is_directory()) {
      out[rel] = "dir";
    } else {
      out[rel] = FileDigest(it->path().string());
    }
  }
  return out;
}

void MakeTree(const std::string& root, int dirs, int filesPerDir) {
  fs::create_directories(root);
  for (int d = 0; d < dirs; d++) {
    std::string dir = root + "/d" + std::to_string(d);
    fs::create_directories(dir + "/sub");
    for (int f = 0; f < filesPerDir; f++) {
      std::string body(1024 + 37 * f, char('a' + (d + f) % 26));
      body += std::to_string(d) + "/" + std::to_string(f);
      ASSERT_TRUE(WriteFile(dir + "/f" + std::to_string(f), body));
    }
    ASSERT_TRUE(WriteFile(dir + "/sub/leaf", "leaf " + std::to_string(d)));
  }
  fs::create_symlink("d0/f0", root + "/link");
}

std::vector<std::string> TrashEntries(const TestMount& m) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& h : fs::directory_iterator(m / ".trash", ec)) {
    for (auto& e : fs::directory_iterator(h.path(), ec)) {
      out.push_back(h.path().filename().string() + "/" + e.path().filename().string());
    }
  }
  return out;
}

size_t ChunkObjects(const TestMount& m) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(m.bucket(), ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().string().find("/chunks/") != std::string::npos) n++;
  }
  return n;
}

size_t CountEntries(const std::string& root) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    n++;
  }
  return n;
}

}  // namespace slicefs::testing
