// Reads ustar archives member by member, streaming: headers are checked (checksum, magic,
// regular files only, sizes within the file) and a member's content is read in chunks, so a
// bundle of any size is read in bounded memory. A malformed archive throws TarError naming the
// file, the member and the byte offset. Accepts the bundles tar_writer makes and the same
// members repacked by other ustar writers (GNU magic, prefix field, trailing padding).
// One thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/tar_format.hpp"

namespace jobengine::audit {

struct TarMember {
  std::string name;
  uint64_t size = 0;    // content bytes
  uint64_t offset = 0;  // byte offset of the content in the archive
};

class TarReader {
 public:
  // Opens the archive. Throws TarError.
  explicit TarReader(std::string path);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  // Moves to the next member (skipping what is left of the current one): true with member()
  // set, false at the end-of-archive blocks. Throws TarError on a malformed archive.
  bool next();
  const TarMember& member() const { return member_; }
  // Up to `size` bytes of the current member's content; 0 at its end.
  size_t read(char* buffer, size_t size);
  // Positions the reader on a member a previous pass returned (random access).
  void seek(const TarMember& member);

 private:
  [[noreturn]] void fail(const std::string& what) const;
  void seekTo(uint64_t offset);
  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t file_size_ = 0;
  uint64_t next_header_ = 0;  // where the next header starts
  uint64_t left_ = 0;         // unread content bytes of the current member
  TarMember member_;
};

// Every member of the archive, in order. Throws TarError.
std::vector<TarMember> listTar(const std::string& path);

}  // namespace jobengine::audit
