// Writes a deterministic ustar archive (tar_format.hpp), streaming: a member's content is
// copied from its source file in fixed-size chunks, so the archive never sits in memory.
//
// The archive is written to "<path>.partial" and renamed to <path> by finish(), so a crash or
// an error never leaves a truncated file under the real name. One thread.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/tar_format.hpp"

namespace jobengine::audit {

class TarWriter {
 public:
  // Creates "<path>.partial" (replacing a stale one). Throws TarError.
  explicit TarWriter(std::string path);
  // Removes the partial file unless finish() succeeded.
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Appends a member named `name` holding the bytes of the file at source_path.
  void addFile(const std::string& name, const std::string& source_path);
  // Appends a member holding `bytes`.
  void addBytes(const std::string& name, std::string_view bytes);
  // Writes the two end blocks, flushes, syncs and renames the archive into place.
  void finish();

 private:
  void writeHeader(const std::string& name, uint64_t size);
  void write(const void* data, size_t size);
  void pad(uint64_t size);
  std::string path_;
  std::string partial_;
  std::FILE* file_ = nullptr;
  bool finished_ = false;
};

}  // namespace jobengine::audit
