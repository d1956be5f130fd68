// ops_validation.hpp — request validation shared by the operator routes (sources, dead
// letters, pack runs): one error type that maps onto the SPEC §5 envelope, page size parsing
// and the opaque keyset page token.
//
// The page token is base64url (no padding) of a compact JSON array holding the last row's
// keyset values, so a page boundary survives concurrent inserts (keyset, not offset). It is
// opaque to clients; a token that does not decode to a JSON array is a 400.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace jobengine::scheduler {

// A client error: HTTP status (400 malformed, 422 semantically invalid), UPPER_SNAKE code,
// a message saying what was wrong and what is allowed, and the offending field (may be empty).
struct FieldError {
  int status = 400;
  std::string code;
  std::string message;
  std::string field;
};

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// page_size: absent -> 50; an integer 1..500 -> itself; anything else -> 400 INVALID_ARGUMENT.
struct PageSizeResult {
  int page_size = kDefaultPageSize;
  std::optional<FieldError> error;
};
PageSizeResult parsePageSize(const std::optional<std::string>& raw);

std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

std::string encodePageToken(const nlohmann::json& keyset);
// nullopt unless the token decodes to a JSON array of exactly `arity` values.
std::optional<nlohmann::json> decodePageToken(std::string_view token, size_t arity);

// ETags of versioned resources (sources): the strong tag "v<version>".
std::string versionEtag(int64_t version);
// If-Match header -> the version it names. "*" matches any version (nullopt in `version`);
// a list ("a", "b") or an unknown tag never matches (matches_nothing).
struct IfMatch {
  bool any = false;
  bool matches_nothing = false;
  std::optional<int64_t> version;
};
IfMatch parseIfMatch(std::string_view header);

// A non-negative decimal integer (e.g. ?after=<seq>); nullopt when not one.
std::optional<int64_t> parseNonNegative(std::string_view text);

}  // namespace jobengine::scheduler
