// Streamed answers (je_response.stream / send_file, ABI 1.2) on the real binary over real
// HTTP, with the stream-fixture plugin (fixtures/stream_fixture_plugin.cpp):
//  - a 200 MiB body produced in chunks arrives whole (every byte checked against the pattern,
//    and its SHA-256) while the engine's resident memory (VmRSS sampled during the download,
//    VmHWM after it) grows by less than 50 MiB;
//  - send_file sends a file as it is, and with JE_SEND_FILE_DELETE the file is gone;
//  - a client that hangs up mid-download costs nothing: the engine keeps serving, the
//    download is counted as abandoned and no descriptor is left open;
//  - a producer that fails, or writes another length than it declared, is a clean 500;
//  - stream() on a JE_ROUTE_TXN route is refused;
//  - SIGTERM during a download: new requests get 503, the download still completes.
// No speed is asserted anywhere.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <thread>

#include "engine_process.hpp"
#include "http_client.hpp"

namespace jobengine::testing {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMiB = 1024 * 1024;
constexpr const char* kBase = "/api/v1/jobengine/stream-fixture";

// The same function as the fixture's.
char patternByte(uint64_t i) { return static_cast<char>((i * 7 + (i >> 10) + (i >> 20)) & 0xff); }

std::string sha256Hex(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// SHA-256 of the first n pattern bytes, computed here without the engine.
std::string expectedSha256(uint64_t n) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::string block(kMiB, '\0');
  for (uint64_t done = 0; done < n;) {
    const uint64_t m = std::min<uint64_t>(kMiB, n - done);
    for (uint64_t k = 0; k < m; ++k) {
      block[k] = patternByte(done + k);
    }
    EVP_DigestUpdate(ctx.get(), block.data(), m);
    done += m;
  }
  return sha256Hex(ctx.get());
}

// One download, checked as it arrives: never kept in memory here either.
struct Download {
  long status = 0;
  std::string error;
  uint64_t bytes = 0;
  uint64_t first_mismatch = UINT64_MAX;  // offset of the first byte off the pattern
  std::string sha256;
  std::string body_head;  // the first 4 KiB, for error bodies
  std::string content_length;
  std::string content_type;
  std::string request_id;
};

struct Sink {
  Download* d;
  EVP_MD_CTX* sha;
  bool check_pattern;
  uint64_t stop_after;  // abort the transfer (hang up) once this many bytes arrived
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t len = size * n;
  Download& d = *sink->d;
  if (d.body_head.size() < 4096) {
    d.body_head.append(data, std::min(len, 4096 - d.body_head.size()));
  }
  if (sink->check_pattern && d.first_mismatch == UINT64_MAX) {
    for (size_t k = 0; k < len; ++k) {
      if (data[k] != patternByte(d.bytes + k)) {
        d.first_mismatch = d.bytes + k;
        break;
      }
    }
  }
  EVP_DigestUpdate(sink->sha, data, len);
  d.bytes += len;
  return d.bytes >= sink->stop_after ? 0 : len;  // 0: curl aborts and closes the connection
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  const std::string line(data, size * n);
  auto* d = static_cast<Download*>(user);
  const auto value = [&line] {
    std::string v = line.substr(line.find(':') + 1);
    v.erase(0, v.find_first_not_of(' '));
    v.erase(v.find_last_not_of("\r\n ") + 1);
    return v;
  };
  const auto starts = [&line](const char* name) {
    return strncasecmp(line.c_str(), name, std::strlen(name)) == 0;
  };
  if (starts("content-length:")) {
    d->content_length = value();
  } else if (starts("content-type:")) {
    d->content_type = value();
  } else if (starts("x-request-id:")) {
    d->request_id = value();
  }
  return size * n;
}

Download download(uint16_t port, const std::string& path, const std::string& token,
                  bool check_pattern = true, uint64_t stop_after = UINT64_MAX,
                  curl_off_t max_bytes_per_s = 0) {
  Download d;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  Sink sink{&d, sha.get(), check_pattern, stop_after};
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  headers = curl_slist_append(headers, "X-StellaOps-Tenant: t1");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &d);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 240L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (max_bytes_per_s > 0) {
    curl_easy_setopt(curl, CURLOPT_MAX_RECV_SPEED_LARGE, max_bytes_per_s);
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    d.error = curl_easy_strerror(rc);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &d.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  d.sha256 = sha256Hex(sha.get());
  return d;
}

// VmRSS / VmHWM of a process, in bytes.
uint64_t procStatus(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return std::stoull(line.substr(key.size() + 1)) * 1024;  // "VmRSS:   12345 kB"
    }
  }
  return 0;
}

// The engine's open descriptors, as "fd -> target" lines (sockets, files, pipes).
std::vector<std::string> openDescriptors(pid_t pid) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    out.push_back(entry.path().filename().string() + " -> " +
                  fs::read_symlink(entry.path(), ec).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += l + "\n";
  }
  return out;
}

// Polls /metrics until the counter line for `outcome` reaches at least `want` (or 20 s).
double streamedCount(uint16_t port, const std::string& outcome, double want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  const std::string needle =
      "jobengine_http_streamed_responses_total{outcome=\"" + outcome + "\"} ";
  double value = 0;
  do {
    HttpClient client(port);
    const std::string text = client.get("/metrics").body;
    const size_t at = text.find(needle);
    value = at == std::string::npos ? 0 : std::stod(text.substr(at + needle.size()));
    if (value >= want) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return value;
}

// An engine with the stream-fixture plugin alone.
std::unique_ptr<EngineProcess> startStreamingEngine(const std::string& name) {
  EngineOptions options;
  options.name = name;
  options.args = {"--set", "host.plugin_order=[\"stream-fixture\"]"};
  options.extra_toml = "[plugins.stream-fixture]\n";
  auto engine = std::make_unique<EngineProcess>(options);
  engine->start();
  return engine;
}

class HttpStreamingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = startStreamingEngine("streaming");
    token_ = engine_->mintToken("t1", "orch:read");
  }
  static void TearDownTestSuite() { engine_.reset(); }

  static std::unique_ptr<EngineProcess> engine_;
  static std::string token_;
};

std::unique_ptr<EngineProcess> HttpStreamingTest::engine_;
std::string HttpStreamingTest::token_;

TEST_F(HttpStreamingTest, Streams200MiBWhileTheEnginesMemoryStaysFlat) {
  const uint16_t port = engine_->restPort();
  const pid_t pid = engine_->pid();
  // Warm up: the first streamed answers create the pump thread's and the workers' buffers.
  for (int i = 0; i < 2; ++i) {
    const Download warm =
        download(port, std::string(kBase) + "/pattern?bytes=" + std::to_string(4 * kMiB), token_);
    ASSERT_EQ(warm.status, 200) << warm.error << warm.body_head;
  }
  const uint64_t rss_before = procStatus(pid, "VmRSS");
  const uint64_t hwm_before = procStatus(pid, "VmHWM");
  ASSERT_GT(rss_before, 0u);

  std::atomic<bool> done{false};
  std::atomic<uint64_t> rss_peak{rss_before};
  std::thread sampler([&] {
    while (!done) {
      const uint64_t rss = procStatus(pid, "VmRSS");
      if (rss > rss_peak) {
        rss_peak = rss;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const uint64_t size = 200 * kMiB;
  const Download d =
      download(port, std::string(kBase) + "/pattern?bytes=" + std::to_string(size), token_);
  done = true;
  sampler.join();
  const uint64_t hwm_after = procStatus(pid, "VmHWM");

  ASSERT_EQ(d.status, 200) << d.error << d.body_head;
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(d.content_length, std::to_string(size));
  EXPECT_EQ(d.content_type, "application/octet-stream");
  EXPECT_EQ(d.request_id.size(), 32u) << "X-Request-Id is on a streamed answer too";
  EXPECT_EQ(d.bytes, size);
  EXPECT_EQ(d.first_mismatch, UINT64_MAX) << "first wrong byte at offset " << d.first_mismatch;
  EXPECT_EQ(d.sha256, expectedSha256(size));

  const double grew_mib = static_cast<double>(rss_peak.load() - rss_before) / kMiB;
  const double hwm_grew_mib =
      static_cast<double>(hwm_after > hwm_before ? hwm_after - hwm_before : 0) / kMiB;
  std::cout << "[ measured ] engine VmRSS before " << rss_before / kMiB << " MiB, peak during "
            << rss_peak.load() / kMiB << " MiB (+" << grew_mib << "), VmHWM +" << hwm_grew_mib
            << " MiB for a " << size / kMiB << " MiB body\n";
  EXPECT_LT(grew_mib, 50.0);
  EXPECT_LT(hwm_grew_mib, 50.0);

  // The answer is in the per-request metrics like any other.
  HttpClient client(port);
  const std::string metrics = client.get("/metrics").body;
  EXPECT_NE(metrics.find("jobengine_http_requests_total{method=\"GET\",route=\"/api/v1/"
                         "jobengine/stream-fixture/pattern\",status=\"200\"}"),
            std::string::npos)
      << metrics.substr(0, 2000);
  EXPECT_GE(streamedCount(port, "complete", 3), 3);
}

TEST_F(HttpStreamingTest, UnknownLengthIsSpooledAndSentWithItsLength) {
  const Download d = download(engine_->restPort(),
                              std::string(kBase) + "/pattern?bytes=3000000&length=unknown", token_);
  ASSERT_EQ(d.status, 200) << d.error;
  EXPECT_EQ(d.content_length, "3000000");
  EXPECT_EQ(d.bytes, 3000000u);
  EXPECT_EQ(d.first_mismatch, UINT64_MAX);
  // An empty body is an answer too.
  const Download empty =
      download(engine_->restPort(), std::string(kBase) + "/pattern?bytes=0", token_);
  EXPECT_EQ(empty.status, 200) << empty.error;
  EXPECT_EQ(empty.content_length, "0");
  EXPECT_EQ(empty.bytes, 0u);
}

TEST_F(HttpStreamingTest, SendFileSendsItAndDeleteRemovesIt) {
  const uint16_t port = engine_->restPort();
  const std::string kept = engine_->dir() + "/kept.bin";
  const std::string removed = engine_->dir() + "/removed.bin";
  for (const auto& path : {kept, removed}) {
    std::ofstream out(path, std::ios::binary);
    for (uint64_t i = 0; i < 5 * kMiB; ++i) {
      out.put(patternByte(i));
    }
  }
  Download d = download(port, std::string(kBase) + "/file?path=" + kept, token_);
  ASSERT_EQ(d.status, 200) << d.error << d.body_head;
  EXPECT_EQ(d.bytes, 5 * kMiB);
  EXPECT_EQ(d.first_mismatch, UINT64_MAX);
  EXPECT_TRUE(fs::exists(kept));

  d = download(port, std::string(kBase) + "/file?delete=1&path=" + removed, token_);
  ASSERT_EQ(d.status, 200) << d.error << d.body_head;
  EXPECT_EQ(d.bytes, 5 * kMiB);
  EXPECT_EQ(d.sha256, expectedSha256(5 * kMiB));
  EXPECT_FALSE(fs::exists(removed)) << "JE_SEND_FILE_DELETE leaves no file behind";

  d = download(port, std::string(kBase) + "/file?path=" + removed, token_, false);
  EXPECT_EQ(d.status, 404) << d.body_head;
  EXPECT_NE(d.body_head.find("\"FILE_REFUSED\""), std::string::npos) << d.body_head;
}

TEST_F(HttpStreamingTest, ClientHangingUpMidDownloadCostsNothing) {
  const uint16_t port = engine_->restPort();
  const pid_t pid = engine_->pid();
  const double abandoned_before = streamedCount(port, "abandoned", 0);
  const auto fds_before = openDescriptors(pid);
  for (int i = 0; i < 3; ++i) {
    const Download cut =
        download(port, std::string(kBase) + "/pattern?bytes=" + std::to_string(200 * kMiB), token_,
                 true, 8 * kMiB);
    EXPECT_NE(cut.error, "") << "the client aborted the transfer";
    EXPECT_EQ(cut.status, 200) << cut.error;
    EXPECT_EQ(cut.first_mismatch, UINT64_MAX);
  }
  EXPECT_GE(streamedCount(port, "abandoned", abandoned_before + 3), abandoned_before + 3);

  // Still serving, downloads included.
  EXPECT_EQ(HttpClient(port).get("/healthz").status, 200);  // its connection closes here
  const Download after =
      download(port, std::string(kBase) + "/pattern?bytes=" + std::to_string(kMiB), token_);
  EXPECT_EQ(after.status, 200) << after.error;
  EXPECT_EQ(after.first_mismatch, UINT64_MAX);
  // Nothing kept open: the spool files are closed (they were never linked anywhere).
  auto fds_after = openDescriptors(pid);
  for (int i = 0; i < 100 && fds_after.size() > fds_before.size(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    fds_after = openDescriptors(pid);
  }
  EXPECT_LE(fds_after.size(), fds_before.size()) << "before:\n"
                                                 << joinLines(fds_before) << "after:\n"
                                                 << joinLines(fds_after);
  EXPECT_TRUE(fs::is_empty(engine_->dir() + "/var/spool"));
}

TEST_F(HttpStreamingTest, FailingOrMiscountingProducerIsACleanError) {
  const uint16_t port = engine_->restPort();
  for (const char* query : {"?bytes=1000000&fail_at=300000", "?bytes=1000&length=wrong"}) {
    const Download d = download(port, std::string(kBase) + "/pattern" + query, token_, false);
    EXPECT_EQ(d.status, 500) << query << " " << d.body_head;
    EXPECT_EQ(d.error, "") << query;
    EXPECT_NE(d.body_head.find("\"code\":\"INTERNAL\""), std::string::npos) << d.body_head;
    EXPECT_NE(d.body_head.find("trace id"), std::string::npos) << d.body_head;
  }
  // A streamed answer needs a 2xx: the handler that sets 404 after streaming gets a 500.
  const Download not_found =
      download(port, std::string(kBase) + "/pattern?bytes=10&status=404", token_, false);
  EXPECT_EQ(not_found.status, 500) << not_found.body_head;
  // The engine may log a failure after its 500 is on the wire: wait for the lines a while.
  const auto logged = [&](const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (engine_->output().find(text) != std::string::npos) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  EXPECT_TRUE(logged("a streamed answer needs a 2xx")) << engine_->output();
  EXPECT_TRUE(logged("the producer failed (returned -1) after 300000 bytes"));
  EXPECT_TRUE(logged("the producer wrote 1000 bytes but declared 1001"));
}

TEST_F(HttpStreamingTest, StreamIsRefusedOnATransactionRoute) {
  const Download d = download(engine_->restPort(), std::string(kBase) + "/in-txn", token_, false);
  EXPECT_EQ(d.status, 409) << d.body_head;
  EXPECT_NE(d.body_head.find("\"STREAM_REFUSED\""), std::string::npos) << d.body_head;
  EXPECT_NE(d.body_head.find("status 4"), std::string::npos) << d.body_head;  // JE_ERR_STATE
}

// Its own engine: SIGTERM stops it.
TEST(HttpStreamingDrainTest, SigtermWaitsForADownloadAndRefusesNewRequests) {
  auto engine = startStreamingEngine("streaming_drain");
  const std::string token = engine->mintToken("t1", "orch:read");
  const uint16_t port = engine->restPort();
  const uint64_t size = 48 * kMiB;
  // A client reading at 16 MiB/s: the download lasts about three seconds.
  auto slow = std::async(std::launch::async, [&] {
    return download(port, std::string(kBase) + "/pattern?bytes=" + std::to_string(size), token,
                    true, UINT64_MAX, static_cast<curl_off_t>(16 * kMiB));
  });
  // Until the download is under way (counted by the pump's metrics only once it is over, so
  // wait for the request itself instead: its bytes start flowing within the spool time).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  engine->signal(SIGTERM);
  HttpClient probe(port);
  Reply during;
  do {
    during = probe.get("/healthz");
  } while (during.status == 200);
  EXPECT_EQ(during.status, 503) << during.body << during.error;
  EXPECT_EQ(during.json()["error"]["code"], "SHUTTING_DOWN") << during.body;
  EXPECT_EQ(slow.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the download should still be in flight";

  const Download d = slow.get();
  EXPECT_EQ(d.status, 200) << d.error;
  EXPECT_EQ(d.error, "");
  EXPECT_EQ(d.bytes, size);
  EXPECT_EQ(d.first_mismatch, UINT64_MAX);
  EXPECT_EQ(engine->wait(std::chrono::seconds(30)), 0) << engine->output();
}

}  // namespace
}  // namespace jobengine::testing
