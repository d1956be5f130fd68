// feed_session.cpp — a fetch step's access to one record's upstream (see
// jobengine/adapter/feed_session.hpp).
#include "jobengine/adapter/feed_session.hpp"

#include <jobengine/jobs.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace jobengine::adapter {

namespace {

using Clock = std::chrono::system_clock;

constexpr int kMaxTries = 6;
constexpr auto kMaxInPlaceWait = std::chrono::seconds(60);

EgressGuard guardOf(const nlohmann::json& record) {
  EgressGuard guard;
  const auto& g = record["egressGuard"];
  for (const auto& entry : g.value("allowlist", nlohmann::json::array())) {
    guard.allowlist.push_back(entry.get<std::string>());
  }
  guard.airgap = g.value("airgapMode", false);
  return guard;
}

std::string withSlash(std::string base) {
  if (base.empty() || base.back() != '/') {
    base.push_back('/');
  }
  return base;
}

[[noreturn]] void throwCanceled() {
  throw sdk::JobFailure("CANCELED", "the sync was canceled", false, JE_JOB_CANCELED);
}

}  // namespace

FeedSession::FeedSession(nlohmann::json record, const RecordKind& kind, FetchLimits limits,
                         RequestBudget& budget, FetchHooks hooks)
    : record_(std::move(record)),
      noun_(kind.noun),
      id_field_(kind.id_field),
      limits_(limits),
      client_(guardOf(record_), budget),
      hooks_(std::move(hooks)) {}

Uri FeedSession::preflight() const {
  const std::string base = record_["baseUri"].get<std::string>();
  const auto parsed = parseUri(base);
  if (!parsed) {
    throw sdk::JobFailure("URI_INVALID", "baseUri " + base + ": " + parsed.error, false);
  }
  if (parsed.uri->isNetwork()) {
    const auto decision = checkEgress(client_.guard(), *parsed.uri);
    if (!decision) {  // fail before anything else, without a connection attempt
      throw sdk::JobFailure(decision.code, decision.message, false);
    }
    if (record_["ratePolicy"].is_null()) {
      throw sdk::JobFailure("EGRESS_NO_RATE_POLICY",
                            noun_ + " '" + record_[id_field_].get<std::string>() +
                                "' has no ratePolicy: egress to " + parsed.uri->host +
                                " is denied (SPEC §3); give it one to fetch from the network",
                            false);
    }
  }
  return *parsed.uri;
}

std::string FeedSession::resolveAuthRef(const std::string& ref) {
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

void FeedSession::addHeader(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
}

FetchRequest FeedSession::request(const std::string& uri) const {
  FetchRequest r = requestFor(uri);
  r.timeout = limits_.timeout;
  r.max_bytes = limits_.max_bytes;
  r.headers = headers_;
  return r;
}

void FeedSession::conditional(FetchRequest& request) const {
  if (const auto v = hooks_.validators(request.uri)) {
    request.if_none_match = v->etag;
    request.if_modified_since = v->last_modified;
  }
}

void FeedSession::remember(const std::string& uri, const FetchResponse& response) const {
  if (response.etag || response.last_modified) {
    hooks_.remember(uri, Validators{response.etag, response.last_modified});
  }
}

std::string FeedSession::resolve(const std::string& relative) const {
  const auto base = parseUri(withSlash(record_["baseUri"].get<std::string>()));
  const auto resolved = adapter::resolve(*base.uri, relative);
  if (!resolved) {
    throw sdk::JobFailure("URI_INVALID", "cannot resolve '" + relative + "': " + resolved.error,
                          false);
  }
  return resolved.uri->toString();
}

FetchResponse FeedSession::get(FetchRequest request) const {
  for (int attempt = 1;; ++attempt) {
    FetchResponse response = client_.fetch(request);
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
      checkCanceled();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void FeedSession::keep(const std::string& uri, FetchResponse&& response,
                       const std::string& media_type) {
  FetchedDocument document;
  document.uri = uri;
  document.body = std::move(response.body);
  document.media_type = media_type;
  document.etag = std::move(response.etag);
  document.last_modified = std::move(response.last_modified);
  hooks_.store(std::move(document));
  ++stored_;
}

void FeedSession::checkCanceled() const {
  if (hooks_.canceled()) {
    throwCanceled();
  }
}

}  // namespace jobengine::adapter
