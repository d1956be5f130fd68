// deadletter_replay.cpp — cloning dead jobs back into the queue (see deadletter_replay.hpp).
// A replay clones the dead job (type, payload, project, source, correlation id, max attempts)
// into a new queued job with replay_of set, records the new job id on the entry and appends
// job.replayed (on the old job) + job.created (the new one) in the request's transaction.
#include "deadletter_replay.hpp"

#include <optional>
#include <string>
#include <vector>

#include "core/deadletter_filter.hpp"
#include "deadletter_rows.hpp"
#include "ops_store.hpp"

namespace jobengine::scheduler {

namespace {

constexpr int kDefaultReplayLimit = 100;
constexpr int kMaxReplayLimit = 1000;

// The job being replayed, as the clone needs it.
struct DeadJob {
  std::string job_type;
  std::optional<std::string> project_id;
  std::optional<std::string> source_id;
  std::optional<std::string> correlation_id;
  int max_attempts = 5;
  nlohmann::json payload;
};

// Clones the entry's job; returns the new job id, or nullopt when the job row is gone.
std::optional<std::string> replayOne(sdk::Txn& txn, sdk::UuidV7Generator& ids,
                                     const nlohmann::json& entry, int priority,
                                     const sdk::Request& request) {
  static const std::string job_sql =
      "SELECT job_type, project_id, source_id::text, correlation_id, max_attempts, payload FROM "
      "scheduler.jobs WHERE tenant_id = $1 AND id = $2::uuid";
  std::optional<DeadJob> dead;
  txn.exec(job_sql, {txn.tenant(), entry["jobId"].get<std::string>()}, [&](const sdk::Row& r) {
    dead = DeadJob{r.str(0), r.opt(1), r.opt(2), r.opt(3), static_cast<int>(r.i64(4)), r.json(5)};
  });
  if (!dead) {
    return std::nullopt;
  }
  NewJob job;
  job.id = ids.next();
  job.project_id = dead->project_id;
  job.source_id = dead->source_id;
  job.job_type = dead->job_type;
  job.priority = priority;
  job.max_attempts = dead->max_attempts;
  job.payload = dead->payload;
  job.correlation_id = dead->correlation_id;
  job.replay_of = entry["jobId"].get<std::string>();
  std::vector<OpsEvent> events;
  events.push_back(insertQueuedJob(txn, job, request));
  txn.exec(
      "UPDATE scheduler.dead_letters SET replayed_job_id = $3::uuid, replayed_at = now(), "
      "replayed_by = $4 WHERE tenant_id = $1 AND id = $2::uuid",
      {txn.tenant(), entry["id"].get<std::string>(), job.id,
       request.subject().empty() ? std::string("operator") : std::string(request.subject())});
  OpsEvent replayed;
  replayed.type = "job.replayed";
  replayed.project_id = dead->project_id;
  replayed.job_id = entry["jobId"].get<std::string>();
  replayed.source_id = dead->source_id;
  replayed.body["job"] = {{"id", entry["jobId"]}, {"type", dead->job_type}};
  replayed.body["data"] = {{"deadLetterId", entry["id"]},
                           {"newJobId", job.id},
                           {"priority", priority},
                           {"reason", request.operatorReason()}};
  events.insert(events.begin(), replayed);
  appendEvents(txn, events, ids, request);
  return job.id;
}

// body.priority: absent -> 9 (SPEC §2); else an integer 0..9. Answers 422 itself on error.
std::optional<int> replayPriority(const nlohmann::json& body, const sdk::Request& request,
                                  sdk::Response& response) {
  if (!body.contains("priority")) {
    return 9;
  }
  const auto& p = body["priority"];
  if (!p.is_number_integer() || p.get<int64_t>() < 0 || p.get<int64_t>() > 9) {
    sendError(response, request, 422, "VALIDATION_FAILED",
              "priority: must be an integer from 0 to 9 (default 9)", {{"field", "priority"}});
    return std::nullopt;
  }
  return p.get<int>();
}

}  // namespace

void replaySingle(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                  sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  if (!body->is_object()) {
    sendError(response, request, 400, "INVALID_BODY", "the body must be a JSON object");
    return;
  }
  const auto priority = replayPriority(*body, request, response);
  if (!priority) {
    return;
  }
  const std::string id = request.param("id").value_or("");
  const auto entry = isUuid(id) ? loadEntry(txn, id, true) : std::nullopt;
  if (!entry) {
    sendError(response, request, 404, "DEAD_LETTER_NOT_FOUND",
              "no dead-letter entry with id '" + id + "'");
    return;
  }
  if (!(*entry)["replayedJobId"].is_null()) {
    sendError(response, request, 409, "ALREADY_REPLAYED",
              "dead-letter entry " + id + " was already replayed as job " +
                  (*entry)["replayedJobId"].get<std::string>(),
              {{"replayedJobId", (*entry)["replayedJobId"]}});
    return;
  }
  const auto job_id = replayOne(txn, ids, *entry, *priority, request);
  if (!job_id) {
    sendError(response, request, 409, "JOB_GONE",
              "the job of dead-letter entry " + id + " no longer exists (retention)");
    return;
  }
  response.header("Location", "/api/v1/jobengine/jobs/" + *job_id);
  response.json(201, {{"deadLetterId", id},
                      {"jobId", *job_id},
                      {"replayOf", (*entry)["jobId"]},
                      {"priority", *priority}});
}

void replayBatch(sdk::Host& host, sdk::UuidV7Generator& ids, const sdk::Request& request,
                 sdk::Response& response) {
  auto txn = host.borrow(request.txn());
  const auto body = jsonBody(request, response);
  if (!body) {
    return;
  }
  if (!body->is_object()) {
    sendError(response, request, 400, "INVALID_BODY", "the body must be a JSON object");
    return;
  }
  for (const auto& item : body->items()) {
    const std::string& k = item.key();
    if (k != "filter" && k != "dryRun" && k != "limit" && k != "priority") {
      sendError(response, request, 422, "UNKNOWN_FIELD",
                k + ": unknown field (allowed: filter, dryRun, limit, priority)", {{"field", k}});
      return;
    }
  }
  const auto parsed =
      parseDeadLetterFilter(body->value("filter", nlohmann::json(nullptr)), 422, "filter.");
  if (parsed.error) {
    sendFieldError(response, request, *parsed.error);
    return;
  }
  if (body->contains("dryRun") && !(*body)["dryRun"].is_boolean()) {
    sendError(response, request, 422, "VALIDATION_FAILED", "dryRun: must be true or false",
              {{"field", "dryRun"}});
    return;
  }
  const bool dry_run = body->value("dryRun", false);
  int limit = kDefaultReplayLimit;
  if (body->contains("limit")) {
    const auto& l = (*body)["limit"];
    if (!l.is_number_integer() || l.get<int64_t>() < 1 || l.get<int64_t>() > kMaxReplayLimit) {
      sendError(response, request, 422, "VALIDATION_FAILED",
                "limit: must be an integer from 1 to " + std::to_string(kMaxReplayLimit) +
                    " (default " + std::to_string(kDefaultReplayLimit) + ")",
                {{"field", "limit"}});
      return;
    }
    limit = l.get<int>();
  }
  const auto priority = replayPriority(*body, request, response);
  if (!priority) {
    return;
  }
  static const std::string count_sql = "SELECT count(*) FROM scheduler.dead_letters d WHERE" +
                                       std::string(kFilterWhere) + "AND d.replayed_job_id IS NULL";
  int64_t matched = 0;
  txn.exec(count_sql, filterParams(txn.tenant(), parsed.filter),
           [&](const sdk::Row& r) { matched = r.i64(0); });
  // A dry run only reads, so it takes no locks.
  static const std::string select_sql =
      "SELECT " + entryColumns() + " FROM scheduler.dead_letters d WHERE" + kFilterWhere +
      "AND d.replayed_job_id IS NULL ORDER BY d.created_at, d.id LIMIT $6::int";
  static const std::string lock_sql = select_sql + " FOR UPDATE SKIP LOCKED";
  auto params = filterParams(txn.tenant(), parsed.filter);
  params.emplace_back(limit);
  std::vector<nlohmann::json> entries;
  txn.exec(dry_run ? select_sql : lock_sql, params,
           [&](const sdk::Row& r) { entries.push_back(entryFromRow(r)); });
  nlohmann::json listed = nlohmann::json::array();
  int64_t skipped = 0;
  for (const auto& entry : entries) {
    nlohmann::json line = {{"deadLetterId", entry["id"]},
                           {"jobId", entry["jobId"]},
                           {"jobType", entry["jobType"]},
                           {"errorClass", entry["errorClass"]},
                           {"fingerprint", entry["fingerprint"]}};
    if (!dry_run) {
      const auto job_id = replayOne(txn, ids, entry, *priority, request);
      if (!job_id) {
        ++skipped;  // the dead job is gone (retention): nothing to clone
        continue;
      }
      line["newJobId"] = *job_id;
    }
    listed.push_back(line);
  }
  response.json(200, {{"dryRun", dry_run},
                      {"matched", matched},
                      {"limit", limit},
                      {"priority", *priority},
                      {dry_run ? "wouldReplay" : "replayed", listed},
                      {"skippedJobGone", skipped},
                      {"filter", parsed.filter.toJson()}});
}

}  // namespace jobengine::scheduler
