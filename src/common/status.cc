#include "common/status.h"

#include <cstring>

namespace slicefs {

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = std::strerror(code_);
  if (!msg_.empty()) {
    s += ": ";
    s += msg_;
  }
  return s;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  Status s = *this;
  s.msg_ = std::string(prefix) + ": " + msg_;
  return s;
}

}  // namespace slicefs
