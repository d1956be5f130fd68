// PageTokenCodec and page_size parsing (see pagination.hpp).
#include "api/pagination.hpp"

#include "api/encoding.hpp"

#include <charconv>

namespace jobengine::host {
namespace {

constexpr std::size_t kMacBytes = 16;

HttpError badToken(std::string why) {
  return makeHttpError(400, "INVALID_PAGE_TOKEN",
                       "page_token: " + why + " (pass nextPageToken from the previous page as is)",
                       {{"parameter", "page_token"}});
}

}  // namespace

std::string PageTokenCodec::mac(std::string_view json, std::string_view binding) const {
  std::string input(json);
  input.push_back('\0');
  input.append(binding);
  return hmacSha256(secret_, input).substr(0, kMacBytes);
}

std::string PageTokenCodec::encode(const nlohmann::json& key_values,
                                   std::string_view binding) const {
  const std::string json = nlohmann::json{{"k", key_values}, {"v", 1}}.dump();
  return base64urlEncode(json) + "." + base64urlEncode(mac(json, binding));
}

Result<nlohmann::json, HttpError> PageTokenCodec::decode(std::string_view token,
                                                         std::string_view binding,
                                                         std::size_t expected_key_size) const {
  const auto dot = token.find('.');
  if (token.empty() || token.size() > 4096 || dot == std::string_view::npos) {
    return fail(badToken("malformed token"));
  }
  const auto json = base64urlDecode(token.substr(0, dot));
  const auto sig = base64urlDecode(token.substr(dot + 1));
  if (!json || !sig) {
    return fail(badToken("malformed token"));
  }
  if (!constantTimeEquals(*sig, mac(*json, binding))) {
    return fail(badToken("token was not issued for this listing or was altered"));
  }
  auto doc = nlohmann::json::parse(*json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("v", 0) != 1) {
    return fail(badToken("unsupported token version"));
  }
  const auto k = doc.find("k");
  if (k == doc.end() || !k->is_array() ||
      (expected_key_size > 0 && k->size() != expected_key_size)) {
    return fail(badToken("token key does not match this listing"));
  }
  return *k;
}

Result<PageRequest, HttpError> parsePageRequest(std::optional<std::string_view> page_size,
                                                std::optional<std::string_view> page_token,
                                                const PageTokenCodec& codec,
                                                std::string_view binding,
                                                std::size_t expected_key_size) {
  PageRequest out;
  if (page_size) {
    int n = 0;
    const auto* end = page_size->data() + page_size->size();
    const auto [ptr, ec] = std::from_chars(page_size->data(), end, n);
    if (page_size->empty() || ec != std::errc{} || ptr != end || n < 1 || n > kMaxPageSize) {
      return fail(makeHttpError(400, "INVALID_PAGE_SIZE",
                                "page_size: '" + std::string(page_size->substr(0, 32)) +
                                    "' is not an integer between 1 and 500",
                                {{"parameter", "page_size"}, {"max", kMaxPageSize}}));
    }
    out.page_size = n;
  }
  if (page_token && !page_token->empty()) {
    auto key = codec.decode(*page_token, binding, expected_key_size);
    if (!key) {
      return fail(key.error());
    }
    out.after = std::move(key).value();
  }
  return out;
}

}  // namespace jobengine::host
