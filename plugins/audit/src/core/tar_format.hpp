// The one tar dialect export bundles use (SPEC §7): POSIX ustar, 512-byte blocks, regular
// files only, every header field fixed except name, size and checksum (mode 0644, uid/gid 0,
// empty uname/gname, mtime 0), two zero blocks at the end. Fixed fields make two bundles of the
// same files byte-identical. Shared by tar_writer and tar_reader.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace jobengine::audit {

// A tar file that cannot be written or read; what() names the file and, for a bad archive, the
// member and byte offset.
class TarError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr size_t kTarBlock = 512;
inline constexpr size_t kTarNameMax = 100;  // no prefix field: bundle names are short
// The largest size 11 octal digits hold (8 GiB - 1).
inline constexpr uint64_t kTarMaxMemberBytes = 077777777777ULL;

// Empty when `name` may be a member name; otherwise why not (too long, absolute, "..", control
// characters).
std::string tarNameProblem(const std::string& name);

}  // namespace jobengine::audit
