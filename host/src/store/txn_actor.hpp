// Who a store transaction acts for: the request metadata every event carries (SPEC §6, abi.h
// je_events_v1.append_batch, migrations/host/0006).
//
// The request pipeline opens a RequestActorScope on the worker thread that serves an API
// request; Store::begin() on that thread binds the transaction to the request's actor (token
// subject and scopes, operator reason and ticket, request and trace ids). Anywhere else (runner
// threads, sweepers, start-up work) the transaction acts for "system:<plugin id>". The binding
// is two transaction-local settings (jobengine.actor, jobengine.request) set in the same round
// trip as the tenant, so every event appended in the transaction, by the host's C++ append or
// by a plugin's statement through jobengine.append_events_v1, carries them, and no plugin can
// leave them out or forge them.
#pragma once

#include <string>
#include <string_view>

namespace jobengine::host {

struct TxnActor {
  std::string subject;       // the token's sub, or "system:<plugin id>"
  std::string request_json;  // {"scopes","operator","requestId","traceId"}; "" when engine-made
};

// The actor of an API request. scopes: space-separated; empty reason / ticket are left out.
TxnActor requestActor(std::string_view subject, std::string_view scopes, std::string_view reason,
                      std::string_view ticket, std::string_view request_id,
                      std::string_view trace_id);

// "system:<who>", for work the engine does by itself.
TxnActor systemActor(std::string_view who);

// The actor of the request the calling thread is serving, or nullptr.
const TxnActor* currentRequestActor() noexcept;

// Makes actor the calling thread's request actor for the scope's life (scopes nest).
class RequestActorScope {
 public:
  explicit RequestActorScope(TxnActor actor);
  ~RequestActorScope();
  RequestActorScope(const RequestActorScope&) = delete;
  RequestActorScope& operator=(const RequestActorScope&) = delete;

 private:
  TxnActor actor_;
  const TxnActor* previous_;
};

}  // namespace jobengine::host
