#include "fuse/access_log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "fuse/op_trace.h"

namespace slicefs::fusead {
namespace {

std::string ReadNow(AccessLog& log, uint64_t id, size_t max = 1 << 20) {
  return log.Read(id, max, [] { return true; });
}

TEST(AccessLog, EveryReaderSeesEveryLineFromItsOpenOn) {
  AccessLog log;
  EXPECT_FALSE(log.active());
  log.Append("never seen");
  uint64_t a = log.Open();
  EXPECT_TRUE(log.active());
  log.Append("one");
  uint64_t b = log.Open();
  log.Append("two");
  EXPECT_EQ(ReadNow(log, a), "one\ntwo\n");
  EXPECT_EQ(ReadNow(log, b), "two\n");
  EXPECT_EQ(ReadNow(log, a), "");  // nothing new: gives up when stop() says so
  log.Close(a);
  log.Close(b);
  EXPECT_FALSE(log.active());
}

TEST(AccessLog, ABoundedBufferDropsInOrderAndSaysSo) {
  AccessLog log;
  uint64_t id = log.Open();
  const std::string line(1000, 'x');
  const size_t fit = AccessLog::kReaderBufferBytes / (line.size() + 1);
  for (size_t i = 0; i < fit + 10; i++) log.Append(line);
  EXPECT_EQ(log.dropped(), 10u);
  std::string all;
  for (std::string s; !(s = ReadNow(log, id, 65536)).empty();) all += s;
  EXPECT_EQ(all.size(), fit * (line.size() + 1) + std::string("#dropped 10 lines\n").size());
  EXPECT_EQ(all.substr(all.size() - 18), "#dropped 10 lines\n");
  log.Append("after");  // room again
  EXPECT_EQ(ReadNow(log, id), "after\n");
}

TEST(AccessLog, SmallReadsGetWholeLinesOrPiecesOfALongOne) {
  AccessLog log;
  uint64_t id = log.Open();
  log.Append("aaaa");
  log.Append("bbbb");
  EXPECT_EQ(ReadNow(log, id, 7), "aaaa\n");
  log.Append(std::string(10, 'c'));
  EXPECT_EQ(ReadNow(log, id, 7), "bbbb\n");
  EXPECT_EQ(ReadNow(log, id, 7), "ccccccc");
  EXPECT_EQ(ReadNow(log, id, 7), "ccc\n");
}

TEST(AccessLog, ABlockedReadWakesForALineAnInterruptOrShutdown) {
  AccessLog log;
  uint64_t id = log.Open();
  auto never = [] { return false; };
  auto r = std::async(std::launch::async, [&] { return log.Read(id, 100, never); });
  EXPECT_EQ(r.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  log.Append("x");
  EXPECT_EQ(r.get(), "x\n");
  r = std::async(std::launch::async, [&] { return log.Read(id, 100, never); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  log.Interrupt(id);
  EXPECT_EQ(r.get(), "");
  r = std::async(std::launch::async, [&] { return log.Read(id, 100, never); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  log.Shutdown();
  EXPECT_EQ(r.get(), "");
}

TEST(AccessLogLine, Format) {
  std::string l = AccessLogLine(1764599400123456, 1000, 100, 42, "write", "3,5,0", 5, true, 0.000321);
  EXPECT_NE(l.find(".123456 [uid:1000,gid:100,pid:42] write (3,5,0): OK (5) <0.000321>"), std::string::npos) << l;
  l = AccessLogLine(0, 0, 0, 1, "lookup", "1,x", -ENOENT, false, 0.5);
  EXPECT_NE(l.find("] lookup (1,x): ENOENT <0.500000>"), std::string::npos) << l;
}

}  // namespace
}  // namespace slicefs::fusead
