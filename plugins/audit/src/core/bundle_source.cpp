// Tar and directory bundle sources (bundle_source.hpp).
#include "core/bundle_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "core/errno_text.hpp"
#include "core/tar_reader.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;

// A bundle has six members; an archive with far more is not one (and is not indexed whole).
constexpr size_t kMaxMembers = 64;

class DirectorySource : public BundleSource {
 public:
  explicit DirectorySource(std::string dir) : dir_(std::move(dir)) {}

  bool has(const std::string& name) const override {
    std::error_code ec;
    return fs::is_regular_file(path(name), ec);
  }
  std::string readSmall(const std::string& name, size_t max_bytes) override {
    std::FILE* file = std::fopen(path(name).c_str(), "rb");
    if (file == nullptr) {
      throw std::runtime_error(name + ": cannot open (" + errnoText() + ")");
    }
    std::string text(max_bytes + 1, '\0');
    const size_t got = std::fread(text.data(), 1, text.size(), file);
    std::fclose(file);
    if (got > max_bytes) {
      throw std::runtime_error(name + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    text.resize(got);
    return text;
  }
  ScanResult scan(const std::string& name, const LineSink& on_line) override {
    std::FILE* file = std::fopen(path(name).c_str(), "rb");
    if (file == nullptr) {
      throw std::runtime_error(name + ": cannot open (" + errnoText() + ")");
    }
    try {
      ScanResult r = scanStream(fileChunkReader(file, name), name, on_line);
      std::fclose(file);
      return r;
    } catch (...) {
      std::fclose(file);
      throw;
    }
  }
  std::vector<std::string> extra(const std::vector<std::string>& /*expected*/) const override {
    return {};
  }
  std::string describe() const override { return "directory " + dir_; }

 private:
  std::string path(const std::string& name) const { return (fs::path(dir_) / name).string(); }
  std::string dir_;
};

class TarSource : public BundleSource {
 public:
  explicit TarSource(const std::string& path) : path_(path), reader_(path) {
    while (reader_.next()) {
      if (members_.size() == kMaxMembers) {
        throw TarError("tar " + path + ": more than " + std::to_string(kMaxMembers) +
                       " members; not an audit bundle");
      }
      if (find(reader_.member().name) != nullptr) {
        throw TarError("tar " + path + ": member '" + reader_.member().name + "' appears twice");
      }
      members_.push_back(reader_.member());
    }
  }

  bool has(const std::string& name) const override { return find(name) != nullptr; }
  std::string readSmall(const std::string& name, size_t max_bytes) override {
    const TarMember& m = member(name);
    if (m.size > max_bytes) {
      throw std::runtime_error(name + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    reader_.seek(m);
    std::string text(static_cast<size_t>(m.size), '\0');
    size_t at = 0;
    while (at < text.size()) {
      const size_t got = reader_.read(text.data() + at, text.size() - at);
      if (got == 0) {
        throw std::runtime_error(name + ": archive ended early");
      }
      at += got;
    }
    return text;
  }
  ScanResult scan(const std::string& name, const LineSink& on_line) override {
    reader_.seek(member(name));
    return scanStream([this](char* buffer, size_t size) { return reader_.read(buffer, size); },
                      name, on_line);
  }
  std::vector<std::string> extra(const std::vector<std::string>& expected) const override {
    std::vector<std::string> out;
    for (const TarMember& m : members_) {
      if (std::find(expected.begin(), expected.end(), m.name) == expected.end()) {
        out.push_back(m.name);
      }
    }
    return out;
  }
  std::string describe() const override { return path_; }

 private:
  const TarMember* find(const std::string& name) const {
    for (const TarMember& m : members_) {
      if (m.name == name) {
        return &m;
      }
    }
    return nullptr;
  }
  const TarMember& member(const std::string& name) const {
    const TarMember* m = find(name);
    if (m == nullptr) {
      throw std::runtime_error(name + " is not in " + path_);
    }
    return *m;
  }
  std::string path_;
  TarReader reader_;
  std::vector<TarMember> members_;
};

}  // namespace

std::unique_ptr<BundleSource> BundleSource::open(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return std::make_unique<DirectorySource>(path);
  }
  if (fs::is_regular_file(path, ec)) {
    return std::make_unique<TarSource>(path);
  }
  throw std::runtime_error(fs::exists(path, ec) ? path + " is neither a tar file nor a directory"
                                                : "no such file or directory: " + path);
}

}  // namespace jobengine::audit
