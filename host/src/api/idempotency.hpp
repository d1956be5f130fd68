// Idempotency-Key helpers (SPEC §5) that need no database: key validation, the request
// fingerprint, the stored response shape, and the replay decision.
//
// The store keeps one IdempotencyRecord per (tenant, key, method, path) for ≥ 24 h. A repeat
// with the same fingerprint replays the stored response with `Idempotent-Replayed: true`; a
// different fingerprint is 422 IDEMPOTENCY_KEY_REUSED; a repeat while the first is still in
// flight is 409 IDEMPOTENCY_IN_FLIGHT. The fingerprint is sha256 over method, path and the
// canonicalized body (JSON with sorted keys and no whitespace, so formatting does not matter).
#pragma once

#include "api/http_error.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobengine::host {

inline constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";
inline constexpr std::string_view kIdempotentReplayedHeader = "Idempotent-Replayed";
inline constexpr std::size_t kMaxIdempotencyKeyChars = 255;

// 400 INVALID_HEADER unless 1..255 visible ASCII characters.
std::optional<HttpError> validateIdempotencyKey(std::string_view key);

// JSON bodies re-serialized canonically (sorted keys, no whitespace); anything else as is.
std::string canonicalBody(std::string_view body);
// Lower-case hex sha256 over "METHOD\npath\n" + canonicalBody(body).
std::string requestFingerprint(std::string_view method, std::string_view path,
                               std::string_view body);

// The response kept for replay. Only headers a client may rely on are kept (see
// isReplayedHeader); hop-by-hop, tracing and auth headers are dropped.
struct IdempotencyRecord {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string fingerprint;
  bool completed = false;  // false while the first request is still in flight

  nlohmann::json toJson() const;
  static std::optional<IdempotencyRecord> fromJson(const nlohmann::json& j);
};

bool isReplayedHeader(std::string_view name);
// Filters response headers down to the replayable subset.
std::vector<std::pair<std::string, std::string>> replayableHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers);

enum class IdempotencyAction { kExecute, kReplay, kReject };

struct IdempotencyDecision {
  IdempotencyAction action = IdempotencyAction::kExecute;
  std::optional<HttpError> error;  // set with kReject (409 or 422)
};

// What to do with a request whose key already has `existing` (nullopt: first use).
IdempotencyDecision decideIdempotency(const std::optional<IdempotencyRecord>& existing,
                                      std::string_view fingerprint);

}  // namespace jobengine::host
