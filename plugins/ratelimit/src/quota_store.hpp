// quota_store.hpp — SQL of the quota operator routes (ratelimit.quotas, migration 0002): list,
// load (optionally FOR UPDATE), insert, replace, pause/resume and delete, all in the caller's
// tenant-bound transaction (row-level security confines every statement to its tenant). The
// token bucket columns (tokens, tokens_at) are written here only as operator edits decide
// (core/operator_input.hpp); spending tokens is the admission store's business.
#pragma once

#include <jobengine/plugin.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/operator_input.hpp"

namespace jobengine::ratelimit {

struct QuotaRow {
  std::string id;
  std::string job_type;
  QuotaLimits limits;  // paused always set
  std::optional<std::string> pause_reason;
  QuotaBucketState bucket;
  int64_t version = 1;
  std::string created_at;  // RFC 3339
  std::string updated_at;
};

// The quota JSON of every route: {id, jobType, maxActive, maxPerHour, burst, backlogLimit, paused,
// pauseReason, version, createdAt, updatedAt}.
nlohmann::json quotaJson(const QuotaRow& row);

// A page of quotas ordered by `order_by_job_type` ? job_type : id, strictly after `after`.
std::vector<QuotaRow> listQuotas(sdk::Txn& txn, bool order_by_job_type,
                                 const std::optional<std::string>& after, int limit);

// One quota by id (a canonical UUID); FOR UPDATE when `lock`.
std::optional<QuotaRow> findQuota(sdk::Txn& txn, const std::string& id, bool lock);

// The id of the tenant's quota for job_type, if any.
std::optional<std::string> quotaIdForJobType(sdk::Txn& txn, const std::string& job_type);

// Inserts a quota; nullopt when the job type already has one (a concurrent create).
std::optional<QuotaRow> insertQuota(sdk::Txn& txn, const std::string& id,
                                    const std::string& job_type, const QuotaLimits& limits,
                                    const QuotaBucketState& bucket,
                                    const std::optional<std::string>& pause_reason);

// Replaces limits, paused, pause_reason and the bucket; version + 1.
QuotaRow replaceQuota(sdk::Txn& txn, const std::string& id, const QuotaLimits& limits,
                      const std::optional<std::string>& pause_reason,
                      const QuotaBucketState& bucket);

// Sets paused and pause_reason; version + 1.
QuotaRow setQuotaPaused(sdk::Txn& txn, const std::string& id, bool paused,
                        const std::optional<std::string>& pause_reason);

void deleteQuota(sdk::Txn& txn, const std::string& id);

}  // namespace jobengine::ratelimit
