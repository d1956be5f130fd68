// Keyset pagination (SPEC §5): page_size / page_token parsing and nextPageToken building.
//
// A page token is opaque to clients: base64url(JSON {"k":[last sort key values],"v":1}) + "." +
// base64url(HMAC-SHA256 over the JSON and a binding string, truncated to 16 bytes). The binding
// (e.g. the route and its filters) stops a token minted for one listing from being replayed on
// another. Handlers fetch page_size + 1 rows ordered by the key; finishPage() trims the extra
// row and builds the token only when it existed. Stateless; safe from any thread.
#pragma once

#include "api/http_error.hpp"
#include "api/result.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobengine::host {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

struct PageRequest {
  int page_size = kDefaultPageSize;
  std::optional<nlohmann::json> after;  // the decoded key array; nullopt on the first page
  int fetchLimit() const { return page_size + 1; }
};

class PageTokenCodec {
 public:
  // `secret` keys the HMAC; share it across replicas so any replica accepts any token.
  explicit PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

  std::string encode(const nlohmann::json& key_values, std::string_view binding = {}) const;
  // 400 INVALID_PAGE_TOKEN on bad encoding, bad MAC, wrong version, a key that is not an array,
  // or (when expected_key_size > 0) an array of a different length.
  Result<nlohmann::json, HttpError> decode(std::string_view token, std::string_view binding = {},
                                           std::size_t expected_key_size = 0) const;

 private:
  std::string mac(std::string_view json, std::string_view binding) const;
  std::string secret_;
};

// Parses the raw query values (nullopt when absent). 400 INVALID_PAGE_SIZE for non-integers or
// values outside 1..500; 400 INVALID_PAGE_TOKEN from the codec.
Result<PageRequest, HttpError> parsePageRequest(std::optional<std::string_view> page_size,
                                                std::optional<std::string_view> page_token,
                                                const PageTokenCodec& codec,
                                                std::string_view binding = {},
                                                std::size_t expected_key_size = 0);

// Trims `rows` (fetched with fetchLimit()) to page_size and returns the nextPageToken built
// from the last kept row's key, or nullopt on the last page.
template <typename Row, typename KeyFn>
std::optional<std::string> finishPage(std::vector<Row>& rows, const PageRequest& request,
                                      const PageTokenCodec& codec, KeyFn key_of,
                                      std::string_view binding = {}) {
  const auto size = static_cast<std::size_t>(request.page_size);
  if (rows.size() <= size) {
    return std::nullopt;
  }
  rows.resize(size);
  return codec.encode(key_of(rows.back()), binding);
}

}  // namespace jobengine::host
