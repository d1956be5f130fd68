// feed_generator.cpp — the ingest bench's mirrors, copied from one fixture record each with the
// identifying fields rewritten (feed_generator.hpp).
#include "feed_generator.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace jobengine::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json readJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read fixture " + path.string());
  }
  return json::parse(in);
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

// 2026-01-01T00:00:00 UTC plus `minutes`, as "%Y-%m-%dT%H:%M:%S" (the caller adds the zone).
std::string timeAfter(int minutes) {
  constexpr std::time_t kBase = 1767225600;  // 2026-01-01T00:00:00Z
  const std::time_t t = kBase + static_cast<std::time_t>(minutes) * 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string numbered(const char* format, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}

}  // namespace

void writeOsvMirror(const fs::path& fixtures, const fs::path& dir, int records) {
  const json templ = readJson(fixtures / "osv" / "PyPI" / "PYSEC-2026-17.json");
  fs::create_directories(dir);
  std::string listing;
  for (int i = records - 1; i >= 0; --i) {  // the listing is newest first
    const std::string id = numbered("BENCH-2026-%05d", i);
    const std::string modified = timeAfter(i) + "Z";
    json record = templ;
    record["id"] = id;
    record["modified"] = modified;
    record["aliases"] = json::array({numbered("CVE-2026-%05d", 50000 + i)});
    record["affected"][0]["package"]["name"] = numbered("bench-package-%05d", i);
    record["affected"][0]["package"]["purl"] = numbered("pkg:pypi/bench-package-%05d", i);
    writeText(dir / (id + ".json"), record.dump(2));
    listing += modified + "," + id + "\n";
  }
  writeText(dir / "modified_id.csv", listing);
}

void writeNvdMirror(const fs::path& fixtures, const fs::path& dir, int cves, int per_page) {
  const json first_page = readJson(fixtures / "nvd" / "page-0.json");
  const json templ = first_page["vulnerabilities"][0];
  fs::create_directories(dir);
  for (int start = 0; start < cves; start += per_page) {
    const int count = std::min(per_page, cves - start);
    json page = first_page;
    page["resultsPerPage"] = count;
    page["startIndex"] = start;
    page["totalResults"] = cves;
    page["vulnerabilities"] = json::array();
    for (int i = start; i < start + count; ++i) {
      json entry = templ;
      entry["cve"]["id"] = numbered("CVE-2026-%05d", 60000 + i);
      entry["cve"]["lastModified"] = timeAfter(i) + ".000";
      page["vulnerabilities"].push_back(std::move(entry));
    }
    writeText(dir / ("page-" + std::to_string(start) + ".json"), page.dump(2));
  }
}

}  // namespace jobengine::bench
