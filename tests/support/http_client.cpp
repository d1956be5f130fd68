// See http_client.hpp.
#include "http_client.hpp"

#include "response_contract.hpp"

#include <curl/curl.h>

#include <cctype>
#include <future>

namespace jobengine::testing {
namespace {

size_t onBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

}  // namespace

HttpClient::HttpClient(uint16_t port, std::string host)
    : port_(port), host_(std::move(host)), curl_(curl_easy_init()) {}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Reply HttpClient::call(const std::string& method, const std::string& path, const std::string& body,
                       const std::vector<std::string>& headers, long timeout_ms) {
  auto* curl = static_cast<CURL*>(curl_);
  Reply reply;
  const std::string url = "http://" + host_ + ":" + std::to_string(port_) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_slist* list = nullptr;
  for (const auto& h : headers) {
    list = curl_slist_append(list, h.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    reply.error = curl_easy_strerror(rc);
    return reply;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &reply.connects);
  if (check_contract_ && responseContractEnabled()) {
    checkResponse(host_, port_, method, path, reply);
  }
  return reply;
}

std::vector<Reply> concurrentRequests(uint16_t port, int count,
                                      const std::function<Reply(HttpClient&)>& send) {
  std::promise<void> go;
  const std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<Reply>> pending;
  for (int i = 0; i < count; ++i) {
    pending.push_back(std::async(std::launch::async, [port, start, &send] {
      HttpClient http(port);
      start.wait();
      return send(http);
    }));
  }
  go.set_value();
  std::vector<Reply> replies;
  for (auto& f : pending) {
    replies.push_back(f.get());
  }
  return replies;
}

IdempotentRace tallyIdempotentRace(const std::vector<Reply>& replies, long success_status) {
  IdempotentRace out;
  for (const Reply& r : replies) {
    const bool replay = r.header("idempotent-replayed") == "true";
    if (r.status == success_status && r.header("idempotent-replayed").empty()) {
      ++out.created;
    } else if (r.status == success_status && replay) {
      ++out.replayed;
    } else if (r.status == 409 && r.json().is_object() &&
               r.json()["error"]["code"] == "IDEMPOTENCY_IN_FLIGHT") {
      ++out.in_flight;
    } else {
      out.unexpected.push_back(r);
    }
  }
  return out;
}

}  // namespace jobengine::testing
