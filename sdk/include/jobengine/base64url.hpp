// base64url.hpp — base64url without padding (RFC 4648 §5), header-only and dependency-free.
//
// Encoding never pads; decoding accepts input with or without trailing '=' and refuses any
// character outside the URL-safe alphabet or an impossible length (4n + 1). Used by page
// tokens (pagination.hpp) and by the host for JWT segments. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::sdk {

namespace base64url_detail {

inline constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 6-bit value of an alphabet character, -1 for any other.
inline int valueOf(char c) {
  const std::size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

inline uint32_t byteAt(std::string_view bytes, std::size_t i) {
  return static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]));
}

}  // namespace base64url_detail

inline std::string base64urlEncode(std::string_view bytes) {
  using base64url_detail::byteAt;
  using base64url_detail::kAlphabet;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n =
        (byteAt(bytes, i) << 16U) | (byteAt(bytes, i + 1) << 8U) | byteAt(bytes, i + 2);
    out.push_back(kAlphabet[(n >> 18U) & 63U]);
    out.push_back(kAlphabet[(n >> 12U) & 63U]);
    out.push_back(kAlphabet[(n >> 6U) & 63U]);
    out.push_back(kAlphabet[n & 63U]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = byteAt(bytes, i) << 16U;
    if (rest == 2) {
      n |= byteAt(bytes, i + 1) << 8U;
    }
    out.push_back(kAlphabet[(n >> 18U) & 63U]);
    out.push_back(kAlphabet[(n >> 12U) & 63U]);
    if (rest == 2) {
      out.push_back(kAlphabet[(n >> 6U) & 63U]);
    }
  }
  return out;
}

// nullopt on a character outside the alphabet or a length no encoder produces.
inline std::optional<std::string> base64urlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = base64url_detail::valueOf(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6U) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> static_cast<uint32_t>(bits)) & 0xFFU));
    }
  }
  return out;
}

}  // namespace jobengine::sdk
