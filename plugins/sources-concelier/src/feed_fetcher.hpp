// feed_fetcher.hpp — the fetch step of a Concelier sync (SPEC §8): pulls what is new in the
// sync window from one connector's upstream through the adapter kit (egress guard, request
// budget, libcurl or file://) and hands every document to `store`, verbatim.
//
// Per source (connector_spec.hpp says what baseUri names):
//  * osv: GET modified_id.csv (conditional: If-None-Match / If-Modified-Since with the last
//    confirmed validators; 304 = nothing new), then <id>.json for every entry modified in the
//    window [from, to).
//  * nvd: pages of the CVE API 2.0 — startIndex / resultsPerPage (options.resultsPerPage,
//    default 2000), lastModStartDate / lastModEndDate from the window when it has a start, in
//    ranges of at most 120 days (core/nvd_date_ranges.hpp) — until totalResults; a file://
//    mirror reads page-<startIndex>.json. authRef becomes the apiKey header.
//  * kev: GET the catalog (conditional, as osv's listing).
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

#include "core/nvd_date_ranges.hpp"
#include "core/sources_concelier_settings.hpp"
#include "document_store.hpp"

namespace jobengine::concelier {

using adapter::FetchHooks;

class FeedFetcher {
 public:
  FeedFetcher(const nlohmann::json& connector, adapter::SyncWindow window,
              const ConcelierSettings& settings, adapter::RequestBudget& budget, FetchHooks hooks);

  // Fetches everything; throws sdk::JobFailure when the job must fail. Returns the number of
  // documents handed to store.
  int run();

 private:
  void keep(const std::string& uri, adapter::FetchResponse&& response);
  void fetchOsv();
  void fetchNvd();
  // One paged walk of the API (or of the mirror's page files), within `range` when given.
  void fetchNvdPages(const std::optional<NvdDateRange>& range, size_t range_index,
                     size_t range_count);
  void fetchKev();

  adapter::SyncWindow window_;
  adapter::FeedSession session_;  // guard, budget, retries, validators, the store hook
};

}  // namespace jobengine::concelier
