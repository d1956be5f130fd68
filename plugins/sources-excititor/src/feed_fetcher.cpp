// feed_fetcher.cpp — see feed_fetcher.hpp.
#include "feed_fetcher.hpp"

#include <jobengine/jobs.hpp>

#include <algorithm>

#include "core/feed_index.hpp"
#include "core/provider_spec.hpp"

namespace jobengine::excititor {

FeedFetcher::FeedFetcher(const nlohmann::json& provider, adapter::SyncWindow window,
                         const ExcititorSettings& settings, adapter::RequestBudget& budget,
                         FetchHooks hooks)
    : window_(std::move(window)),
      session_(provider, providerKind(),
               {std::chrono::seconds(settings.fetch_timeout_seconds),
                int64_t{settings.max_document_mib} * 1024 * 1024},
               budget, std::move(hooks)) {}

int FeedFetcher::run() {
  const adapter::Uri base = session_.preflight();
  const nlohmann::json& provider = session_.record();
  if (provider["authRef"].is_string() && base.isNetwork()) {
    session_.addHeader("Authorization", "Bearer " + adapter::FeedSession::resolveAuthRef(
                                                        provider["authRef"].get<std::string>()));
  }
  fetchChanges();
  return session_.stored();
}

void FeedFetcher::keep(const std::string& uri, adapter::FetchResponse&& response) {
  session_.keep(uri, std::move(response),
                session_.record()["source"] == "cyclonedx" ? "application/vnd.cyclonedx+json"
                                                           : "application/json");
}

void FeedFetcher::fetchChanges() {
  const std::string index_uri = session_.resolve("changes.csv");
  adapter::FetchRequest listing = session_.request(index_uri);
  session_.conditional(listing);
  adapter::FetchResponse index = session_.get(listing);
  if (index.not_modified) {
    return;
  }
  const IndexParse entries = parseChangesCsv(index.body);
  if (entries.error) {
    throw sdk::JobFailure(entries.error->code, index_uri + ": " + entries.error->message, false);
  }
  const auto wanted = adapter::entriesInWindow(entries.entries, window_);
  for (size_t i = 0; i < wanted.size(); ++i) {
    session_.checkCanceled();
    const std::string uri = session_.resolve(wanted[i].path_or_id);
    keep(uri, session_.get(session_.request(uri)));
    session_.hooks().progress(static_cast<int>((i + 1) * 100 / wanted.size()));
  }
  session_.remember(index_uri, index);  // unconfirmed until normalize has written the statements
}

}  // namespace jobengine::excititor
