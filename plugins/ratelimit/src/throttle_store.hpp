// throttle_store.hpp — SQL of the throttle operator routes (ratelimit.throttles, migration 0002):
// the active throttles (expires_at > now(): an expired row is ignored at once, and deleted with
// its throttle.expired event by the sweeper), insert and delete, in the caller's tenant-bound
// transaction.
#pragma once

#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/operator_input.hpp"

namespace jobengine::ratelimit {

struct ThrottleRow {
  std::string id;
  std::string target_kind;  // 'source' | 'job_type'
  std::string target;
  std::string action;  // 'pause' | 'cap'
  std::optional<int> max_active;
  std::string reason;
  std::optional<std::string> ticket;
  std::optional<std::string> created_by;
  std::string expires_at;  // RFC 3339
  std::string created_at;
};

// The throttle JSON: {id, targetKind ("source" | "jobType"), target, action, maxActive, reason,
// ticket, createdBy, expiresAt, createdAt}.
nlohmann::json throttleJson(const ThrottleRow& row);

// A page of the active throttles in id order, strictly after `after`.
std::vector<ThrottleRow> listActiveThrottles(sdk::Txn& txn, const std::optional<std::string>& after,
                                             int limit);

struct NewThrottle {
  std::string id;
  ThrottleInput input;
  std::string reason;
  std::optional<std::string> ticket;
  std::optional<std::string> created_by;
};
ThrottleRow insertThrottle(sdk::Txn& txn, const NewThrottle& throttle);

// Deletes an active throttle; nullopt when there is none with that id (or it expired).
std::optional<ThrottleRow> deleteActiveThrottle(sdk::Txn& txn, const std::string& id);

}  // namespace jobengine::ratelimit
