// jobengine/adapter/sha256.hpp — content digests of fetched documents ("sha256:<64 hex>"),
// used for file:// ETags and by the pipelines to tell a changed document from a re-fetch.
// OpenSSL EVP; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace jobengine::adapter {

// "sha256:" followed by 64 lower-case hex digits.
std::string sha256Digest(std::string_view bytes);
// The 64 hex digits alone.
std::string sha256Hex(std::string_view bytes);

}  // namespace jobengine::adapter
