// feed_generator.hpp — writes the ingest bench's file:// mirrors from the fixture documents in
// tests/fixtures/feeds: an OSV folder (modified_id.csv newest first + <ID>.json) and an NVD
// folder of CVE API 2.0 pages (page-<startIndex>.json), in the layouts feed_fetcher.hpp reads.
// Every record gets a distinct id, alias and modified time, so each one is a new observation.
#pragma once

#include <filesystem>

namespace jobengine::bench {

// `records` OSV records under dir, modified one minute apart from 2026-01-01T00:00:00Z.
void writeOsvMirror(const std::filesystem::path& fixtures, const std::filesystem::path& dir,
                    int records);

// `cves` NVD CVEs under dir in pages of `per_page` (the last one may be short).
void writeNvdMirror(const std::filesystem::path& fixtures, const std::filesystem::path& dir,
                    int cves, int per_page);

}  // namespace jobengine::bench
