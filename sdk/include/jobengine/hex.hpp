// hex.hpp — lower-case hexadecimal of bytes and back, header-only and dependency-free. One
// codec for the host (token ids, secrets, request ids), the adapter kit (sha256 digests, raw
// documents read back from SQL's encode(..., 'hex')) and the audit plugin (file digests).
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobengine::sdk {

// Two lower-case hex digits per byte.
inline std::string hexEncode(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4U]);
    out.push_back(kDigits[b & 0x0FU]);
  }
  return out;
}

// The value of one hex digit (either case), -1 for any other character (also what URL
// percent-decoding needs).
inline int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// The bytes of an even-length string of hex digits (either case); nullopt for an odd length or
// any other character.
inline std::optional<std::string> hexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexDigitValue(hex[i]);
    const int lo = hexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

}  // namespace jobengine::sdk
