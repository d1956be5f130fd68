// The streaming ustar reader (tar_reader.hpp).
#include "core/tar_reader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/errno_text.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;

uint64_t padded(uint64_t size) { return (size + kTarBlock - 1) / kTarBlock * kTarBlock; }

// A NUL- or space-terminated octal field; nullopt when it holds anything else.
std::optional<uint64_t> parseOctal(const char* field, size_t width) {
  size_t i = 0;
  while (i < width && field[i] == ' ') {
    ++i;
  }
  uint64_t value = 0;
  size_t digits = 0;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    value = (value << 3U) | static_cast<uint64_t>(field[i] - '0');
  }
  for (; i < width; ++i) {
    if (field[i] != '\0' && field[i] != ' ') {
      return std::nullopt;
    }
  }
  if (digits == 0 || digits > 11) {
    return std::nullopt;
  }
  return value;
}

std::string cString(const char* field, size_t width) { return {field, strnlen(field, width)}; }

}  // namespace

TarReader::TarReader(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (!fs::is_regular_file(path_, ec)) {
    throw TarError("tar " + path_ + ": " +
                   (fs::exists(path_, ec) ? "not a regular file" : "no such file"));
  }
  file_size_ = fs::file_size(path_, ec);
  file_ = std::fopen(path_.c_str(), "rb");
  if (ec || file_ == nullptr) {
    throw TarError("tar " + path_ + ": cannot open (" + errnoText() + ")");
  }
}

TarReader::~TarReader() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
}

void TarReader::fail(const std::string& what) const {
  throw TarError("tar " + path_ + ": " + what);
}

void TarReader::seekTo(uint64_t offset) {
  if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) {
    fail("cannot seek to byte " + std::to_string(offset) + " (" + errnoText() + ")");
  }
}

bool TarReader::next() {
  if (next_header_ + kTarBlock > file_size_) {
    fail(next_header_ == file_size_
             ? "ends at byte " + std::to_string(file_size_) +
                   " without the end-of-archive blocks (truncated?)"
             : "ends inside the header at byte " + std::to_string(next_header_));
  }
  seekTo(next_header_);
  std::array<char, kTarBlock> h{};
  if (std::fread(h.data(), 1, h.size(), file_) != h.size()) {
    fail("cannot read the header at byte " + std::to_string(next_header_));
  }
  const uint64_t at = next_header_;
  const std::string where = " at byte " + std::to_string(at);
  if (std::all_of(h.begin(), h.end(), [](char c) { return c == '\0'; })) {
    // End of archive: a second zero block must follow (anything after it is padding).
    std::array<char, kTarBlock> second{};
    if (std::fread(second.data(), 1, second.size(), file_) != second.size() ||
        !std::all_of(second.begin(), second.end(), [](char c) { return c == '\0'; })) {
      fail("a single zero block" + where + " where the end-of-archive needs two");
    }
    left_ = 0;
    member_ = TarMember{};
    return false;
  }
  const auto stored_sum = parseOctal(h.data() + 148, 8);
  uint32_t sum = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    sum += i >= 148 && i < 156 ? static_cast<uint32_t>(' ') : static_cast<unsigned char>(h[i]);
  }
  if (!stored_sum || *stored_sum != sum) {
    fail("the header" + where + " has a bad checksum (not a tar archive, or damaged)");
  }
  if (std::memcmp(h.data() + 257, "ustar", 5) != 0) {
    fail("the header" + where + " is not ustar (magic '" + cString(h.data() + 257, 6) + "')");
  }
  std::string name = cString(h.data(), 100);
  const std::string prefix = cString(h.data() + 345, 155);
  if (!prefix.empty()) {
    name = prefix + "/" + name;
  }
  const char type = h[156];
  if (type != '0' && type != '\0') {
    fail("member '" + name + "'" + where + " is not a regular file (typeflag '" +
         std::string(1, type) + "'); a bundle holds regular files only");
  }
  if (const std::string problem = tarNameProblem(name); !problem.empty()) {
    fail(problem + where);
  }
  const auto size = parseOctal(h.data() + 124, 12);
  if (!size) {
    fail("member '" + name + "'" + where + " has an unreadable size field");
  }
  const uint64_t content = at + kTarBlock;
  if (*size > file_size_ - content) {
    fail("member '" + name + "'" + where + " claims " + std::to_string(*size) +
         " bytes but the archive ends after " + std::to_string(file_size_ - content) +
         " (truncated?)");
  }
  if (padded(*size) > file_size_ - content) {
    fail("member '" + name + "'" + where + ": the archive ends inside its padding (truncated?)");
  }
  member_ = TarMember{std::move(name), *size, content};
  left_ = *size;
  next_header_ = content + padded(*size);
  return true;
}

size_t TarReader::read(char* buffer, size_t size) {
  const auto want = static_cast<size_t>(std::min<uint64_t>(size, left_));
  if (want == 0) {
    return 0;
  }
  const size_t got = std::fread(buffer, 1, want, file_);
  if (got != want) {
    fail("cannot read member '" + member_.name + "' (" + errnoText() + ")");
  }
  left_ -= got;
  return got;
}

void TarReader::seek(const TarMember& member) {
  if (member.offset < kTarBlock || member.offset + member.size > file_size_) {
    fail("member '" + member.name + "' lies outside the archive");
  }
  seekTo(member.offset);
  member_ = member;
  left_ = member.size;
  next_header_ = member.offset + padded(member.size);
}

std::vector<TarMember> listTar(const std::string& path) {
  TarReader reader(path);
  std::vector<TarMember> members;
  while (reader.next()) {
    members.push_back(reader.member());
  }
  return members;
}

}  // namespace jobengine::audit
