// Implementation of the shared encodings (see encoding.hpp): base64url, hex, SHA-256,
// HMAC-SHA256, random bytes and query-string decoding.
#include "api/encoding.hpp"

#include <jobengine/base64url.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace jobengine::host {
// The SDK's header carries the one implementation, shared with plugins' page tokens.
std::string base64urlEncode(std::string_view bytes) { return sdk::base64urlEncode(bytes); }

std::optional<std::string> base64urlDecode(std::string_view text) {
  return sdk::base64urlDecode(text);
}

std::string sha256(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return {reinterpret_cast<const char*>(md.data()), len};
}

std::string hmacSha256(std::string_view key, std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md.data(),
           &len) == nullptr) {
    throw std::runtime_error("HMAC(sha256) failed");
  }
  return {reinterpret_cast<const char*>(md.data()), len};
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string randomBytes(std::size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::optional<std::string> urlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int hi = sdk::hexDigitValue(text[i + 1]);
      const int lo = sdk::hexDigitValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parseQueryString(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) {
      continue;
    }
    const auto eq = part.find('=');
    auto name = urlDecode(part.substr(0, eq));
    auto value = urlDecode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (name && value && !name->empty()) {
      out.emplace_back(std::move(*name), std::move(*value));
    }
  }
  return out;
}

}  // namespace jobengine::host
