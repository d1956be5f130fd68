// The one way the host fills a caller-owned ABI error buffer (abi.h): NUL-terminated and
// truncated to err_cap - 1 bytes; a no-op without a buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace jobengine::host {

inline void fillError(char* err, uint32_t err_cap, std::string_view message) noexcept {
  if (err == nullptr || err_cap == 0) {
    return;
  }
  const size_t n = message.size() < err_cap - 1 ? message.size() : err_cap - 1;
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

}  // namespace jobengine::host
