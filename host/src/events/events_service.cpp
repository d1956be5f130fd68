// See events_service.hpp.
#include "events/events_service.hpp"

#include <jobengine/json_limits.hpp>
#include "stream/event_subscriptions.hpp"

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
  SplitEvent split;
  if (auto problem = splitEnvelope(partial, split)) {
    throw StoreError(JE_ERR_INVALID, "", "append: " + *problem);
  }
  std::string tenant = txn.tenant();
  if (tenant == kSystemTenant) {
    if (split.tenant_id.empty()) {
      throw StoreError(JE_ERR_INVALID, "",
                       "append: a system transaction must name the event's tenantId");
    }
    tenant = split.tenant_id;
  } else if (!split.tenant_id.empty() && split.tenant_id != tenant) {
    throw StoreError(JE_ERR_INVALID, "",
                     "append: tenantId '" + split.tenant_id +
                         "' differs from the transaction's tenant '" + tenant + "'");
  }
  AppendedEvent out;
  out.event_id = newEventId();
  split.body["eventId"] = out.event_id;
  txn.exec(
      "INSERT INTO jobengine.events (tenant_id, seq, event_type, project_id, run_id, job_id, "
      "source_id, body) VALUES ($1, jobengine.reserve_event_seqs(1), $2, $3, $4::uuid, "
      "$5::uuid, $6, $7::json) RETURNING seq",
      {tenant, split.event_type, nullIfEmpty(split.project_id), nullIfEmpty(split.run_id),
       nullIfEmpty(split.job_id), nullIfEmpty(split.source_id), split.body.dump()},
      [&out](const pqxx::row& row) {
        out.seq = row[0].as<int64_t>();
        return true;
      });
  // No NOTIFY here: after the commit the Store signals the EventNotifier, which wakes every
  // replica's feeder (events/event_notifier.hpp says why not inside the transaction).
  return out;
}

je_events_v1 makeEventsService(je_host* host) {
  je_events_v1 vt{};
  vt.struct_size = sizeof(vt);
  vt.host = host;
  vt.append = &eventsAppend;
  vt.subscribe = &subscribeEvents;  // stream/event_subscriptions: fed by the outbox feeder
  vt.signal = &eventsSignal;        // 1.1: carried by the EventNotifier's NOTIFY
  vt.watch = &eventsWatch;          // 1.1: dispatched by the outbox feeder
  return vt;
}

}  // namespace jobengine::host
