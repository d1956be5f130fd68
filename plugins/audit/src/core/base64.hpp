// Standard base64 (RFC 4648 §4) for DSSE envelopes (dsse.hpp): DSSE writes the payload and the
// signatures in standard base64 with padding, and its verifiers must also accept the URL-safe
// alphabet (DSSE protocol.md). The SDK's base64url.hpp covers only the unpadded URL-safe form.
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobengine::audit {

// Standard alphabet, padded with '=' to a multiple of 4 characters.
std::string base64Encode(std::string_view bytes);

// Standard or URL-safe alphabet (not both in one text), padded or not; nullopt on any other
// character, misplaced padding or a length no encoder produces.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace jobengine::audit
