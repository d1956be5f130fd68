// page_token_fuzz.cpp — the SDK's keyset page tokens and page_size parsing
// (sdk/include/jobengine/pagination.hpp), as every list route reads its query.
//
// Input: one control byte, then the page_token text. Control bits 0-1 give the key arity the
// listing expects (0..3), bit 2 picks one of two listings (bindings), bit 3 also reads the
// token text as page_size. Contract: a refusal is 400 INVALID_PAGE_TOKEN / INVALID_PAGE_SIZE
// naming the parameter; an accepted key has exactly `arity` strings or integers, re-encodes to
// a token that decodes to the same key, and is refused on the other listing.
#include <jobengine/pagination.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_target.hpp"

namespace {

using jobengine::fuzz::fuzzCheck;
namespace sdk = jobengine::sdk;

void checkRefusal(const std::optional<sdk::ClientError>& error, std::string_view code) {
  fuzzCheck(error.has_value(), "a refusal without an error");
  const sdk::ClientError& e = *error;
  fuzzCheck(e.status == 400 && e.code == code, "a page refusal with the wrong status or code");
  fuzzCheck(!e.message.empty(), "a page refusal without a message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const uint8_t control = data[0];
  const std::string_view token(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t arity = control & 0x3U;
  const std::string bindings[2] = {
      sdk::pageBinding("GET /api/v1/jobengine/jobs",
                       {{"status", std::nullopt}, {"type", std::string("concelier.fetch")}}),
      sdk::pageBinding("GET /api/v1/jobengine/runs")};
  const std::string& binding = bindings[(control >> 2U) & 1U];
  const std::string& other = bindings[((control >> 2U) & 1U) ^ 1U];

  if ((control & 0x8U) != 0) {
    const auto page_size = sdk::parsePageSize(token);
    if (page_size) {
      fuzzCheck(page_size.value >= 1 && page_size.value <= sdk::kMaxPageSize, "page_size range");
    } else {
      checkRefusal(page_size.error, "INVALID_PAGE_SIZE");
    }
  }

  const auto request = sdk::parsePageRequest(std::nullopt, token, binding, arity);
  if (!request) {
    checkRefusal(request.error, "INVALID_PAGE_TOKEN");
    return 0;
  }
  fuzzCheck(request.value.page_size == sdk::kDefaultPageSize, "default page size");
  if (!request.value.after) {
    fuzzCheck(token.empty(), "a non-empty token read as the first page");
    return 0;
  }
  const nlohmann::json& key = *request.value.after;
  fuzzCheck(key.is_array() && key.size() == arity, "an accepted key of the wrong arity");
  for (const auto& v : key) {
    fuzzCheck(v.is_string() || v.is_number_integer(), "an accepted key value of a wrong type");
  }
  const std::string again = sdk::encodePageToken(key, binding);
  const auto round_trip = sdk::decodePageToken(again, binding, arity);
  fuzzCheck(static_cast<bool>(round_trip), "a re-encoded token is refused");
  fuzzCheck(round_trip.value == key, "a re-encoded token decodes to another key");
  const auto elsewhere = sdk::decodePageToken(token, other, arity);
  fuzzCheck(!elsewhere, "a token was accepted on another listing");
  checkRefusal(elsewhere.error, "INVALID_PAGE_TOKEN");
  return 0;
}
