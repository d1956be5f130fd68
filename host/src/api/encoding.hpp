// Byte encodings and digests shared by auth, idempotency and streams.
//
// base64url without padding (RFC 4648 §5, forwarded to the SDK's jobengine/base64url.hpp) for
// JWT segments, hex (the SDK's jobengine/hex.hpp), SHA-256 and HMAC-SHA256 through OpenSSL,
// constant-time comparison, and query-string decoding for the stream listener. Pure functions;
// safe from any thread.
#pragma once

#include <jobengine/hex.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::host {

std::string base64urlEncode(std::string_view bytes);
// Accepts input with or without '=' padding; nullopt on any character outside the alphabet.
std::optional<std::string> base64urlDecode(std::string_view text);

std::string sha256(std::string_view bytes);                            // 32 raw bytes
std::string hmacSha256(std::string_view key, std::string_view bytes);  // 32 raw bytes
using sdk::hexEncode;  // lower-case hex (jobengine/hex.hpp)
bool constantTimeEquals(std::string_view a, std::string_view b);
// Cryptographically random bytes (OpenSSL RAND_bytes).
std::string randomBytes(std::size_t count);

// Percent-decoding ('+' as space); nullopt on a malformed escape.
std::optional<std::string> urlDecode(std::string_view text);
// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; malformed pairs are skipped.
std::vector<std::pair<std::string, std::string>> parseQueryString(std::string_view query);

}  // namespace jobengine::host
