// See events_service.hpp.
#include "events/events_service.hpp"

#include <algorithm>

#include <jobengine/json_limits.hpp>
#include "stream/event_subscriptions.hpp"
#include "stream/outbox_reader.hpp"

#include "core/abi_errors.hpp"
#include "core/host_handle.hpp"
#include "events/event_envelope.hpp"
#include "events/event_notifier.hpp"
#include "events/signal_watchers.hpp"
#include "store/store.hpp"
#include "store/store_error.hpp"
#include "store/store_service.hpp"

namespace jobengine::host {
namespace {

std::optional<std::string> nullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

je_status eventsAppend(je_host* /*host*/, je_txn* txn, const char* event_json, uint64_t len,
                       je_str_sink out_event_id, void* user, char* err, uint32_t err_cap) noexcept {
  try {
    Transaction* t = transactionOf(txn);
    if (t == nullptr || event_json == nullptr) {
      fillError(err, err_cap, "append: txn and event_json are required");
      return JE_ERR_INVALID;
    }
    const auto partial = sdk::parseJsonBounded(std::string_view(event_json, len), "event_json");
    if (!partial.ok()) {
      fillError(err, err_cap, ("append: " + partial.error).c_str());
      return JE_ERR_INVALID;
    }
    const AppendedEvent appended = appendEvent(*t, partial.value);
    if (out_event_id != nullptr) {
      out_event_id(user, appended.event_id.data(), appended.event_id.size());
    }
    return JE_OK;
  } catch (const StoreError& e) {
    fillError(err, err_cap, e.what());
    return e.status();
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("append: internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "append: internal error");
    return JE_ERR_INTERNAL;
  }
}

je_status eventsAppendBatch(je_host* /*host*/, je_txn* txn, const char* events_json, uint64_t len,
                            je_str_sink out_event_ids, void* user, char* err,
                            uint32_t err_cap) noexcept {
  try {
    Transaction* t = transactionOf(txn);
    if (t == nullptr || events_json == nullptr) {
      fillError(err, err_cap, "append_batch: txn and events_json are required");
      return JE_ERR_INVALID;
    }
    const auto parsed = sdk::parseJsonBounded(std::string_view(events_json, len), "events_json");
    if (!parsed.ok()) {
      fillError(err, err_cap, ("append_batch: " + parsed.error).c_str());
      return JE_ERR_INVALID;
    }
    if (!parsed.value.is_array()) {
      fillError(err, err_cap, "append_batch: events_json must be a JSON array of events");
      return JE_ERR_INVALID;
    }
    const std::vector<nlohmann::json> partials(parsed.value.begin(), parsed.value.end());
    const std::vector<AppendedEvent> appended = appendEvents(*t, partials);
    if (out_event_ids != nullptr) {
      nlohmann::json ids = nlohmann::json::array();
      for (const AppendedEvent& a : appended) {
        ids.push_back(a.event_id);
      }
      const std::string text = ids.dump();
      out_event_ids(user, text.data(), text.size());
    }
    return JE_OK;
  } catch (const StoreError& e) {
    fillError(err, err_cap, e.what());
    return e.status();
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("append_batch: internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "append_batch: internal error");
    return JE_ERR_INTERNAL;
  }
}

// 1.5: the cursor read inside the caller's transaction (stream/outbox_reader).
constexpr uint32_t kMaxReadAfter = 10000;

je_status eventsReadAfter(je_host* /*host*/, je_txn* txn, int64_t after_seq, uint32_t limit,
                          je_event_callback cb, void* user, uint32_t* out_count, char* err,
                          uint32_t err_cap) noexcept {
  try {
    if (out_count != nullptr) {
      *out_count = 0;
    }
    Transaction* t = transactionOf(txn);
    if (t == nullptr || cb == nullptr) {
      fillError(err, err_cap, "read_after: txn and cb are required");
      return JE_ERR_INVALID;
    }
    if (after_seq < 0) {
      fillError(err, err_cap,
                "read_after: after_seq must be >= 0 (0: from the first event), got " +
                    std::to_string(after_seq));
      return JE_ERR_INVALID;
    }
    if (limit < 1 || limit > kMaxReadAfter) {
      fillError(err, err_cap,
                "read_after: limit must be in 1.." + std::to_string(kMaxReadAfter) + ", got " +
                    std::to_string(limit));
      return JE_ERR_INVALID;
    }
    const std::size_t n =
        readAfterInTransaction(*t, static_cast<uint64_t>(after_seq), limit,
                               [cb, user](uint64_t seq, const std::string& json) {
                                 cb(user, static_cast<int64_t>(seq), json.data(), json.size());
                               });
    if (out_count != nullptr) {
      *out_count = static_cast<uint32_t>(n);
    }
    return JE_OK;
  } catch (const StoreError& e) {
    fillError(err, err_cap, e.what());
    return e.status();
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("read_after: internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  } catch (...) {
    fillError(err, err_cap, "read_after: internal error");
    return JE_ERR_INTERNAL;
  }
}

je_status eventsSignal(je_host* host, const char* name, uint64_t len, char* err,
                       uint32_t err_cap) noexcept {
  try {
    const std::string_view n = name == nullptr ? std::string_view() : std::string_view(name, len);
    if (auto problem = signalNameProblem(n)) {
      fillError(err, err_cap, "je.events.signal: " + *problem);
      return JE_ERR_INVALID;
    }
    if (host != nullptr && host->services != nullptr && host->services->notifier != nullptr) {
      host->services->notifier->signalNamed(std::string(n));
    }
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("je.events.signal: internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  }
}

je_status eventsWatch(je_host* host, const char* name, uint64_t len, je_signal_callback cb,
                      void* user, char* err, uint32_t err_cap) noexcept {
  try {
    if (host == nullptr || cb == nullptr) {
      fillError(err, err_cap, "je.events.watch: host and callback are required");
      return JE_ERR_INVALID;
    }
    const std::string_view n = name == nullptr ? std::string_view() : std::string_view(name, len);
    if (auto problem = signalNameProblem(n)) {
      fillError(err, err_cap, "je.events.watch: " + *problem);
      return JE_ERR_INVALID;
    }
    if (!host->maySubscribe()) {
      fillError(err, err_cap, "je.events.watch: allowed only inside create() or start()");
      return JE_ERR_STATE;
    }
    if (host->services == nullptr || host->services->signal_watchers == nullptr) {
      fillError(err, err_cap, "je.events.watch: signals are not available");
      return JE_ERR_UNSUPPORTED;
    }
    host->services->signal_watchers->add(host, std::string(n), cb, user);
    return JE_OK;
  } catch (const std::exception& e) {
    fillError(err, err_cap, std::string("je.events.watch: internal error: ") + e.what());
    return JE_ERR_INTERNAL;
  }
}

}  // namespace

AppendedEvent appendEvent(Transaction& txn, const nlohmann::json& partial) {
  return appendEvents(txn, {partial}).front();
}

std::vector<AppendedEvent> appendEvents(Transaction& txn,
                                        const std::vector<nlohmann::json>& partials) {
  std::vector<AppendedEvent> out;
  if (partials.empty()) {
    return out;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < partials.size(); ++i) {
    const std::string what =
        partials.size() == 1 ? "append: " : "append: event " + std::to_string(i) + ": ";
    SplitEvent split;
    if (auto problem = splitEnvelope(partials[i], split)) {
      throw StoreError(JE_ERR_INVALID, "", what + *problem);
    }
    std::string tenant = txn.tenant();
    if (tenant == kSystemTenant) {
      if (split.tenant_id.empty()) {
        throw StoreError(JE_ERR_INVALID, "",
                         what + "a system transaction must name the event's tenantId");
      }
      tenant = split.tenant_id;
    } else if (!split.tenant_id.empty() && split.tenant_id != tenant) {
      throw StoreError(JE_ERR_INVALID, "",
                       what + "tenantId '" + split.tenant_id +
                           "' differs from the transaction's tenant '" + tenant + "'");
    }
    // Who and why belong to the host (txn_actor.hpp): whatever the appender wrote is replaced
    // by the transaction's actor when the envelope is read (jobengine.event_body).
    for (const char* host_owned : {"actor", "operator", "requestId", "traceId"}) {
      split.body.erase(host_owned);
    }
    AppendedEvent appended;
    appended.event_id = newEventId();
    split.body["eventId"] = appended.event_id;
    out.push_back(std::move(appended));
    auto orNull = [](const std::string& v) {
      return v.empty() ? nlohmann::json() : nlohmann::json(v);
    };
    rows.push_back({{"ord", i + 1},
                    {"tenant_id", tenant},
                    {"event_type", split.event_type},
                    {"project_id", orNull(split.project_id)},
                    {"run_id", orNull(split.run_id)},
                    {"job_id", orNull(split.job_id)},
                    {"source_id", orNull(split.source_id)},
                    {"body", std::move(split.body)}});
  }
  const TxnActor& actor = txn.actor();
  std::vector<int64_t> seqs;
  seqs.reserve(out.size());
  // One seq reservation and one INSERT for the whole batch; seqs follow the array order.
  txn.exec(
      "INSERT INTO jobengine.events (tenant_id, seq, event_type, project_id, run_id, job_id, "
      "source_id, actor, request, body) "
      "SELECT e.tenant_id, r.first + e.ord - 1, e.event_type, e.project_id, e.run_id, e.job_id, "
      "e.source_id, $3, $4::jsonb, e.body::json "
      "FROM (SELECT jobengine.reserve_event_seqs($2::int) AS first) r, "
      "jsonb_to_recordset($1::jsonb) AS e(ord bigint, tenant_id text, event_type text, "
      "project_id text, run_id uuid, job_id uuid, source_id text, body jsonb) "
      "ORDER BY e.ord RETURNING seq",
      {rows.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
       std::to_string(partials.size()), actor.subject, nullIfEmpty(actor.request_json)},
      [&seqs](const pqxx::row& row) {
        seqs.push_back(row[0].as<int64_t>());
        return true;
      });
  // seq = first + ord - 1: ascending seq is the array order, whatever order RETURNING uses.
  std::sort(seqs.begin(), seqs.end());
  for (size_t i = 0; i < out.size() && i < seqs.size(); ++i) {
    out[i].seq = seqs[i];
  }
  // No NOTIFY here: after the commit the Store signals the EventNotifier, which wakes every
  // replica's feeder (events/event_notifier.hpp says why not inside the transaction).
  return out;
}

je_events_v1 makeEventsService(je_host* host) {
  je_events_v1 vt{};
  vt.struct_size = sizeof(vt);
  vt.host = host;
  vt.append = &eventsAppend;
  vt.subscribe = &subscribeEvents;       // stream/event_subscriptions: fed by the outbox feeder
  vt.signal = &eventsSignal;             // 1.1: carried by the EventNotifier's NOTIFY
  vt.watch = &eventsWatch;               // 1.1: dispatched by the outbox feeder
  vt.append_batch = &eventsAppendBatch;  // 1.2
  vt.read_after = &eventsReadAfter;      // 1.5: stream/outbox_reader, in the caller's txn
  return vt;
}

}  // namespace jobengine::host
