// feed_fetcher.cpp — see feed_fetcher.hpp.
#include "feed_fetcher.hpp"

#include <jobengine/adapter/uri.hpp>
#include <jobengine/jobs.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/feed_index.hpp"
#include "core/nvd_format.hpp"

namespace jobengine::concelier {

namespace {

using Clock = std::chrono::system_clock;

constexpr int kMaxTries = 6;
constexpr auto kMaxInPlaceWait = std::chrono::seconds(60);
constexpr int kMaxPages = 10000;

adapter::EgressGuard guardOf(const nlohmann::json& connector) {
  adapter::EgressGuard guard;
  const auto& g = connector["egressGuard"];
  for (const auto& entry : g.value("allowlist", nlohmann::json::array())) {
    guard.allowlist.push_back(entry.get<std::string>());
  }
  guard.airgap = g.value("airgapMode", false);
  return guard;
}

// The secret an authRef names: env:NAME or file:/path (trimmed); throws a permanent failure.
std::string resolveAuthRef(const std::string& ref) {
  if (ref.rfind("env:", 0) == 0) {
    const char* value = std::getenv(ref.substr(4).c_str());
    if (value == nullptr || *value == '\0') {
      throw sdk::JobFailure("AUTH_REF_UNRESOLVED",
                            "authRef " + ref + ": the environment variable is not set", false);
    }
    return value;
  }
  std::ifstream in(ref.substr(5));
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  secret.erase(secret.find_last_not_of(" \r\n\t") + 1);
  if (!in.good() && secret.empty()) {
    throw sdk::JobFailure("AUTH_REF_UNRESOLVED", "authRef " + ref + ": the file cannot be read",
                          false);
  }
  return secret;
}

std::string withSlash(std::string base) {
  if (base.empty() || base.back() != '/') {
    base.push_back('/');
  }
  return base;
}

}  // namespace

FeedFetcher::FeedFetcher(const nlohmann::json& connector, adapter::SyncWindow window,
                         const ConcelierSettings& settings, adapter::RequestBudget& budget,
                         FetchHooks hooks)
    : connector_(connector),
      window_(std::move(window)),
      settings_(settings),
      client_(guardOf(connector), budget),
      hooks_(std::move(hooks)) {}

int FeedFetcher::run() {
  const std::string base = connector_["baseUri"].get<std::string>();
  const auto parsed = adapter::parseUri(base);
  if (!parsed) {
    throw sdk::JobFailure("URI_INVALID", "baseUri " + base + ": " + parsed.error, false);
  }
  if (parsed.uri->isNetwork()) {
    const auto decision = adapter::checkEgress(client_.guard(), *parsed.uri);
    if (!decision) {  // fail before anything else, without a connection attempt
      throw sdk::JobFailure(decision.code, decision.message, false);
    }
    if (connector_["ratePolicy"].is_null()) {
      throw sdk::JobFailure("EGRESS_NO_RATE_POLICY",
                            "connector '" + connector_["connectorId"].get<std::string>() +
                                "' has no ratePolicy: egress to " + parsed.uri->host +
                                " is denied (SPEC §3); give it one to fetch from the network",
                            false);
    }
  }
  if (connector_["authRef"].is_string() && connector_["source"] == "nvd") {
    auth_headers_.emplace_back("apiKey", resolveAuthRef(connector_["authRef"].get<std::string>()));
  }
  const std::string source = connector_["source"].get<std::string>();
  if (source == "osv") {
    fetchOsv();
  } else if (source == "nvd") {
    fetchNvd();
  } else {
    fetchKev();
  }
  return stored_;
}

adapter::FetchRequest FeedFetcher::request(const std::string& uri) const {
  adapter::FetchRequest r = adapter::requestFor(uri);
  r.timeout = std::chrono::seconds(settings_.fetch_timeout_seconds);
  r.max_bytes = int64_t{settings_.max_document_mib} * 1024 * 1024;
  r.headers = auth_headers_;
  return r;
}

void FeedFetcher::conditional(adapter::FetchRequest& request) {
  if (const auto v = hooks_.validators(request.uri)) {
    request.if_none_match = v->etag;
    request.if_modified_since = v->last_modified;
  }
}

void FeedFetcher::remember(const std::string& uri, const adapter::FetchResponse& response) {
  if (response.etag || response.last_modified) {
    hooks_.remember(uri, Validators{response.etag, response.last_modified});
  }
}

std::string FeedFetcher::resolve(const std::string& relative) const {
  const auto base = adapter::parseUri(withSlash(connector_["baseUri"].get<std::string>()));
  const auto resolved = adapter::resolve(*base.uri, relative);
  if (!resolved) {
    throw sdk::JobFailure("URI_INVALID", "cannot resolve '" + relative + "': " + resolved.error,
                          false);
  }
  return resolved.uri->toString();
}

adapter::FetchResponse FeedFetcher::get(adapter::FetchRequest request) {
  for (int attempt = 1;; ++attempt) {
    adapter::FetchResponse response = client_.fetch(request);
    if (response.ok()) {
      return response;
    }
    if (!response.transient) {
      throw sdk::JobFailure(response.error_code, request.uri + ": " + response.error_message,
                            false);
    }
    const auto now = Clock::now();
    const auto backoff = std::chrono::milliseconds(250 << std::min(attempt, 6));
    const Clock::time_point until = response.retry_at.value_or(now + backoff);
    if (attempt >= kMaxTries || until - now > kMaxInPlaceWait) {
      throw sdk::JobFailure(response.error_code,
                            request.uri + ": " + response.error_message + " (after " +
                                std::to_string(attempt) + " tries; the scheduler retries later)",
                            true);
    }
    while (Clock::now() < until) {
      if (hooks_.canceled()) {
        throw sdk::JobFailure("CANCELED", "the sync was canceled", false, JE_JOB_CANCELED);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void FeedFetcher::keep(const std::string& uri, adapter::FetchResponse&& response) {
  FetchedDocument document;
  document.uri = uri;
  document.body = std::move(response.body);
  document.media_type = "application/json";
  document.etag = std::move(response.etag);
  document.last_modified = std::move(response.last_modified);
  hooks_.store(std::move(document));
  ++stored_;
}

void FeedFetcher::fetchOsv() {
  const std::string index_uri = resolve("modified_id.csv");
  adapter::FetchRequest listing = request(index_uri);
  conditional(listing);
  adapter::FetchResponse index = get(listing);
  if (index.not_modified) {
    return;
  }
  const IndexParse entries = parseOsvModifiedIndex(index.body);
  if (entries.error) {
    throw sdk::JobFailure(entries.error->code, index_uri + ": " + entries.error->message, false);
  }
  const auto wanted = adapter::entriesInWindow(entries.entries, window_);
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (hooks_.canceled()) {
      throw sdk::JobFailure("CANCELED", "the sync was canceled", false, JE_JOB_CANCELED);
    }
    const std::string uri = resolve(wanted[i].path_or_id + ".json");
    keep(uri, get(request(uri)));
    hooks_.progress(static_cast<int>((i + 1) * 100 / wanted.size()));
  }
  remember(index_uri, index);
}

void FeedFetcher::fetchNvd() {
  const std::string base = connector_["baseUri"].get<std::string>();
  const bool mirror = base.rfind("file:", 0) == 0;
  const int64_t per_page = connector_["options"].value("resultsPerPage", int64_t{2000});
  int64_t start = 0;
  for (int pages = 0; pages < kMaxPages; ++pages) {
    if (hooks_.canceled()) {
      throw sdk::JobFailure("CANCELED", "the sync was canceled", false, JE_JOB_CANCELED);
    }
    std::string uri;
    if (mirror) {
      uri = resolve("page-" + std::to_string(start) + ".json");
    } else {
      uri = base + (base.find('?') == std::string::npos ? "?" : "&") +
            "startIndex=" + std::to_string(start) + "&resultsPerPage=" + std::to_string(per_page);
      if (window_.from && window_.to) {
        uri += "&lastModStartDate=" + *window_.from + "&lastModEndDate=" + *window_.to;
      }
    }
    adapter::FetchResponse response = get(request(uri));
    NvdPage page;
    const bool readable = !parseNvdPage(response.body, &page).error;
    keep(uri, std::move(response));
    if (!readable || page.results_per_page <= 0) {
      return;  // parse dead-letters an unreadable page; there is no next page to ask for
    }
    start = page.start_index + page.results_per_page;
    hooks_.progress(static_cast<int>(
        std::min<int64_t>(99, start * 100 / std::max<int64_t>(1, page.total_results))));
    if (start >= page.total_results) {
      return;
    }
  }
}

void FeedFetcher::fetchKev() {
  const std::string uri = connector_["baseUri"].get<std::string>();
  adapter::FetchRequest catalog = request(uri);
  conditional(catalog);
  adapter::FetchResponse response = get(catalog);
  if (response.not_modified) {
    return;
  }
  remember(uri, response);  // unconfirmed until map has written the catalog's observations
  keep(uri, std::move(response));
}

}  // namespace jobengine::concelier
