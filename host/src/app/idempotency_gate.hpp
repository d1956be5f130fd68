// The database half of Idempotency-Key (SPEC §5): one row of jobengine.idempotency_keys per
// (tenant, key, method, path), written in the same transaction as the change it answers.
//
// JE_ROUTE_TXN routes (the strong form): check() runs in the request's transaction before the
// handler. It takes pg_try_advisory_xact_lock(hashtextextended(tenant|key|method|path, 0)) --
// held until that transaction ends, so a concurrent duplicate gets 409 IDEMPOTENCY_IN_FLIGHT
// instead of waiting -- then reads the record: same fingerprint → replay, different → 422,
// expired → deleted and treated as new. record() inserts the 2xx response in the same
// transaction right before the commit. The key and the change commit or vanish together.
//
// Routes without JE_ROUTE_TXN (the weaker form, see docs/api.md): beginMarker() stores an
// in-flight marker (status 0) in a short transaction of its own, finishMarker() replaces it
// with the response (2xx) or deletes it. The handler's own commits are not tied to the key: a
// crash between them leaves a marker that answers 409 until it lapses (kMarkerLapseMinutes).
// Thread-safe: stateless apart from the Store reference.
#pragma once

#include <optional>
#include <string>

#include "http/http_types.hpp"

namespace jobengine::host {

class Store;
class Transaction;

inline constexpr int kMarkerLapseMinutes = 10;

// Which record a request addresses, and what it must match.
struct IdempotencyKeyRef {
  std::string tenant;
  std::string key;
  std::string method;
  std::string path;
  std::string fingerprint;  // requestFingerprint(method, path[?query], body)
};

class IdempotencyGate {
 public:
  IdempotencyGate(Store& store, int retention_hours)
      : store_(store), retention_hours_(retention_hours) {}

  // In the request's transaction: nullopt to run the handler, else the reply (replay, 409, 422).
  std::optional<HttpReply> check(Transaction& txn, const IdempotencyKeyRef& ref,
                                 const std::string& trace_id) const;
  // In the request's transaction, for a 2xx reply: stores it (replacing an in-flight marker)
  // and purges up to 100 of this tenant's expired records.
  void record(Transaction& txn, const IdempotencyKeyRef& ref, const HttpReply& reply) const;

  // Routes without a request transaction: check + in-flight marker, committed at once.
  std::optional<HttpReply> beginMarker(const IdempotencyKeyRef& ref,
                                       const std::string& trace_id) const;
  // Replaces the marker with a 2xx reply, or removes it (also for a streamed answer, which
  // has no stored body to replay).
  void finishMarker(const IdempotencyKeyRef& ref, const HttpReply& reply) const;

 private:
  Store& store_;
  int retention_hours_;
};

}  // namespace jobengine::host
