// See idempotency_gate.hpp.
#include "app/idempotency_gate.hpp"

#include <jobengine/json_limits.hpp>
#include <nlohmann/json.hpp>

#include "api/idempotency.hpp"
#include "http/error_envelope.hpp"
#include "store/store.hpp"

namespace jobengine::host {
namespace {

SqlParams keyParams(const IdempotencyKeyRef& ref) {
  return {ref.tenant, ref.key, ref.method, ref.path};
}

nlohmann::json storedHeaders(const HttpReply& reply) {
  nlohmann::json headers = nlohmann::json::array();
  headers.push_back({"Content-Type", reply.content_type});
  for (const auto& [name, value] : replayableHeaders(reply.headers)) {
    if (name != "Content-Type" && name != "content-type") {
      headers.push_back({name, value});
    }
  }
  return headers;
}

HttpReply replayOf(int status, const std::string& headers_json, const std::string& body) {
  HttpReply reply;
  reply.status = status;
  reply.body = body;
  const auto headers = sdk::parseJsonBounded(headers_json, "stored headers").value;
  if (headers.is_array()) {
    for (const auto& h : headers) {
      if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string()) {
        continue;
      }
      const auto name = h[0].get<std::string>();
      if (name == "Content-Type") {
        reply.content_type = h[1].get<std::string>();
      } else {
        reply.setHeader(name, h[1].get<std::string>());
      }
    }
  }
  reply.setHeader(kIdempotentReplayedHeader, "true");
  return reply;
}

}  // namespace

std::optional<HttpReply> IdempotencyGate::check(Transaction& txn, const IdempotencyKeyRef& ref,
                                                const std::string& trace_id) const {
  bool locked = false;
  txn.exec(
      "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || chr(31) || $2 || chr(31) || $3 "
      "|| chr(31) || $4, 0))",
      keyParams(ref), [&locked](const pqxx::row& row) {
        locked = row[0].as<bool>();
        return true;
      });
  const nlohmann::json details = {{"idempotencyKey", ref.key}};
  if (!locked) {
    return errorReply(409, "IDEMPOTENCY_IN_FLIGHT",
                      "a request with this Idempotency-Key is still in flight; retry later",
                      trace_id, details);
  }
  const pqxx::result rows = txn.query(
      "SELECT request_hash, status, headers::text, body, expires_at <= now() "
      "FROM jobengine.idempotency_keys "
      "WHERE tenant_id = $1 AND key = $2 AND method = $3 AND path = $4",
      keyParams(ref));
  if (rows.empty()) {
    return std::nullopt;
  }
  const pqxx::row row = rows[0];
  if (row[4].as<bool>()) {
    txn.exec(
        "DELETE FROM jobengine.idempotency_keys "
        "WHERE tenant_id = $1 AND key = $2 AND method = $3 AND path = $4",
        keyParams(ref));
    return std::nullopt;
  }
  const int status = row[1].as<int>();
  if (status == 0) {
    return errorReply(409, "IDEMPOTENCY_IN_FLIGHT",
                      "a request with this Idempotency-Key is still in flight; retry later",
                      trace_id, details);
  }
  if (row[0].as<std::string>() != ref.fingerprint) {
    return errorReply(422, "IDEMPOTENCY_KEY_REUSED",
                      "Idempotency-Key was already used for a different request body on " +
                          ref.method + " " + ref.path,
                      trace_id, details);
  }
  return replayOf(status, row[2].as<std::string>(), row[3].as<std::string>());
}

void IdempotencyGate::record(Transaction& txn, const IdempotencyKeyRef& ref,
                             const HttpReply& reply) const {
  txn.exec(
      "DELETE FROM jobengine.idempotency_keys WHERE ctid IN (SELECT ctid FROM "
      "jobengine.idempotency_keys WHERE expires_at <= now() LIMIT 100)");
  txn.exec(
      "INSERT INTO jobengine.idempotency_keys (tenant_id, key, method, path, request_hash, "
      "status, headers, body, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, "
      "now() + make_interval(hours => $9::int)) "
      "ON CONFLICT (tenant_id, key, method, path) DO UPDATE SET request_hash = "
      "EXCLUDED.request_hash, status = EXCLUDED.status, headers = EXCLUDED.headers, body = "
      "EXCLUDED.body, created_at = now(), expires_at = EXCLUDED.expires_at",
      {ref.tenant, ref.key, ref.method, ref.path, ref.fingerprint, std::to_string(reply.status),
       storedHeaders(reply).dump(), reply.body, std::to_string(retention_hours_)});
}

std::optional<HttpReply> IdempotencyGate::beginMarker(const IdempotencyKeyRef& ref,
                                                      const std::string& trace_id) const {
  Transaction txn = store_.begin(ref.tenant);
  if (auto reply = check(txn, ref, trace_id)) {
    txn.rollback();
    return reply;
  }
  txn.exec(
      "INSERT INTO jobengine.idempotency_keys (tenant_id, key, method, path, request_hash, "
      "status, body, expires_at) VALUES ($1, $2, $3, $4, $5, 0, '', "
      "now() + make_interval(mins => $6::int))",
      {ref.tenant, ref.key, ref.method, ref.path, ref.fingerprint,
       std::to_string(kMarkerLapseMinutes)});
  txn.commit();
  return std::nullopt;
}

void IdempotencyGate::finishMarker(const IdempotencyKeyRef& ref, const HttpReply& reply) const {
  Transaction txn = store_.begin(ref.tenant);
  // A streamed answer has no body to store: it cannot be replayed, so the key is freed.
  if (reply.status >= 200 && reply.status <= 299 && !reply.streamed) {
    record(txn, ref, reply);
  } else {
    txn.exec(
        "DELETE FROM jobengine.idempotency_keys "
        "WHERE tenant_id = $1 AND key = $2 AND method = $3 AND path = $4 AND status = 0",
        keyParams(ref));
  }
  txn.commit();
}

}  // namespace jobengine::host
