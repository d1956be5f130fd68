// A tiny feed mirror in a fresh temporary directory, for the adapter kit's tests (the real
// fixture mirror under tests/fixtures/feeds/ is not used: the tests own their bytes). Removed
// with the object.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace jobengine::adapter::test {

class TestMirror {
 public:
  TestMirror() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("je-adapter-mirror-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(root_);
    write("osv/PyPI/modified_id.csv",
          "2024-03-01T00:00:00Z,GHSA-aaaa-bbbb-cccc\n2024-02-01T00:00:00Z,PYSEC-2024-1\n");
    write("osv/PyPI/GHSA-aaaa-bbbb-cccc.json", R"({"id":"GHSA-aaaa-bbbb-cccc","modified":"x"})");
    write("kev/known_exploited_vulnerabilities.json", R"({"title":"KEV","vulnerabilities":[]})");
    write("nvd/page-0.json", nvdPage(0, {{"CVE-2024-0001", "2024-01-01T00:00:00.000"},
                                         {"CVE-2024-0002", "2024-02-01T00:00:00.000"}}));
    write("nvd/page-2.json", nvdPage(2, {{"CVE-2024-0003", "2024-03-01T12:00:00.000"}}));
  }
  ~TestMirror() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TestMirror(const TestMirror&) = delete;
  TestMirror& operator=(const TestMirror&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::string fileUri(const std::string& rel) const { return "file://" + (root_ / rel).string(); }

  void write(const std::string& rel, const std::string& bytes) const {
    const auto path = root_ / rel;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }

 private:
  static std::string nvdPage(int start,
                             std::initializer_list<std::pair<const char*, const char*>> cves) {
    std::string list;
    for (const auto& [id, modified] : cves) {
      list += std::string(list.empty() ? "" : ",") + R"({"cve":{"id":")" + id +
              R"(","lastModified":")" + modified + R"("}})";
    }
    return R"({"resultsPerPage":)" + std::to_string(cves.size()) + R"(,"startIndex":)" +
           std::to_string(start) +
           R"(,"totalResults":3,"format":"NVD_CVE","version":"2.0",)"
           R"("timestamp":"2024-04-01T00:00:00.000","vulnerabilities":[)" +
           list + "]}";
  }

  std::filesystem::path root_;
};

}  // namespace jobengine::adapter::test
