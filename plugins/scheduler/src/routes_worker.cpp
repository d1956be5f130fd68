// The worker bridge (SPEC §2, §5.1): external workers claim jobs, heartbeat and complete them
// over HTTP. Every report names its leaseId; a stale or unknown lease is refused with 409
// LEASE_STALE and changes nothing (the fencing lives in the SQL). Batch forms report each
// item separately with 200. Scope orch:operate; workers send the operator reason header like
// any operate caller (the example worker sends "worker <id>"), so every bridge call is
// attributable in the audit ledger. The SQL is JobService's and job_store.cpp's.
#include <jobengine/ids.hpp>

#include "job_store.hpp"
#include "routes.hpp"

namespace jobengine::scheduler {

namespace {

using nlohmann::json;

std::string leaseOf(const json& body) {
  if (!body.contains("leaseId") || !body["leaseId"].is_string() ||
      !sdk::isUuid(body["leaseId"].get<std::string>())) {
    throw ApiError(422, "VALIDATION_FAILED", "leaseId: is required (a UUID)",
                   json{{"field", "leaseId"}});
  }
  return body["leaseId"].get<std::string>();
}

ApiError stale(const std::string& job_id, const std::string& lease_id) {
  return ApiError(409, "LEASE_STALE",
                  "lease '" + lease_id + "' is not the current lease of job '" + job_id +
                      "' (expired, re-leased, completed or unknown); nothing changed",
                  json{{"jobId", job_id}, {"leaseId", lease_id}});
}

HeartbeatItem heartbeatItem(const std::string& tenant, const std::string& job_id,
                            const json& body) {
  HeartbeatItem item{tenant, job_id, leaseOf(body), std::nullopt, std::nullopt};
  if (body.contains("progress") && !body["progress"].is_null()) {
    if (!body["progress"].is_number() || body["progress"].get<double>() < 0 ||
        body["progress"].get<double>() > 100) {
      throw ApiError(422, "VALIDATION_FAILED", "progress: must be a number in 0..100",
                     json{{"field", "progress"}});
    }
    item.progress = static_cast<int>(body["progress"].get<double>());
  }
  if (body.contains("message") && body["message"].is_string()) {
    item.message = body["message"].get<std::string>().substr(0, 1024);
  }
  return item;
}

Completion completion(const std::string& tenant, const std::string& job_id, const json& body) {
  if (!body.contains("status") || !body["status"].is_string()) {
    throw ApiError(422, "VALIDATION_FAILED",
                   "status: is required (succeeded, failed, timed_out or canceled)",
                   json{{"field", "status"}});
  }
  return Completion{tenant,
                    job_id,
                    leaseOf(body),
                    body["status"].get<std::string>(),
                    body.value("error", json(nullptr)),
                    body.value("artifacts", json(nullptr))};
}

// The lease asked for; absent: the smallest lease among the claimed types that registered one
// (so no job is held longer than its type wants), else the plugin default.
int leaseSeconds(const json& body, const JobService& svc,
                 const std::vector<std::string>& types = {}) {
  if (!body.contains("leaseSeconds") || body["leaseSeconds"].is_null()) {
    int lease = 0;
    for (const auto& t : types) {
      const auto info = svc.type(t);
      if (info && info->lease_seconds > 0 && (lease == 0 || info->lease_seconds < lease)) {
        lease = info->lease_seconds;
      }
    }
    return lease > 0 ? lease : svc.settings().default_lease_seconds;
  }
  if (!body["leaseSeconds"].is_number_integer() || body["leaseSeconds"].get<int>() < 1 ||
      body["leaseSeconds"].get<int>() > 86400) {
    throw ApiError(422, "VALIDATION_FAILED", "leaseSeconds: must be an integer in 1..86400",
                   json{{"field", "leaseSeconds"}});
  }
  return body["leaseSeconds"].get<int>();
}

std::string jobIdOf(const json& item) {
  if (!item.is_object() || !item.contains("jobId") || !item["jobId"].is_string() ||
      !sdk::isUuid(item["jobId"].get<std::string>())) {
    throw ApiError(422, "VALIDATION_FAILED", "jobId: is required (a UUID) in every item",
                   json{{"field", "jobId"}});
  }
  return item["jobId"].get<std::string>();
}

json items(const json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_array() || body[key].empty() ||
      body[key].size() > 1000) {
    throw ApiError(422, "VALIDATION_FAILED",
                   std::string(key) + ": must be an array of 1..1000 items", json{{"field", key}});
  }
  return body[key];
}

}  // namespace

void registerWorkerRoutes(sdk::Host& host, sdk::ApiDoc& doc, JobService& service) {
  const std::string base = std::string(kApiBase) + "/worker";
  JobService* svc = &service;

  addRoute(host, doc, "POST", base + "/claim", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const json body = bodyObject(req);
             if (!body.contains("jobTypes") || !body["jobTypes"].is_array() ||
                 body["jobTypes"].empty()) {
               throw ApiError(422, "VALIDATION_FAILED", "jobTypes: a non-empty array of names",
                              json{{"field", "jobTypes"}});
             }
             std::vector<std::string> types;
             for (const auto& t : body["jobTypes"]) {
               if (!t.is_string()) {
                 throw ApiError(422, "VALIDATION_FAILED", "jobTypes: names must be strings",
                                json{{"field", "jobTypes"}});
               }
               types.push_back(t.get<std::string>());
             }
             int max_count = 1;
             if (body.contains("maxCount")) {
               if (!body["maxCount"].is_number_integer() || body["maxCount"].get<int>() < 1 ||
                   body["maxCount"].get<int>() > 1000) {
                 throw ApiError(422, "VALIDATION_FAILED", "maxCount: an integer in 1..1000",
                                json{{"field", "maxCount"}});
               }
               max_count = body["maxCount"].get<int>();
             }
             const std::string worker = body.contains("workerId") && body["workerId"].is_string()
                                            ? body["workerId"].get<std::string>()
                                            : actorOf(req);
             json grants = json::array();
             for (const auto& g :
                  svc->claim(txn, types, max_count, leaseSeconds(body, *svc, types), worker)) {
               grants.push_back(g.toJson());
             }
             resp.json(200, {{"grants", grants}});
           });
  addRoute(host, doc, "POST", base + "/jobs/:id/heartbeat", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json body = bodyObject(req);
             const auto results = svc->heartbeat(txn, {heartbeatItem(txn.tenant(), id, body)},
                                                 leaseSeconds(body, *svc), actorOf(req));
             if (results.empty() || !results[0].applied) {
               throw stale(id, body["leaseId"].get<std::string>());
             }
             resp.json(200, {{"jobId", id},
                             {"cancelRequested", results[0].cancel_requested},
                             {"leaseUntil", results[0].lease_until}});
           });
  addRoute(host, doc, "POST", base + "/jobs/:id/complete", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json body = bodyObject(req);
             const auto results =
                 svc->complete(txn, {completion(txn.tenant(), id, body)}, actorOf(req));
             if (results.empty() || !results[0].applied) {
               throw stale(id, body["leaseId"].get<std::string>());
             }
             resp.json(200, {{"jobId", id}, {"status", results[0].status}});
           });
  addRoute(host, doc, "POST", base + "/jobs/:id/artifacts", "orch:operate",
           [](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const std::string id = uuidParam(req, "id", "job");
             const json body = bodyObject(req);
             const std::string lease = leaseOf(body);
             const json list = items(body, "artifacts");
             if (!holdsLease(txn, id, lease)) {
               throw stale(id, lease);
             }
             json records = json::array();
             for (const auto& a : list) {
               if (!a.is_object() || !a.contains("uri") || !a["uri"].is_string() ||
                   !a.contains("digest") || !a["digest"].is_string() ||
                   a["digest"].get<std::string>().rfind("sha256:", 0) != 0) {
                 throw ApiError(422, "VALIDATION_FAILED",
                                "artifacts[]: each needs uri and a 'sha256:' digest",
                                json{{"field", "artifacts"}});
               }
               records.push_back({{"tenant_id", txn.tenant()},
                                  {"job_id", id},
                                  {"uri", a["uri"]},
                                  {"digest", a["digest"]},
                                  {"media_type", a.value("mediaType", json(nullptr))},
                                  {"size_bytes", a.value("sizeBytes", json(nullptr))}});
             }
             const int64_t added = recordArtifacts(txn, records);
             resp.json(200, {{"jobId", id}, {"recorded", added}});
           });
  addRoute(
      host, doc, "POST", base + "/heartbeat", "orch:operate",
      [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
        const json body = bodyObject(req);
        std::vector<HeartbeatItem> list;
        for (const auto& item : items(body, "heartbeats")) {
          list.push_back(heartbeatItem(txn.tenant(), jobIdOf(item), item));
        }
        json results = json::array();
        for (const auto& r : svc->heartbeat(txn, list, leaseSeconds(body, *svc), actorOf(req))) {
          json o = {{"jobId", r.job_id}, {"applied", r.applied}};
          if (r.applied) {
            o["cancelRequested"] = r.cancel_requested;
            o["leaseUntil"] = r.lease_until;
          } else {
            o["error"] = {{"code", "LEASE_STALE"}, {"message", "lease is not current"}};
          }
          results.push_back(o);
        }
        resp.json(200, {{"results", results}});
      });
  addRoute(host, doc, "POST", base + "/complete", "orch:operate",
           [svc](const sdk::Request& req, sdk::Response& resp, sdk::Txn& txn) {
             const json body = bodyObject(req);
             std::vector<Completion> list;
             for (const auto& item : items(body, "completions")) {
               list.push_back(completion(txn.tenant(), jobIdOf(item), item));
             }
             json results = json::array();
             for (const auto& r : svc->complete(txn, list, actorOf(req))) {
               json o = {{"jobId", r.job_id}, {"applied", r.applied}};
               if (r.applied) {
                 o["status"] = r.status;
               } else {
                 o["error"] = {{"code", "LEASE_STALE"}, {"message", "lease is not current"}};
               }
               results.push_back(o);
             }
             resp.json(200, {{"results", results}});
           });
}

}  // namespace jobengine::scheduler
