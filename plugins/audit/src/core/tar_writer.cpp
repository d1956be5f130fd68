// The deterministic ustar writer (tar_writer.hpp, tar_format.hpp).
#include "core/tar_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/errno_text.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;

constexpr size_t kCopyChunk = size_t{64} * 1024;

// `value` as `width - 1` zero-padded octal digits and a NUL (the ustar numeric form).
void putOctal(char* field, size_t width, uint64_t value) {
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7U));
    value >>= 3U;
  }
  field[width - 1] = '\0';
}

}  // namespace

std::string tarNameProblem(const std::string& name) {
  if (name.empty()) {
    return "a member name cannot be empty";
  }
  if (name.size() > kTarNameMax) {
    return "member name '" + name + "' is longer than " + std::to_string(kTarNameMax) + " bytes";
  }
  if (name.front() == '/') {
    return "member name '" + name + "' is absolute";
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20U || c == 0x7F) {
      return "member name '" + name + "' holds a control character";
    }
  }
  if (name == ".." || name.rfind("../", 0) == 0 || name.find("/../") != std::string::npos ||
      (name.size() >= 3 && name.compare(name.size() - 3, 3, "/..") == 0)) {
    return "member name '" + name + "' leaves the archive ('..')";
  }
  return "";
}

TarWriter::TarWriter(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
  file_ = std::fopen(partial_.c_str(), "wb");
  if (file_ == nullptr) {
    throw TarError("tar " + partial_ + ": cannot create (" + errnoText() + ")");
  }
}

TarWriter::~TarWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
  if (!finished_) {
    std::error_code ec;
    fs::remove(partial_, ec);
  }
}

void TarWriter::write(const void* data, size_t size) {
  if (file_ == nullptr) {
    throw TarError("tar " + path_ + ": already finished");
  }
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    throw TarError("tar " + partial_ + ": write failed (" + errnoText() + ")");
  }
}

void TarWriter::pad(uint64_t size) {
  static const std::array<char, kTarBlock> kZeros{};
  const uint64_t rest = size % kTarBlock;
  if (rest != 0) {
    write(kZeros.data(), kTarBlock - rest);
  }
}

void TarWriter::writeHeader(const std::string& name, uint64_t size) {
  if (const std::string problem = tarNameProblem(name); !problem.empty()) {
    throw TarError("tar " + path_ + ": " + problem);
  }
  if (size > kTarMaxMemberBytes) {
    throw TarError("tar " + path_ + ": member " + name + " has " + std::to_string(size) +
                   " bytes, more than ustar's 8 GiB limit");
  }
  std::array<char, kTarBlock> h{};
  std::memcpy(h.data(), name.data(), name.size());  // name[100] at 0
  putOctal(h.data() + 100, 8, 0644);                // mode
  putOctal(h.data() + 108, 8, 0);                   // uid
  putOctal(h.data() + 116, 8, 0);                   // gid
  putOctal(h.data() + 124, 12, size);               // size
  putOctal(h.data() + 136, 12, 0);                  // mtime
  h[156] = '0';                                     // typeflag: regular file
  std::memcpy(h.data() + 257, "ustar", 6);          // magic "ustar\0"
  std::memcpy(h.data() + 263, "00", 2);             // version
  putOctal(h.data() + 329, 8, 0);                   // devmajor
  putOctal(h.data() + 337, 8, 0);                   // devminor
  // Checksum: the sum of the header's bytes with the checksum field counted as 8 spaces,
  // written as 6 octal digits, NUL, space.
  std::memset(h.data() + 148, ' ', 8);
  uint32_t sum = 0;
  for (const char c : h) {
    sum += static_cast<unsigned char>(c);
  }
  putOctal(h.data() + 148, 7, sum);
  h[155] = ' ';
  write(h.data(), h.size());
}

void TarWriter::addBytes(const std::string& name, std::string_view bytes) {
  writeHeader(name, bytes.size());
  write(bytes.data(), bytes.size());
  pad(bytes.size());
}

void TarWriter::addFile(const std::string& name, const std::string& source_path) {
  std::FILE* in = std::fopen(source_path.c_str(), "rb");
  if (in == nullptr) {
    throw TarError("tar " + path_ + ": cannot open " + source_path + " (" + errnoText() + ")");
  }
  std::error_code ec;
  const uint64_t size = fs::file_size(source_path, ec);
  try {
    if (ec) {
      throw TarError("tar " + path_ + ": cannot size " + source_path + " (" + ec.message() + ")");
    }
    writeHeader(name, size);
    std::vector<char> chunk(kCopyChunk);
    uint64_t copied = 0;
    while (copied < size) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), size - copied));
      const size_t got = std::fread(chunk.data(), 1, want, in);
      if (got == 0) {
        throw TarError("tar " + path_ + ": " + source_path + " shrank while being copied");
      }
      write(chunk.data(), got);
      copied += got;
    }
    pad(size);
  } catch (...) {
    std::fclose(in);
    throw;
  }
  std::fclose(in);
}

void TarWriter::finish() {
  static const std::array<char, 2 * kTarBlock> kEnd{};
  write(kEnd.data(), kEnd.size());
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (!flushed || closed != 0) {
    throw TarError("tar " + partial_ + ": cannot flush (" + errnoText() + ")");
  }
  std::error_code ec;
  fs::rename(partial_, path_, ec);
  if (ec) {
    throw TarError("tar " + path_ + ": cannot rename " + partial_ + " into place (" + ec.message() +
                   ")");
  }
  finished_ = true;
}

}  // namespace jobengine::audit
