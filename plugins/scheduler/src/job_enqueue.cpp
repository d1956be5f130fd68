// JobService, enqueue: one job or a batch of up to 1000 validated into rows (request_fields),
// refused over the backlog limit (je.ratelimit), inserted with their job.created events and,
// for in-process types, handed straight to this replica's idle runner in the same transaction
// (docs/queries.md, "Hand-off").
#include <jobengine/canonical_json.hpp>
#include <jobengine/ids.hpp>
#include <jobengine/json_limits.hpp>

#include <algorithm>
#include <limits>

#include "core/sql.hpp"
#include "job_service.hpp"
#include "request_fields.hpp"

namespace jobengine::scheduler {

using nlohmann::json;

json JobService::jobRecord(const json& job, const std::string& tenant,
                           const std::string& trace_id) const {
  if (!job.is_object()) {
    throw invalidField("jobs[]", "each job must be an object");
  }
  auto job_type = optString(job, "type", 128);
  if (!job_type) {
    job_type = optString(job, "jobType", 128);
  }
  if (!job_type) {
    throw invalidField("type", "is required");
  }
  const json payload =
      job.contains("payload") && !job["payload"].is_null() ? job["payload"] : json::object();
  const auto info = type(*job_type);
  auto pick = [](std::optional<int> given, int from_type, int fallback) {
    return given ? *given : (from_type > 0 ? from_type : fallback);
  };
  json r = {{"id", sdk::newUuidV7()},
            {"tenant_id", tenant},
            {"job_type", *job_type},
            {"status", "queued"},
            {"priority", optInt(job, "priority", 0, 9).value_or(5)},
            {"max_attempts", pick(optInt(job, "maxAttempts", 1, 100), info ? info->max_attempts : 0,
                                  settings_.default_max_attempts)},
            {"payload", payload},
            {"payload_digest", sdk::canonicalDigest(payload)},
            {"backoff_base_ms", pick(optInt(job, "backoffBaseMs", 1, 86400000),
                                     info ? info->backoff_base_ms : 0, settings_.backoff_base_ms)},
            {"backoff_cap_ms", pick(optInt(job, "backoffCapMs", 1, 86400000),
                                    info ? info->backoff_cap_ms : 0, settings_.backoff_cap_ms)},
            {"backoff_factor",
             info && info->backoff_factor >= 1 ? info->backoff_factor : settings_.backoff_factor}};
  const auto timeout = optInt(job, "timeoutSeconds", 1, 604800);
  if (timeout || (info && info->timeout_seconds > 0)) {
    r["timeout_seconds"] = timeout ? *timeout : info->timeout_seconds;
  }
  if (auto v = optString(job, "idempotencyKey")) {
    r["idempotency_key"] = *v;
  }
  if (auto v = optString(job, "correlationId")) {
    r["correlation_id"] = *v;
  }
  if (auto v = optString(job, "projectId", 128)) {
    r["project_id"] = *v;
  }
  if (auto v = optUuid(job, "sourceId")) {
    r["source_id"] = *v;
  }
  if (auto v = optUuid(job, "replayOf")) {  // set by POST /jobs/{id}/replay (job.replayed)
    r["replay_of"] = *v;
  }
  if (!trace_id.empty()) {
    r["trace_id"] = trace_id;
  }
  return r;
}

json JobService::insertJobs(sdk::Txn& txn, const json& records, const std::string& actor) {
  if (ratelimit_) {
    refuseOverBacklog(txn, records);
  }
  json out = json::array();
  useGenericPlans(txn);
  txn.exec(sql::kEnqueueBatch, {records.dump(), actor}, [&](const sdk::Row& row) {
    out.push_back({{"id", row.opt(2).value_or(row.str(1))},
                   {"status", row.opt(4).value_or("queued")},
                   {"created", row.boolean(3)}});
  });
  if (handOff(txn, records, out) > 0) {
    wakeRunnersAfterCommit(txn);
  }
  host_.counterAdd("scheduler_jobs_enqueued_total",
                   "Jobs submitted to enqueue (idempotent repeats included)", json::object(),
                   static_cast<double>(records.size()));
  return out;
}

int JobService::handOff(sdk::Txn& txn, const json& records, const json& inserted) {
  int room = handoff_.room ? handoff_.room() : 0;
  int left_queued = 0;
  std::map<int, json> by_lease;                           // lease seconds -> [{tenant_id, job_id}]
  std::map<int, std::vector<LeaseCandidate>> candidates;  // the same, for admission
  for (std::size_t i = 0; i < inserted.size() && i < records.size(); ++i) {
    if (!inserted[i]["created"].get<bool>() || inserted[i]["status"] != "queued") {
      continue;
    }
    const auto info = type(records[i]["job_type"].get<std::string>());
    if (!info || info->handler == nullptr) {
      continue;  // external: the worker bridge's
    }
    if (room <= 0) {
      ++left_queued;
      continue;
    }
    --room;
    const int lease =
        info->lease_seconds > 0 ? info->lease_seconds : settings_.default_lease_seconds;
    by_lease[lease].push_back(
        {{"tenant_id", records[i]["tenant_id"]}, {"job_id", inserted[i]["id"]}});
    const auto source = records[i].find("source_id");
    candidates[lease].push_back(
        {records[i]["tenant_id"].get<std::string>(), inserted[i]["id"].get<std::string>(),
         records[i]["job_type"].get<std::string>(),
         source != records[i].end() && source->is_string() ? source->get<std::string>() : "",
         ""});  // just inserted: leased by id
  }
  for (auto& [lease, items] : by_lease) {
    // With je.ratelimit the hand-off is a lease like any other: admitted first.
    std::vector<Grant> grants = ratelimit_
                                    ? admitAndLease(txn, candidates[lease], lease, kRunnerWorkerId)
                                    : leaseJobs(txn, items, lease, kRunnerWorkerId);
    // Any the statement skipped (none expected: created queued and eligible just now) stay
    // queued for the claimers; refused ones were throttled by admission.
    left_queued += static_cast<int>(items.size() - grants.size());
    if (!grants.empty()) {
      host_.counterAdd("scheduler_jobs_handed_off_total",
                       "Jobs leased to this replica's idle runner by their own enqueue",
                       json::object(), static_cast<double>(grants.size()));
      auto accept = handoff_.accept;
      txn.onCommit([accept, grants = std::move(grants), lease = lease]() mutable {
        accept(std::move(grants), lease);
      });
    }
  }
  return left_queued;
}

json JobService::enqueue(sdk::Txn& txn, const json& request, const std::string& actor,
                         const std::string& trace_id) {
  if (!request.is_object()) {
    throw JobRefusal(RefusalKind::kMalformed, "MALFORMED_REQUEST", "body must be a JSON object");
  }
  const std::string tenant = txn.tenant();
  json records = json::array();
  if (request.contains("jobs")) {
    if (!request["jobs"].is_array() || request["jobs"].empty() || request["jobs"].size() > 1000) {
      throw invalidField("jobs", "must be an array of 1..1000 jobs");
    }
    for (const auto& job : request["jobs"]) {
      records.push_back(jobRecord(job, tenant, trace_id));
    }
  } else {
    records.push_back(jobRecord(request, tenant, trace_id));
  }
  return json{{"jobs", insertJobs(txn, records, actor)}};
}

}  // namespace jobengine::scheduler
