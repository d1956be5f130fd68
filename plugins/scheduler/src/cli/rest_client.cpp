// RestClient over libcurl's easy interface (see rest_client.hpp).
#include "cli/rest_client.hpp"

#include <curl/curl.h>

#include <stdexcept>
#include <utility>

namespace jobengine::scheduler::cli {
namespace {

constexpr const char* kApiBase = "/api/v1/jobengine";

size_t collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Owns a curl_slist.
struct HeaderList {
  curl_slist* list = nullptr;
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      throw std::runtime_error("out of memory building request headers");
    }
    list = grown;
  }
};

}  // namespace

RestClient::RestClient(ClientSettings settings)
    : settings_(std::move(settings)), curl_(curl_easy_init()) {
  if (curl_ == nullptr) {
    throw std::runtime_error("cannot initialise libcurl");
  }
}

RestClient::~RestClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

std::string RestClient::escape(const std::string& text) {
  char* escaped =
      curl_easy_escape(static_cast<CURL*>(curl_), text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) {
    throw std::runtime_error("out of memory escaping a query value");
  }
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

RestReply RestClient::get(const std::string& path,
                          const std::map<std::string, std::string>& query) {
  std::string url = settings_.url + kApiBase + path;
  char sep = '?';
  for (const auto& [name, value] : query) {
    url += sep + escape(name) + "=" + escape(value);
    sep = '&';
  }
  return perform("GET", url, "", {});
}

RestReply RestClient::getFromRoot(const std::string& path) {
  return perform("GET", settings_.url + path, "", {});
}

RestReply RestClient::post(const std::string& path, const std::string& json_body,
                           const std::vector<std::string>& extra_headers) {
  return perform("POST", settings_.url + kApiBase + path, json_body, extra_headers);
}

RestReply RestClient::perform(const std::string& method, const std::string& url,
                              const std::string& body,
                              const std::vector<std::string>& extra_headers) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  HeaderList headers;
  headers.add("Authorization: Bearer " + settings_.token);
  headers.add("Accept: application/json");
  if (!settings_.tenant.empty()) {
    headers.add("X-StellaOps-Tenant: " + settings_.tenant);
  }
  if (method == "POST") {
    headers.add("Content-Type: application/json");
  }
  for (const auto& line : extra_headers) {
    headers.add(line);
  }
  RestReply reply;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "jobengine-cli");
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    reply.transport_error = error[0] != '\0' ? error : curl_easy_strerror(rc);
    reply.body.clear();
    return reply;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace jobengine::scheduler::cli
