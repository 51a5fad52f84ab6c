#include "vfs/control/wire.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace slicefs::control {
namespace {

Status SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status::Error(EIO, std::string("control channel write: ") + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

// Reads exactly n bytes; *got says how many arrived before an EOF.
Status RecvAll(int fd, char* p, size_t n, size_t* got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = ::read(fd, p + *got, n - *got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::Error(EIO, std::string("control channel read: ") + std::strerror(errno));
    if (r == 0) return Status::Error(EIO, "control channel closed");
    *got += static_cast<size_t>(r);
  }
  return Status::OK();
}

}  // namespace

Status WriteFrame(int fd, const nlohmann::json& msg) {
  std::string body = msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  uint32_t n = static_cast<uint32_t>(body.size());
  char hdr[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
  RETURN_IF_ERROR(SendAll(fd, hdr, 4));
  return SendAll(fd, body.data(), body.size());
}

Result<nlohmann::json> ReadFrame(int fd, size_t maxBytes) {
  unsigned char hdr[4];
  size_t got = 0;
  Status st = RecvAll(fd, reinterpret_cast<char*>(hdr), 4, &got);
  if (!st.ok()) return Err(got == 0 ? ENODATA : EIO, got == 0 ? "control channel closed" : st.message());
  size_t n = (size_t(hdr[0]) << 24) | (size_t(hdr[1]) << 16) | (size_t(hdr[2]) << 8) | hdr[3];
  if (n > maxBytes) {
    return Err(EMSGSIZE, "control message of " + std::to_string(n) + " bytes is over the limit of " +
                             std::to_string(maxBytes));
  }
  std::string body(n, '\0');
  RETURN_IF_ERROR(RecvAll(fd, body.data(), n, &got));
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Err(EINVAL, "control message is not JSON");
  return j;
}

}  // namespace slicefs::control
