// Standard and URL-safe base64 (base64.hpp says which forms are accepted).
#include "core/base64.hpp"

#include <cstdint>

namespace jobengine::audit {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

uint32_t byteAt(std::string_view bytes, size_t i) {
  return static_cast<uint32_t>(static_cast<unsigned char>(bytes[i]));
}

// The 6-bit value of c; -1 for a character of neither alphabet. `alphabet` remembers which
// alphabet the text uses once a character only one of them has appears (0 unknown, 1
// standard, 2 URL-safe); a text mixing both gets -1.
int valueOf(char c, int& alphabet) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  const bool standard = c == '+' || c == '/';
  const bool url_safe = c == '-' || c == '_';
  if (!standard && !url_safe) {
    return -1;
  }
  const int used = standard ? 1 : 2;
  if (alphabet != 0 && alphabet != used) {
    return -1;
  }
  alphabet = used;
  return c == '+' || c == '-' ? 62 : 63;
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n =
        (byteAt(bytes, i) << 16U) | (byteAt(bytes, i + 1) << 8U) | byteAt(bytes, i + 2);
    out.push_back(kStandard[(n >> 18U) & 63U]);
    out.push_back(kStandard[(n >> 12U) & 63U]);
    out.push_back(kStandard[(n >> 6U) & 63U]);
    out.push_back(kStandard[n & 63U]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = byteAt(bytes, i) << 16U;
    if (rest == 2) {
      n |= byteAt(bytes, i + 1) << 8U;
    }
    out.push_back(kStandard[(n >> 18U) & 63U]);
    out.push_back(kStandard[(n >> 12U) & 63U]);
    out.push_back(rest == 2 ? kStandard[(n >> 6U) & 63U] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  size_t padding = 0;
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++padding;
  }
  // Padding, when present, completes the last group to 4 characters, and nothing else.
  if (text.size() % 4 == 1 || (padding > 0 && (text.size() + padding) % 4 != 0) || padding > 2) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  int alphabet = 0;
  for (const char c : text) {
    const int v = valueOf(c, alphabet);
    if (v < 0) {
      return std::nullopt;
    }
    acc = ((acc << 6U) | static_cast<uint32_t>(v)) & 0xFFFFFFU;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> static_cast<uint32_t>(bits)) & 0xFFU));
    }
  }
  return out;
}

}  // namespace jobengine::audit
