// SHA-256 digests through OpenSSL's one-shot EVP_Digest (see sha256.hpp).
#include "jobengine/adapter/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace jobengine::adapter {

std::string sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != 32) {
    throw std::runtime_error("sha256Digest: OpenSSL EVP_Digest(SHA-256) failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0x0f]);
  }
  return out;
}

std::string sha256Digest(std::string_view bytes) { return "sha256:" + sha256Hex(bytes); }

}  // namespace jobengine::adapter
