#include "support/s3_server.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace slicefs::testing {

namespace {

Result<std::string> Run(const std::string& cmd) { return ShellOutput(cmd); }

std::string Script(const std::string& name) { return SourceDir() + "/scripts/servers/" + name; }

}  // namespace

Result<std::unique_ptr<S3Server>> S3Server::Start() {
  std::unique_ptr<S3Server> s(new S3Server());
  ASSIGN_OR_RETURN(s->endpoint_, Run(Script("start-s3rver.sh") + " " + s->dir_.path() + " 2>&1"));
  auto colon = s->endpoint_.rfind(':');
  if (!s->endpoint_.starts_with("http://") || colon == std::string::npos)
    return Err(EIO, "start-s3rver.sh printed no endpoint: " + s->endpoint_);
  s->port_ = s->endpoint_.substr(colon + 1);
  s->running_ = true;
  return s;
}

std::unique_ptr<S3Server> S3Server::External(const std::string& endpoint) {
  std::unique_ptr<S3Server> s(new S3Server());
  s->endpoint_ = endpoint;
  s->port_ = endpoint.substr(endpoint.rfind(':') + 1);
  return s;
}

S3Server::~S3Server() { (void)stop(); }

Status S3Server::stop() {
  if (!running_) return Status::OK();
  running_ = false;
  auto r = Run(Script("stop.sh") + " " + dir_.path() + " 2>&1");
  return r ? Status::OK() : r.error();
}

Status S3Server::restart() {
  if (running_) return Status::OK();
  // The port was just released; retry briefly in case it lingers.
  Status last;
  for (int i = 0; i < 20; i++) {
    auto r = Run(Script("start-s3rver.sh") + " " + dir_.path() + " " + port_ + " 2>&1");
    if (r) {
      running_ = true;
      return Status::OK();
    }
    last = r.error();
  }
  return last;
}

S3Server* SharedS3Server(std::string* why) {
  static std::mutex mu;
  static std::unique_ptr<S3Server> server;
  static std::string error;
  static bool tried = false;
  std::lock_guard<std::mutex> lock(mu);
  if (!tried) {
    tried = true;
    if (const char* ext = std::getenv("SLICEFS_TEST_S3_ENDPOINT"); ext && *ext) {
      server = S3Server::External(ext);
      return server.get();
    }
    auto s = S3Server::Start();
    if (s) {
      server = std::move(*s);
      // Stop it at exit even if a test fails.
      std::atexit([] { server.reset(); });
    } else {
      error = s.error().message();
    }
  }
  if (!server && why) *why = error;
  return server.get();
}

}  // namespace slicefs::testing
