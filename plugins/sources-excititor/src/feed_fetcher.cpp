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

namespace jobengine::excititor {

namespace {

using Clock = std::chrono::system_clock;

constexpr int kMaxTries = 6;
constexpr auto kMaxInPlaceWait = std::chrono::seconds(60);

adapter::EgressGuard guardOf(const nlohmann::json& provider) {
  adapter::EgressGuard guard;
  const auto& g = provider["egressGuard"];
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

FeedFetcher::FeedFetcher(const nlohmann::json& provider, adapter::SyncWindow window,
                         const ExcititorSettings& settings, adapter::RequestBudget& budget,
                         FetchHooks hooks)
    : provider_(provider),
      window_(std::move(window)),
      settings_(settings),
      client_(guardOf(provider), budget),
      hooks_(std::move(hooks)) {}

int FeedFetcher::run() {
  const std::string base = provider_["baseUri"].get<std::string>();
  const auto parsed = adapter::parseUri(base);
  if (!parsed) {
    throw sdk::JobFailure("URI_INVALID", "baseUri " + base + ": " + parsed.error, false);
  }
  if (parsed.uri->isNetwork()) {
    const auto decision = adapter::checkEgress(client_.guard(), *parsed.uri);
    if (!decision) {  // fail before anything else, without a connection attempt
      throw sdk::JobFailure(decision.code, decision.message, false);
    }
    if (provider_["ratePolicy"].is_null()) {
      throw sdk::JobFailure("EGRESS_NO_RATE_POLICY",
                            "provider '" + provider_["providerId"].get<std::string>() +
                                "' has no ratePolicy: egress to " + parsed.uri->host +
                                " is denied (SPEC §3); give it one to fetch from the network",
                            false);
    }
  }
  if (provider_["authRef"].is_string() && parsed.uri->isNetwork()) {
    auth_headers_.emplace_back("Authorization",
                               "Bearer " + resolveAuthRef(provider_["authRef"].get<std::string>()));
  }
  fetchChanges();
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
  const auto base = adapter::parseUri(withSlash(provider_["baseUri"].get<std::string>()));
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
  document.media_type =
      provider_["source"] == "cyclonedx" ? "application/vnd.cyclonedx+json" : "application/json";
  document.etag = std::move(response.etag);
  document.last_modified = std::move(response.last_modified);
  hooks_.store(std::move(document));
  ++stored_;
}

void FeedFetcher::fetchChanges() {
  const std::string index_uri = resolve("changes.csv");
  adapter::FetchRequest listing = request(index_uri);
  conditional(listing);
  adapter::FetchResponse index = get(listing);
  if (index.not_modified) {
    return;
  }
  const IndexParse entries = parseChangesCsv(index.body);
  if (entries.error) {
    throw sdk::JobFailure(entries.error->code, index_uri + ": " + entries.error->message, false);
  }
  const auto wanted = adapter::entriesInWindow(entries.entries, window_);
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (hooks_.canceled()) {
      throw sdk::JobFailure("CANCELED", "the sync was canceled", false, JE_JOB_CANCELED);
    }
    const std::string uri = resolve(wanted[i].path_or_id);
    keep(uri, get(request(uri)));
    hooks_.progress(static_cast<int>((i + 1) * 100 / wanted.size()));
  }
  remember(index_uri, index);  // unconfirmed until normalize has written the statements
}

}  // namespace jobengine::excititor
