// errnoText(): the text of an errno value, thread-safe (strerror is not: the export job may run
// on a worker thread while a key is loaded elsewhere). For the file errors of the audit core.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

namespace jobengine::audit {

inline std::string errnoText(int error = errno) {
  char buffer[256] = {};
  // GNU strerror_r (C++ builds define _GNU_SOURCE) returns the text, in buffer or static.
  return ::strerror_r(error, buffer, sizeof buffer);
}

}  // namespace jobengine::audit
