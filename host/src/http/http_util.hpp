// Small string helpers the HTTP layer shares: percent-decoding, case-insensitive compares,
// random hex ids, and W3C `traceparent` parsing (SPEC §5 "Tracing").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobengine::host {

// Decodes %XX escapes; with plus_as_space (query strings) '+' becomes ' '. Malformed escapes
// are kept as they are.
std::string percentDecode(std::string_view in, bool plus_as_space);
std::string toLower(std::string_view in);
bool iequals(std::string_view a, std::string_view b);
// `bytes` random bytes as 2*bytes lower-case hex characters (never all zero).
std::string randomHex(size_t bytes);
// The trace id (32 lower-case hex) of a W3C traceparent "00-<trace>-<span>-<flags>", or
// nullopt when the header is malformed or the trace id is all zeros.
std::optional<std::string> parseTraceparent(std::string_view header);
// The first value of a query parameter in a raw query string ("a=1&b=2"), URL-decoded.
std::optional<std::string> queryValue(std::string_view raw_query, std::string_view name);

}  // namespace jobengine::host
