#include "cli/encrypt_key.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/command.h"

namespace slicefs::cli {

std::string ReadPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CommandError("cannot read RSA key '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.size() > (64u << 10) || pem.find("-----BEGIN ") == std::string::npos)
    throw CommandError("'" + path + "' is not a PEM private key (create one with `openssl genrsa -aes256 -out key.pem 2048`)");
  return pem;
}

}  // namespace slicefs::cli
