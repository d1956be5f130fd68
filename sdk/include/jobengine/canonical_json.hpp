// canonical_json.hpp — RFC 8785 JSON Canonicalization Scheme (JCS) for nlohmann::json, and the
// `sha256:` digests built on it.
//
// Canonical form: object members sorted by their keys compared as UTF-16 code units, no
// insignificant whitespace, strings escaped exactly as ECMAScript JSON.stringify does (only
// `"`, `\` and control characters; \b \t \n \f \r short forms, other controls as \u00xx),
// integers written as-is, doubles in ECMAScript Number.prototype.toString form (shortest
// round-trip digits). NaN and infinities have no JSON form and throw. Invalid UTF-8 throws.
// Header-only; needs OpenSSL's libcrypto for the digests (OpenSSL::Crypto).
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "jobengine/json_limits.hpp"

namespace jobengine::sdk {

namespace canonical_detail {

// Decodes UTF-8 into UTF-16 code units (surrogate pairs above U+FFFF); throws on bad input.
inline std::u16string toUtf16(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t extra = 0;
    if (b0 < 0x80) {
      cp = b0;
    } else if ((b0 & 0xE0U) == 0xC0U) {
      cp = b0 & 0x1FU;
      extra = 1;
    } else if ((b0 & 0xF0U) == 0xE0U) {
      cp = b0 & 0x0FU;
      extra = 2;
    } else if ((b0 & 0xF8U) == 0xF0U) {
      cp = b0 & 0x07U;
      extra = 3;
    } else {
      throw std::invalid_argument("canonical JSON: invalid UTF-8 lead byte");
    }
    if (i + extra >= s.size() && extra > 0) {
      throw std::invalid_argument("canonical JSON: truncated UTF-8 sequence");
    }
    for (size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0U) != 0x80U) {
        throw std::invalid_argument("canonical JSON: invalid UTF-8 continuation byte");
      }
      cp = (cp << 6U) | (b & 0x3FU);
    }
    i += extra + 1;
    static constexpr uint32_t kMinForLength[] = {0, 0x80U, 0x800U, 0x10000U};
    if (cp < kMinForLength[extra] || cp > 0x10FFFFU || (cp >= 0xD800U && cp <= 0xDFFFU)) {
      throw std::invalid_argument("canonical JSON: overlong or out-of-range UTF-8");
    }
    if (cp >= 0x10000U) {
      cp -= 0x10000U;
      out.push_back(static_cast<char16_t>(0xD800U + (cp >> 10U)));
      out.push_back(static_cast<char16_t>(0xDC00U + (cp & 0x3FFU)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

inline void writeString(std::string& out, const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20U) {
          out += "\\u00";
          out.push_back(kHex[c >> 4U]);
          out.push_back(kHex[c & 0xFU]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace canonical_detail

// ECMAScript Number.prototype.toString for a finite double (RFC 8785 §3.2.2.3).
inline std::string formatEcmaNumber(double value) {
  if (!std::isfinite(value)) {
    throw std::invalid_argument("canonical JSON: NaN and Infinity are not allowed");
  }
  if (value == 0.0) {
    return "0";  // also -0
  }
  char buf[64];
  // Shortest round-trip digits in scientific form: d[.ddd]e[+-]xx.
  const auto res =
      std::to_chars(buf, buf + sizeof(buf), std::fabs(value), std::chars_format::scientific);
  const std::string sci(buf, res.ptr);
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (sci[i] != '.') {
      digits.push_back(sci[i]);
    }
  }
  const int exp10 = std::stoi(sci.substr(e_pos + 1));
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;  // value = 0.digits * 10^n
  std::string out = value < 0 ? "-" : "";
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out.push_back('.');
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    out += (n - 1 >= 0) ? "+" : "-";
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

// Recursion bound: every JSON input is parsed with at most kJsonMaxDepthCeiling levels
// (json_limits.hpp); the margin covers envelopes the engine wraps around an input. A deeper tree
// can only be built in code, and is refused instead of overflowing the stack.
inline constexpr int kCanonicalMaxDepth = kJsonMaxDepthCeiling + 64;

// Appends the canonical form of value to out. depth: nesting of value in the whole document.
inline void canonicalizeInto(std::string& out, const nlohmann::json& value, int depth = 0) {
  using Type = nlohmann::json::value_t;
  if ((value.is_array() || value.is_object()) && depth >= kCanonicalMaxDepth) {
    throw std::invalid_argument("canonical JSON: nested deeper than " +
                                std::to_string(kCanonicalMaxDepth) + " levels");
  }
  switch (value.type()) {
    case Type::null:
    case Type::discarded:
      out += "null";
      break;
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case Type::number_integer:
      out += std::to_string(value.get<int64_t>());
      break;
    case Type::number_unsigned:
      out += std::to_string(value.get<uint64_t>());
      break;
    case Type::number_float:
      out += formatEcmaNumber(value.get<double>());
      break;
    case Type::string: {
      const auto& s = value.get_ref<const std::string&>();
      (void)canonical_detail::toUtf16(s);  // validates UTF-8
      canonical_detail::writeString(out, s);
      break;
    }
    case Type::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) {
          out.push_back(',');
        }
        first = false;
        canonicalizeInto(out, item, depth + 1);
      }
      out.push_back(']');
      break;
    }
    case Type::object: {
      std::vector<std::pair<std::u16string, const std::string*>> keys;
      keys.reserve(value.size());
      for (auto it = value.begin(); it != value.end(); ++it) {
        keys.emplace_back(canonical_detail::toUtf16(it.key()), &it.key());
      }
      std::sort(keys.begin(), keys.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      bool first = true;
      for (const auto& [utf16, key] : keys) {
        if (!first) {
          out.push_back(',');
        }
        first = false;
        canonical_detail::writeString(out, *key);
        out.push_back(':');
        canonicalizeInto(out, value.at(*key), depth + 1);
      }
      out.push_back('}');
      break;
    }
    case Type::binary:
      throw std::invalid_argument("canonical JSON: binary values have no JSON form");
  }
}

// The RFC 8785 canonical serialization of value (UTF-8). Throws std::invalid_argument for
// NaN/Infinity, binary values or invalid UTF-8.
inline std::string canonicalJson(const nlohmann::json& value) {
  std::string out;
  canonicalizeInto(out, value);
  return out;
}

// Lower-case hex SHA-256 of bytes.
inline std::string sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &md_len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256: EVP_Digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(md_len * 2U);
  for (unsigned int i = 0; i < md_len; ++i) {
    out.push_back(kHex[md[i] >> 4U]);
    out.push_back(kHex[md[i] & 0xFU]);
  }
  return out;
}

// "sha256:<hex>" of raw bytes.
inline std::string sha256Digest(std::string_view bytes) { return "sha256:" + sha256Hex(bytes); }

// "sha256:<hex>" of the canonical JSON of value: the payload / entry digest used everywhere.
inline std::string canonicalDigest(const nlohmann::json& value) {
  return sha256Digest(canonicalJson(value));
}

}  // namespace jobengine::sdk
