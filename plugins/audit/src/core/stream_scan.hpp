// One streaming pass over a bundle file: its sha256, its line count and, when asked, each line
// in turn (for the audit chain walk). Reads fixed-size chunks, so memory is one chunk plus the
// longest line, whatever the file's size. Used by the bundle writer (digests for the manifest)
// and the verifier (the same digests, recomputed).
//
// Lines: the file is split at '\n'; a last line without '\n' still counts (so text appended
// without a newline is seen as a line added).
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace jobengine::audit {

// Reads up to `size` bytes into `buffer`; returns 0 at the end. Throws on a read error.
using ChunkReader = std::function<size_t(char* buffer, size_t size)>;
// Called with each line (without its '\n') and its 1-based number.
using LineSink = std::function<void(const std::string& line, int64_t line_no)>;

// A line longer than kMaxLineBytes (the scan cannot hold it in bounded memory).
class LineTooLong : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr size_t kMaxLineBytes = size_t{16} * 1024 * 1024;

struct ScanResult {
  std::string sha256;  // "sha256:<hex>" of every byte
  int64_t lines = 0;
  uint64_t bytes = 0;
};

// Scans everything `read` yields. `name` goes into errors. With `on_line` empty, lines are only
// counted (no line is held). Throws LineTooLong when on_line is set and a line exceeds
// kMaxLineBytes.
ScanResult scanStream(const ChunkReader& read, const std::string& name,
                      const LineSink& on_line = nullptr);

// The same over a file on disk; throws std::runtime_error naming it when it cannot be read.
ScanResult scanFile(const std::string& path, const LineSink& on_line = nullptr);

// A ChunkReader over an open file.
ChunkReader fileChunkReader(std::FILE* file, const std::string& path);

}  // namespace jobengine::audit
