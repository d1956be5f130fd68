// feed_fetcher.cpp — see feed_fetcher.hpp.
#include "feed_fetcher.hpp"

#include <jobengine/jobs.hpp>

#include <algorithm>

#include "core/connector_spec.hpp"
#include "core/feed_index.hpp"
#include "core/nvd_date_ranges.hpp"
#include "core/nvd_format.hpp"

namespace jobengine::concelier {

namespace {

constexpr int kMaxPages = 10000;

}  // namespace

FeedFetcher::FeedFetcher(const nlohmann::json& connector, adapter::SyncWindow window,
                         const ConcelierSettings& settings, adapter::RequestBudget& budget,
                         FetchHooks hooks)
    : window_(std::move(window)),
      session_(connector, connectorKind(),
               {std::chrono::seconds(settings.fetch_timeout_seconds),
                int64_t{settings.max_document_mib} * 1024 * 1024},
               budget, std::move(hooks)) {}

int FeedFetcher::run() {
  session_.preflight();
  const nlohmann::json& connector = session_.record();
  if (connector["authRef"].is_string() && connector["source"] == "nvd") {
    session_.addHeader(
        "apiKey", adapter::FeedSession::resolveAuthRef(connector["authRef"].get<std::string>()));
  }
  const std::string source = connector["source"].get<std::string>();
  if (source == "osv") {
    fetchOsv();
  } else if (source == "nvd") {
    fetchNvd();
  } else {
    fetchKev();
  }
  return session_.stored();
}

void FeedFetcher::keep(const std::string& uri, adapter::FetchResponse&& response) {
  session_.keep(uri, std::move(response), "application/json");
}

void FeedFetcher::fetchOsv() {
  const std::string index_uri = session_.resolve("modified_id.csv");
  adapter::FetchRequest listing = session_.request(index_uri);
  session_.conditional(listing);
  adapter::FetchResponse index = session_.get(listing);
  if (index.not_modified) {
    return;
  }
  const IndexParse entries = parseOsvModifiedIndex(index.body);
  if (entries.error) {
    throw sdk::JobFailure(entries.error->code, index_uri + ": " + entries.error->message, false);
  }
  const auto wanted = adapter::entriesInWindow(entries.entries, window_);
  for (size_t i = 0; i < wanted.size(); ++i) {
    session_.checkCanceled();
    const std::string uri = session_.resolve(wanted[i].path_or_id + ".json");
    keep(uri, session_.get(session_.request(uri)));
    session_.hooks().progress(static_cast<int>((i + 1) * 100 / wanted.size()));
  }
  session_.remember(index_uri, index);
}

void FeedFetcher::fetchNvd() {
  // A file:// mirror holds the pages of one walk and takes no query: read it once.
  const bool mirror = session_.record()["baseUri"].get<std::string>().rfind("file:", 0) == 0;
  const std::vector<NvdDateRange> ranges =
      mirror ? std::vector<NvdDateRange>{} : nvdDateRanges(window_.from, window_.to);
  if (ranges.empty()) {
    fetchNvdPages(std::nullopt, 0, 1);
    return;
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    fetchNvdPages(ranges[i], i, ranges.size());
  }
}

void FeedFetcher::fetchNvdPages(const std::optional<NvdDateRange>& range, size_t range_index,
                                size_t range_count) {
  const std::string base = session_.record()["baseUri"].get<std::string>();
  const bool mirror = base.rfind("file:", 0) == 0;
  const int64_t per_page = session_.record()["options"].value("resultsPerPage", int64_t{2000});
  int64_t start = 0;
  for (int pages = 0; pages < kMaxPages; ++pages) {
    session_.checkCanceled();
    std::string uri;
    if (mirror) {
      uri = session_.resolve("page-" + std::to_string(start) + ".json");
    } else {
      uri = base + (base.find('?') == std::string::npos ? "?" : "&") +
            "startIndex=" + std::to_string(start) + "&resultsPerPage=" + std::to_string(per_page);
      if (range) {
        uri += "&lastModStartDate=" + range->start + "&lastModEndDate=" + range->end;
      }
    }
    adapter::FetchResponse response = session_.get(session_.request(uri));
    NvdPage page;
    const bool readable = !parseNvdPage(response.body, &page).error;
    keep(uri, std::move(response));
    if (!readable || page.results_per_page <= 0) {
      return;  // parse dead-letters an unreadable page; there is no next page to ask for
    }
    start = page.start_index + page.results_per_page;
    const int64_t in_range =
        std::min<int64_t>(100, start * 100 / std::max<int64_t>(1, page.total_results));
    session_.hooks().progress(static_cast<int>(std::min<int64_t>(
        99,
        (static_cast<int64_t>(range_index) * 100 + in_range) / static_cast<int64_t>(range_count))));
    if (start >= page.total_results) {
      return;
    }
  }
}

void FeedFetcher::fetchKev() {
  const std::string uri = session_.record()["baseUri"].get<std::string>();
  adapter::FetchRequest catalog = session_.request(uri);
  session_.conditional(catalog);
  adapter::FetchResponse response = session_.get(catalog);
  if (response.not_modified) {
    return;
  }
  session_.remember(uri, response);  // unconfirmed until map has written the catalog's observations
  keep(uri, std::move(response));
}

}  // namespace jobengine::concelier
