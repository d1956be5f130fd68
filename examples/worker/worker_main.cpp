// je_example_worker — a small external JobEngine worker over the worker bridge (SPEC §2):
// POST /worker/claim, then for each grant heartbeat once (leased -> running) and complete with
// succeeded. It exits after --max-jobs completions or --idle-exit-ms without work.
//
//   je_example_worker --base-url http://127.0.0.1:8080 --tenant t1 --job-types demo.echo
//                     [--token JWT] [--worker-id w1] [--lease-seconds 30] [--max-jobs N]
//                     [--idle-exit-ms 10000] [--crash-after-claim]
//
// --crash-after-claim: after the first successful claim, print "claimed <jobId>" and die with
// SIGKILL-like abruptness (_exit), leaving the lease to expire — the kill test's worker.
// Every request carries X-StellaOps-Operator-Reason "worker <id>" (the bridge is an
// orch:operate surface; see plugins/scheduler/README.md).
#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;

struct Options {
  std::string base_url = "http://127.0.0.1:8080";
  std::string token;
  std::string tenant;
  std::vector<std::string> job_types;
  std::string worker_id = "example-worker";
  int lease_seconds = 30;
  int max_jobs = 0;  // 0: unlimited
  int idle_exit_ms = 10000;
  bool crash_after_claim = false;
};

size_t collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// POSTs body to path; returns (status, body). status 0 on a transport error.
std::pair<long, json> post(const Options& o, const std::string& path, const json& body) {
  CURL* curl = curl_easy_init();
  std::string out;
  const std::string url = o.base_url + "/api/v1/jobengine" + path;
  const std::string payload = body.dump();
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("X-StellaOps-Tenant: " + o.tenant).c_str());
  headers =
      curl_slist_append(headers, ("X-StellaOps-Operator-Reason: worker " + o.worker_id).c_str());
  if (!o.token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + o.token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return {status, json::parse(out, nullptr, false)};
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--base-url") {
      o.base_url = next();
    } else if (a == "--token") {
      o.token = next();
    } else if (a == "--tenant") {
      o.tenant = next();
    } else if (a == "--job-types") {
      std::string list = next();
      size_t start = 0;
      while (start <= list.size()) {
        const size_t comma = list.find(',', start);
        const std::string t = list.substr(start, comma - start);
        if (!t.empty()) {
          o.job_types.push_back(t);
        }
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
    } else if (a == "--worker-id") {
      o.worker_id = next();
    } else if (a == "--lease-seconds") {
      o.lease_seconds = std::stoi(next());
    } else if (a == "--max-jobs") {
      o.max_jobs = std::stoi(next());
    } else if (a == "--idle-exit-ms") {
      o.idle_exit_ms = std::stoi(next());
    } else if (a == "--crash-after-claim") {
      o.crash_after_claim = true;
    } else {
      std::cerr << "je_example_worker: unknown flag '" << a << "'\n";
      return false;
    }
  }
  if (o.tenant.empty() || o.job_types.empty()) {
    std::cerr << "je_example_worker: --tenant and --job-types are required\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int done = 0;
  auto idle_since = std::chrono::steady_clock::now();
  while (o.max_jobs == 0 || done < o.max_jobs) {
    const auto [status, claim] = post(o, "/worker/claim",
                                      {{"jobTypes", o.job_types},
                                       {"maxCount", 1},
                                       {"leaseSeconds", o.lease_seconds},
                                       {"workerId", o.worker_id}});
    if (status != 200 || !claim.contains("grants") || claim["grants"].empty()) {
      if (status != 200) {
        std::cerr << "claim answered " << status << ": " << claim.dump() << "\n";
      }
      if (std::chrono::steady_clock::now() - idle_since >
          std::chrono::milliseconds(o.idle_exit_ms)) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    idle_since = std::chrono::steady_clock::now();
    for (const auto& g : claim["grants"]) {
      const std::string id = g["jobId"].get<std::string>();
      const std::string lease = g["leaseId"].get<std::string>();
      std::cout << "claimed " << id << " attempt " << g["attempt"] << std::endl;
      if (o.crash_after_claim) {
        _exit(137);  // die holding the lease, like a killed process
      }
      const auto hb = post(o, "/worker/jobs/" + id + "/heartbeat",
                           {{"leaseId", lease}, {"progress", 50}, {"message", "working"}});
      if (hb.first != 200 || hb.second.value("cancelRequested", false)) {
        const auto c = post(o, "/worker/jobs/" + id + "/complete",
                            {{"leaseId", lease}, {"status", "canceled"}});
        std::cout << "canceled " << id << " " << c.first << std::endl;
        continue;
      }
      const auto c = post(o, "/worker/jobs/" + id + "/complete",
                          {{"leaseId", lease},
                           {"status", "succeeded"},
                           {"artifacts", json::array({{{"uri", "mem://" + id},
                                                       {"digest", "sha256:" + std::string(64, '0')},
                                                       {"mediaType", "text/plain"},
                                                       {"sizeBytes", 0}}})}});
      std::cout << "completed " << id << " " << c.first << std::endl;
      if (c.first == 200) {
        ++done;
      }
    }
  }
  curl_global_cleanup();
  return 0;
}
