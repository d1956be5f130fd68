// feed_fetcher.hpp — the fetch step of an Excititor sync (SPEC §8): pulls what is new in the
// sync window from one provider's upstream through the adapter kit (egress guard, request
// budget, libcurl or file://) and hands every document to `store`, verbatim.
//// Every source (openvex, csaf, cyclonedx) is laid out alike (provider_spec.hpp): GET
// <baseUri>/changes.csv (conditional: If-None-Match / If-Modified-Since with the last confirmed
// validators; 304 = nothing new), then every listed document whose modified time is in the sync
// window [from, to), resolved against the folder of changes.csv. An authRef becomes an
// "Authorization: Bearer" header on network requests.

// Transient failures (429 / 503 with Retry-After, 5xx, timeouts, the budget saying "not yet")
// are retried in place while the wait stays short (at most 6 tries, 60 s); longer, the job fails
// retryable and the scheduler's backoff takes over. Egress refusals, a network upstream without
// a rate policy, other 4xx and an unresolvable authRef fail the job permanently, naming why.
#pragma once

#include <jobengine/adapter/sync_window.hpp>
#include <jobengine/adapter/upstream_client.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/sources_excititor_settings.hpp"
#include "document_store.hpp"

namespace jobengine::excititor {

struct FetchHooks {
  std::function<std::optional<Validators>(const std::string& uri)> validators;  // confirmed ones
  std::function<void(const std::string& uri, const Validators&)> remember;      // a listing's
  std::function<void(FetchedDocument&&)> store;
  std::function<bool()> canceled;
  std::function<void(int percent)> progress;
};

class FeedFetcher {
 public:
  FeedFetcher(const nlohmann::json& provider, adapter::SyncWindow window,
              const ExcititorSettings& settings, adapter::RequestBudget& budget, FetchHooks hooks);

  // Fetches everything; throws sdk::JobFailure when the job must fail. Returns the number of
  // documents handed to store.
  int run();

 private:
  adapter::FetchResponse get(adapter::FetchRequest request);
  adapter::FetchRequest request(const std::string& uri) const;
  void conditional(adapter::FetchRequest& request);
  void remember(const std::string& uri, const adapter::FetchResponse& response);
  void keep(const std::string& uri, adapter::FetchResponse&& response);
  std::string resolve(const std::string& relative) const;
  void fetchChanges();

  nlohmann::json provider_;
  adapter::SyncWindow window_;
  const ExcititorSettings& settings_;
  adapter::UpstreamClient client_;
  FetchHooks hooks_;
  std::vector<std::pair<std::string, std::string>> auth_headers_;
  int stored_ = 0;
};

}  // namespace jobengine::excititor
