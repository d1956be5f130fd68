// SHA-256 digests through OpenSSL's one-shot EVP_Digest (see sha256.hpp).
#include "jobengine/adapter/sha256.hpp"

#include <openssl/evp.h>
#include <jobengine/hex.hpp>

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
  return sdk::hexEncode(std::string_view(reinterpret_cast<const char*>(md.data()), len));
}

std::string sha256Digest(std::string_view bytes) { return "sha256:" + sha256Hex(bytes); }

}  // namespace jobengine::adapter
