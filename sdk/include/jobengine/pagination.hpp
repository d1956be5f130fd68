// pagination.hpp — SPEC §5 keyset pagination for every list route, host and plugins alike:
// page_size parsing, the opaque page token, and trimming the extra row into nextPageToken.
// Header-only; needs nlohmann_json only (no OpenSSL). Stateless; safe from any thread.
//
// Use: parsePageRequest(query page_size, query page_token, binding, arity) → PageRequest;
// fetch fetchLimit() (= page_size + 1) rows ordered by the key, strictly after `after` when it
// is set; finishPage(rows, request, key_of, binding) trims the extra row and returns the token
// only when it existed (no nextPageToken on the last page).
//
// The token is base64url(JSON {"b": tag, "k": [key values], "v": 2}), where `k` holds the last
// returned row's sort key (strings and integers only, exactly `arity` of them) and `b` is a
// 64-bit FNV-1a tag of the binding: the route and its filter values (pageBinding()). A token
// minted for one listing is refused on another with 400 INVALID_PAGE_TOKEN.
//
// The token is not signed, on purpose: it is opaque to clients, not secret from them. Its key
// values only ever reach SQL as bound parameters of a query that row-level security and the
// tenant predicate already confine to the caller's tenant, and routes check each value's form
// (a UUID, a timestamp) before use; an edited token can only move the caller within their own
// rows. The binding tag catches the honest mistake (a token pasted onto another list or
// filter), not forgery. So plugin authors need no key and no crypto library.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "jobengine/base64url.hpp"
#include "jobengine/client_error.hpp"
#include "jobengine/json_limits.hpp"

namespace jobengine::sdk {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// Longer page_token values are refused before decoding.
inline constexpr std::size_t kMaxPageTokenChars = 4096;

struct PageRequest {
  int page_size = kDefaultPageSize;
  std::optional<nlohmann::json> after;  // the decoded key array; nullopt on the first page
  int fetchLimit() const { return page_size + 1; }
};

namespace pagination_detail {

inline constexpr int kTokenVersion = 2;  // 1 was the host's HMAC-signed form
// A token this API issued is an object holding one array of scalars: two levels deep.
inline constexpr int kTokenMaxDepth = 4;

inline std::string bindingTag(std::string_view binding) {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64
  for (const char c : binding) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t i = 0; i < 16; ++i) {
    out[15 - i] = kHex[(h >> (4U * i)) & 0xFU];
  }
  return out;
}

}  // namespace pagination_detail

// 400 INVALID_PAGE_TOKEN saying why; also what a route answers when its own check of a decoded
// key value (a UUID, a timestamp, a non-negative seq) fails.
inline ClientError invalidPageToken(const std::string& why) {
  return ClientError{400,
                     "INVALID_PAGE_TOKEN",
                     "page_token: " + why + " (pass nextPageToken from the previous page as is)",
                     {{"parameter", "page_token"}}};
}

// page_size: absent → 50; an integer 1..500 → itself; anything else (empty, signs, text,
// out of range) → 400 INVALID_PAGE_SIZE.
inline Checked<int> parsePageSize(std::optional<std::string_view> raw) {
  Checked<int> out;
  out.value = kDefaultPageSize;
  if (!raw) {
    return out;
  }
  int n = 0;
  const char* end = raw->data() + raw->size();
  const auto [ptr, ec] = std::from_chars(raw->data(), end, n);
  if (raw->empty() || ec != std::errc{} || ptr != end || n < 1 || n > kMaxPageSize) {
    out.error = ClientError{400,
                            "INVALID_PAGE_SIZE",
                            "page_size: '" + std::string(raw->substr(0, 32)) +
                                "' is not an integer between 1 and " + std::to_string(kMaxPageSize),
                            {{"parameter", "page_size"}, {"max", kMaxPageSize}}};
    return out;
  }
  out.value = n;
  return out;
}

// The binding of a listing: "GET /api/v1/jobengine/jobs?status=failed&type=&..." from the route
// and every filter that shapes the result (an absent filter and an empty one are the same).
inline std::string pageBinding(
    std::string_view route,
    std::initializer_list<std::pair<std::string_view, std::optional<std::string>>> filters = {}) {
  std::string out(route);
  char sep = '?';
  for (const auto& [name, value] : filters) {
    out.push_back(sep);
    out.append(name);
    out.push_back('=');
    out.append(value.value_or(""));
    sep = '&';
  }
  return out;
}

// The opaque token for the page after the row whose sort key is `key` (a JSON array).
inline std::string encodePageToken(const nlohmann::json& key, std::string_view binding) {
  const nlohmann::json doc = {{"b", pagination_detail::bindingTag(binding)},
                              {"k", key},
                              {"v", pagination_detail::kTokenVersion}};
  return base64urlEncode(doc.dump());
}

// The key array of a token minted by encodePageToken for this `binding`, holding exactly
// `arity` strings or integers; else 400 INVALID_PAGE_TOKEN.
inline Checked<nlohmann::json> decodePageToken(std::string_view token, std::string_view binding,
                                               std::size_t arity) {
  Checked<nlohmann::json> out;
  if (token.size() > kMaxPageTokenChars) {
    out.error = invalidPageToken("too long to be a token this API issued");
    return out;
  }
  const auto raw = base64urlDecode(token);
  auto parsed = raw ? parseJsonBounded(*raw, "page token", pagination_detail::kTokenMaxDepth)
                    : BoundedJson{nlohmann::json(), "not base64url", false};
  const nlohmann::json& doc = parsed.value;
  if (!raw || !parsed.ok() || !doc.is_object()) {
    out.error = invalidPageToken("not a token this API issued");
    return out;
  }
  const auto version = doc.find("v");
  if (version == doc.end() || *version != pagination_detail::kTokenVersion) {
    out.error = invalidPageToken("unsupported token version");
    return out;
  }
  const auto tag = doc.find("b");
  if (tag == doc.end() || *tag != pagination_detail::bindingTag(binding)) {
    out.error = invalidPageToken("the token belongs to another listing or other filters");
    return out;
  }
  const auto key = doc.find("k");
  bool well_formed = key != doc.end() && key->is_array() && key->size() == arity;
  if (well_formed) {
    for (const auto& v : *key) {
      well_formed = well_formed && (v.is_string() || v.is_number_integer());
    }
  }
  if (!well_formed) {
    out.error = invalidPageToken("the token's key does not fit this listing");
    return out;
  }
  out.value = std::move(*key);
  return out;
}

// The raw query values (nullopt when absent; an empty page_token means the first page).
inline Checked<PageRequest> parsePageRequest(std::optional<std::string_view> page_size,
                                             std::optional<std::string_view> page_token,
                                             std::string_view binding, std::size_t arity) {
  Checked<PageRequest> out;
  const auto size = parsePageSize(page_size);
  if (!size) {
    out.error = size.error;
    return out;
  }
  out.value.page_size = size.value;
  if (page_token && !page_token->empty()) {
    auto key = decodePageToken(*page_token, binding, arity);
    if (!key) {
      out.error = std::move(key.error);
      return out;
    }
    out.value.after = std::move(key.value);
  }
  return out;
}

// Trims `rows` (a std::vector or a JSON array, fetched with fetchLimit()) to page_size and
// returns the nextPageToken built from key_of(last kept row), or nullopt on the last page.
template <typename Rows, typename KeyFn>
std::optional<std::string> finishPage(Rows& rows, const PageRequest& request, KeyFn key_of,
                                      std::string_view binding) {
  const auto size = static_cast<std::size_t>(request.page_size);
  if (rows.size() <= size) {
    return std::nullopt;
  }
  rows.erase(std::next(rows.begin(), static_cast<std::ptrdiff_t>(size)), rows.end());
  return encodePageToken(key_of(rows.back()), binding);
}

}  // namespace jobengine::sdk
