// The streaming scanner: sha256 and line count of everything read, lines handed out across
// chunk boundaries, a last line without '\n' counted, and the line length bound.
#include "core/stream_scan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include <jobengine/canonical_json.hpp>

namespace jobengine::audit {
namespace {

// A reader handing out `text` at most `step` bytes at a time.
ChunkReader over(const std::string& text, size_t step) {
  auto at = std::make_shared<size_t>(0);
  return [text, step, at](char* buffer, size_t size) {
    const size_t n = std::min({size, step, text.size() - *at});
    std::memcpy(buffer, text.data() + *at, n);
    *at += n;
    return n;
  };
}

TEST(StreamScan, CountsLinesAndHashesEveryByte) {
  const std::string text = "alpha\nbeta\n\ngamma";
  for (const size_t step : {size_t{1}, size_t{3}, size_t{1000}}) {
    std::vector<std::string> lines;
    const ScanResult r =
        scanStream(over(text, step), "t.jsonl", [&lines](const std::string& line, int64_t line_no) {
          EXPECT_EQ(line_no, static_cast<int64_t>(lines.size()) + 1);
          lines.push_back(line);
        });
    EXPECT_EQ(r.lines, 4);
    EXPECT_EQ(r.bytes, text.size());
    EXPECT_EQ(r.sha256, sdk::sha256Digest(text));
    EXPECT_EQ(lines, (std::vector<std::string>{"alpha", "beta", "", "gamma"})) << step;
  }
  EXPECT_EQ(scanStream(over("a\nb\n", 2), "t").lines, 2);
  EXPECT_EQ(scanStream(over("", 2), "t").lines, 0);
  EXPECT_EQ(scanStream(over("", 2), "t").sha256, sdk::sha256Digest(""));
}

TEST(StreamScan, LineLongerThanTheBoundIsRefusedWhenLinesAreWanted) {
  const std::string text = "short\n" + std::string(kMaxLineBytes + 1, 'x') + "\n";
  try {
    scanStream(over(text, 1 << 20), "audit.jsonl", [](const std::string&, int64_t) {});
    FAIL() << "a line over the bound was held";
  } catch (const LineTooLong& e) {
    EXPECT_EQ(std::string(e.what()),
              "audit.jsonl line 2 is longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  // Counting alone holds no line, so any length is fine.
  EXPECT_EQ(scanStream(over(text, 1 << 20), "jobs.jsonl").lines, 2);
}

}  // namespace
}  // namespace jobengine::audit
