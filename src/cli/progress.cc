#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "common/size.h"

namespace slicefs::cli {

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {
std::string FormatDuration(double secs) {
  auto s = static_cast<uint64_t>(secs + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
  else std::snprintf(buf, sizeof buf, "%llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
  return buf;
}
}  // namespace

Progress::Progress(std::string verb, std::string unit, bool quiet)
    : verb_(std::move(verb)), unit_(std::move(unit)), quiet_(quiet),
      tty_(!quiet && isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {
  if (!quiet_) drawer_ = std::thread([this] { Loop(); });
}

Progress::~Progress() {
  std::unique_lock lk(mu_);
  stop_ = true;
  done_ = true;
  lk.unlock();
  cv_.notify_all();
  if (drawer_.joinable()) drawer_.join();
}

void Progress::SetNote(std::string note) {
  std::lock_guard lk(mu_);
  note_ = std::move(note);
}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::Line(bool final) const {
  const uint64_t n = count(), b = bytes(), total = total_.load(std::memory_order_relaxed);
  const double secs = seconds();
  const double rate = secs > 0 ? static_cast<double>(n) / secs : 0.0;
  std::string line = verb_ + ": " + FormatCount(n);
  if (total > 0 && !final) line += "/" + FormatCount(total);
  line += " " + unit_;
  if (b > 0) line += ", " + FormatSize(b);
  if (final) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " in %.1f s", secs);
    line += buf;
    line += " (" + FormatCount(static_cast<uint64_t>(rate)) + " " + unit_ + "/s";
    if (b > 0 && secs > 0) line += ", " + FormatSize(static_cast<uint64_t>(static_cast<double>(b) / secs)) + "/s";
    line += ")";
  } else {
    line += ", " + FormatCount(static_cast<uint64_t>(rate)) + " " + unit_ + "/s";
    if (total > n && rate > 0) line += ", ETA " + FormatDuration(static_cast<double>(total - n) / rate);
  }
  std::lock_guard lk(mu_);
  if (!note_.empty()) line += ", " + note_;
  return line;
}

void Progress::Loop() {
  // A terminal gets one line redrawn in place; a log file or pipe gets a
  // plain line now and then.
  const auto every = tty_ ? std::chrono::milliseconds(250) : std::chrono::milliseconds(10000);
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, every, [this] { return stop_; });
    if (stop_) break;
    lk.unlock();
    std::string line = Line(false);
    if (tty_) std::fprintf(stderr, "\r\033[K%s", line.c_str());
    else std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    lk.lock();
  }
}

bool Progress::Finish() {
  std::unique_lock lk(mu_);
  if (done_) return false;
  done_ = true;
  stop_ = true;
  lk.unlock();
  cv_.notify_all();
  if (drawer_.joinable()) drawer_.join();
  return true;
}

void Progress::Stop() {
  if (Finish() && tty_) std::fprintf(stderr, "\r\033[K");
}

void Progress::Done(const std::string& extra) {
  if (!Finish() || quiet_) return;
  std::string line = Line(true);
  if (!extra.empty()) line += ", " + extra;
  std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", line.c_str());
}

}  // namespace slicefs::cli
