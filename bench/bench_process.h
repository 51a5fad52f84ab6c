// Runs a program as a child process (stderr to /dev/null) and reports its
// wall time, exit code and peak RSS (wait4's ru_maxrss), for benchmarks
// that time CLI commands in their own process.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace slicefs::bench {

struct Run {
  double seconds = 0;
  long maxRssKiB = 0;
  int rc = -1;
};

inline Run RunProcess(const std::vector<std::string>& argv, const std::string& stdoutFile = "") {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    if (!stdoutFile.empty()) {
      int out = open(stdoutFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) dup2(out, 1);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  Run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.maxRssKiB = ru.ru_maxrss;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

}  // namespace slicefs::bench
