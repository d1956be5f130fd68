// feed_fetcher.hpp — the fetch step of an Excititor sync (SPEC §8): pulls what is new in the
// sync window from one provider's upstream through the adapter kit (egress guard, request
// budget, libcurl or file://) and hands every document to `store`, verbatim.
//// Every source (openvex, csaf, cyclonedx) is laid out alike (provider_spec.hpp): GET
// <baseUri>/changes.csv (conditional: If-None-Match / If-Modified-Since with the last confirmed
// validators; 304 = nothing new), then every listed document whose modified time is in the sync
// window [from, to), resolved against the folder of changes.csv. An authRef becomes an
// "Authorization: Bearer" header on network requests.

// The adapter kit's FeedSession (jobengine/adapter/feed_session.hpp) does what is not per
// format. Transient failures (429 / 503 with Retry-After, 5xx, timeouts, the budget saying
// "not yet") are retried in place while the wait stays short (at most 6 tries, 60 s); longer, the
// job fails retryable and the scheduler's backoff takes over. Egress refusals, a network upstream
// without a rate policy, other 4xx and an unresolvable authRef fail the job permanently, naming
// why.
#pragma once

#include <jobengine/adapter/feed_session.hpp>
#include <jobengine/adapter/sync_window.hpp>
#include <jobengine/adapter/upstream_client.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/sources_excititor_settings.hpp"
#include "document_store.hpp"

namespace jobengine::excititor {

using adapter::FetchHooks;

class FeedFetcher {
 public:
  FeedFetcher(const nlohmann::json& provider, adapter::SyncWindow window,
              const ExcititorSettings& settings, adapter::RequestBudget& budget, FetchHooks hooks);

  // Fetches everything; throws sdk::JobFailure when the job must fail. Returns the number of
  // documents handed to store.
  int run();

 private:
  void keep(const std::string& uri, adapter::FetchResponse&& response);
  void fetchChanges();

  adapter::SyncWindow window_;
  adapter::FeedSession session_;  // guard, budget, retries, validators, the store hook
};

}  // namespace jobengine::excititor
