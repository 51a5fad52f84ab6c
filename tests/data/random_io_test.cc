// Randomized data-path test: thousands of overlapping writes, truncates and
// reads at random offsets (around the 64 MiB chunk boundary and past EOF)
// applied to one file through DataStore and to a plain byte-array model;
// every read must match byte for byte, also after compaction and after the
// volume is reopened.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <random>

#include "data/data_env.h"
#include "support/test_util.h"

namespace slicefs::testing {
namespace {

std::string Bytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  uint64_t v = rng();
  for (size_t i = 0; i < n; i++) {
    if (i % 8 == 0) v = rng();
    s[i] = static_cast<char>(v >> (8 * (i % 8)));
  }
  return s;
}

class RandomIo : public ::testing::TestWithParam<std::string> {};

// An offset in one of the interesting windows: the start of the file, both
// sides of the first chunk boundary, or (rarely) somewhat further.
uint64_t PickOffset(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0: case 1: case 2: return rng() % (1 << 20);
    case 3: case 4: case 5: return kChunkSize - (1 << 20) + rng() % (2 << 20);
    case 6: return rng() % (kChunkSize + (2 << 20));
    default: return kChunkSize + (2 << 20) + rng() % (512 << 10);
  }
}

size_t PickLen(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0: return 1 + rng() % 16;
    case 1: case 2: return 1 + rng() % 4096;
    case 3: case 4: return 1 + rng() % (128 << 10);
    default: return 1 + rng() % (700 << 10);
  }
}

void CheckRead(DataEnv& env, Ino ino, const std::string& model, uint64_t off, size_t n, int step) {
  uint64_t len = env.ReadLength(ino);
  ASSERT_EQ(len, model.size()) << "length differs at step " << step;
  std::string out(n, '\x5a');
  auto r = env.data().Read(ino, off, std::span<char>(out.data(), n), len);
  ASSERT_TRUE(r.has_value()) << r.error().ToString() << " at step " << step;
  size_t want = off >= model.size() ? 0 : std::min<size_t>(n, model.size() - off);
  ASSERT_EQ(*r, want) << "short read at step " << step << " off " << off;
  if (want > 0 && std::memcmp(out.data(), model.data() + off, want) != 0) {
    size_t i = 0;
    while (out[i] == model[off + i]) i++;
    FAIL() << "data differs at step " << step << ": read off " << off << " len " << n
           << ", first bad byte at file offset " << off + i;
  }
}

void CheckWhole(DataEnv& env, Ino ino, const std::string& model, const char* when) {
  // Both windows that hold data, in big reads.
  SCOPED_TRACE(when);
  for (uint64_t off : {uint64_t{0}, kChunkSize - (1 << 20), kChunkSize + (2 << 20)}) {
    CheckRead(env, ino, model, off, 3 << 20, -1);
  }
}

TEST_P(RandomIo, MatchesByteArrayModel) {
  uint64_t seed = TestSeed(("RandomIo." + GetParam()).c_str());
  std::mt19937_64 rng(seed);
  TempDir dir("slicefs-randomio");
  DataEnvOptions o;
  o.meta = GetParam().substr(0, GetParam().find('_'));
  o.storage = GetParam().substr(GetParam().find('_') + 1);
  o.blockSizeKiB = 64;
  o.data.bufferSize = 8 << 20;
  o.data.memCacheSize = 4 << 20;
  o.data.compactThreshold = 20;
  o.data.cacheDir = dir.path() + "/cache";
  o.data.cacheSize = 16 << 20;
  auto envr = MakeDataEnv(o, dir.path());
  if (!envr && envr.error().is(ENOTSUP)) {
    SKIP_OR_FAIL(envr.error().ToString());
  }
  ASSERT_TRUE(envr.has_value()) << envr.error().ToString();
  DataEnv& env = **envr;
  Ino ino = *env.NewFile("random.bin");
  std::string model;
  const int kSteps = 3000;
  double opMs[7] = {};
  for (int step = 0; step < kSteps; step++) {
    int op = static_cast<int>(rng() % 100);
    auto t0 = std::chrono::steady_clock::now();
    struct Timer {
      double* slot;
      std::chrono::steady_clock::time_point t0;
      ~Timer() { *slot += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(); }
    } timer{&opMs[op < 50 ? 0 : op < 80 ? 1 : op < 88 ? 2 : op < 92 ? 3 : op < 96 ? 4 : op < 97 ? 5 : 6], t0};
    if (op < 50) {  // write
      uint64_t off = PickOffset(rng);
      std::string d = Bytes(rng, PickLen(rng));
      auto w = env.data().Write(ino, off, d);
      ASSERT_TRUE(w.has_value()) << w.error().ToString() << " at step " << step;
      ASSERT_EQ(*w, d.size());
      if (model.size() < off + d.size()) model.resize(off + d.size(), '\0');
      model.replace(off, d.size(), d);
    } else if (op < 80) {  // read, sometimes past EOF
      uint64_t off = rng() % 10 == 0 ? model.size() + rng() % 1000 : PickOffset(rng);
      ASSERT_NO_FATAL_FAILURE(CheckRead(env, ino, model, off, PickLen(rng), step));
    } else if (op < 88) {  // flush
      ASSERT_TRUE(env.data().Flush(ino).ok()) << "step " << step;
    } else if (op < 92) {  // truncate (a handle flushes first, as the vfs does)
      ASSERT_TRUE(env.data().Flush(ino).ok());
      uint64_t len = rng() % 3 == 0 ? PickOffset(rng) : model.size() - std::min<uint64_t>(model.size(), rng() % (300 << 10));
      ASSERT_TRUE(env.Truncate(ino, len).ok()) << "step " << step;
      env.data().Invalidate(ino);
      model.resize(len, '\0');
    } else if (op < 96) {  // compact a chunk now
      ASSERT_TRUE(env.data().Flush(ino).ok());
      uint32_t chunk = static_cast<uint32_t>(rng() % 2);
      Status st = env.data().Compact(ino, chunk);
      ASSERT_TRUE(st.ok() || st.is(ECANCELED)) << st.ToString() << " at step " << step;
      ASSERT_NO_FATAL_FAILURE(CheckRead(env, ino, model, chunk * kChunkSize + rng() % (1 << 20), 1 << 20, step));
    } else if (op < 97) {  // reopen the volume
      ASSERT_TRUE(env.Reopen().ok()) << "step " << step;
      ASSERT_NO_FATAL_FAILURE(CheckRead(env, ino, model, PickOffset(rng), PickLen(rng), step));
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::fprintf(stderr, "[time ms] write %.0f read %.0f flush %.0f truncate %.0f compact %.0f reopen %.0f\n",
               opMs[0], opMs[1], opMs[2], opMs[3], opMs[4], opMs[5]);
  ASSERT_NO_FATAL_FAILURE(CheckWhole(env, ino, model, "end, before final compaction"));
  ASSERT_TRUE(env.data().Flush(ino).ok());
  for (uint32_t c : {0u, 1u}) {
    Status st = env.data().Compact(ino, c);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_NO_FATAL_FAILURE(CheckWhole(env, ino, model, "after compaction"));
  ASSERT_TRUE(env.Reopen().ok());
  ASSERT_NO_FATAL_FAILURE(CheckWhole(env, ino, model, "after reopen"));
}

INSTANTIATE_TEST_SUITE_P(Data, RandomIo, ::testing::Values("fake_mem", "sqlite3_file", "mem_mem", "sqlite3_s3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace slicefs::testing
