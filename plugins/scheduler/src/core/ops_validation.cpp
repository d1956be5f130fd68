// ops_validation.cpp — page size, base64url and page-token helpers (see ops_validation.hpp).
#include "core/ops_validation.hpp"

#include <array>
#include <charconv>

namespace jobengine::scheduler {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decodeChar(char c) {
  const size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::optional<int64_t> parseNonNegative(std::string_view text) {
  if (text.empty() || text.size() > 18) {
    return std::nullopt;
  }
  int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    return std::nullopt;
  }
  return value;
}

std::string versionEtag(int64_t version) { return "\"v" + std::to_string(version) + "\""; }

IfMatch parseIfMatch(std::string_view header) {
  IfMatch out;
  while (!header.empty() && header.front() == ' ') {
    header.remove_prefix(1);
  }
  while (!header.empty() && header.back() == ' ') {
    header.remove_suffix(1);
  }
  if (header == "*") {
    out.any = true;
    return out;
  }
  if (header.rfind("W/", 0) == 0) {
    header.remove_prefix(2);  // weak comparison is enough for a version tag
  }
  if (header.size() < 4 || header.front() != '"' || header.back() != '"' || header[1] != 'v') {
    out.matches_nothing = true;
    return out;
  }
  out.version = parseNonNegative(header.substr(2, header.size() - 3));
  out.matches_nothing = !out.version.has_value();
  return out;
}

PageSizeResult parsePageSize(const std::optional<std::string>& raw) {
  PageSizeResult out;
  if (!raw) {
    return out;
  }
  const auto value = parseNonNegative(*raw);
  if (!value || *value < 1 || *value > kMaxPageSize) {
    out.error = FieldError{400, "INVALID_ARGUMENT",
                           "query parameter page_size must be an integer from 1 to " +
                               std::to_string(kMaxPageSize) + ", got '" + *raw + "'",
                           "page_size"};
    return out;
  }
  out.page_size = static_cast<int>(*value);
  return out;
}

std::string base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (const char ch : bytes) {
    buffer = (buffer << 8U) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> static_cast<unsigned>(bits)) & 0x3FU]);
    }
  }
  if (bits > 0) {
    out.push_back(kAlphabet[(buffer << static_cast<unsigned>(6 - bits)) & 0x3FU]);
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char ch : text) {
    const int v = decodeChar(ch);
    if (v < 0) {
      return std::nullopt;
    }
    buffer = (buffer << 6U) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

std::string encodePageToken(const nlohmann::json& keyset) { return base64UrlEncode(keyset.dump()); }

std::optional<nlohmann::json> decodePageToken(std::string_view token, size_t arity) {
  const auto raw = base64UrlDecode(token);
  if (!raw) {
    return std::nullopt;
  }
  auto parsed = nlohmann::json::parse(*raw, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array() || parsed.size() != arity) {
    return std::nullopt;
  }
  for (const auto& v : parsed) {
    if (!v.is_string() && !v.is_number_integer()) {
      return std::nullopt;
    }
  }
  return parsed;
}

}  // namespace jobengine::scheduler
