// Where the verifier reads a bundle's files from: the bundle's tar (members found by one pass
// over the headers, then read by seeking) or a directory the tar was extracted into. Either way
// a file is streamed in chunks (stream_scan.hpp), never loaded whole, except the two small
// manifest files. Plain C++; one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/stream_scan.hpp"

namespace jobengine::audit {

class BundleSource {
 public:
  virtual ~BundleSource() = default;
  // A tar archive when `path` is a regular file, a directory otherwise. Throws TarError for a
  // malformed archive (or one with a member twice), std::runtime_error when path is neither.
  static std::unique_ptr<BundleSource> open(const std::string& path);

  virtual bool has(const std::string& name) const = 0;
  // The whole content of a small file; throws std::runtime_error when it exceeds max_bytes.
  virtual std::string readSmall(const std::string& name, size_t max_bytes) = 0;
  // sha256, line count and (with on_line) each line of `name`.
  virtual ScanResult scan(const std::string& name, const LineSink& on_line) = 0;
  // Members the archive holds besides `expected`, in archive order (a directory: none, since
  // it may hold other files).
  virtual std::vector<std::string> extra(const std::vector<std::string>& expected) const = 0;
  // "bundle.tar" or "directory d/": for messages.
  virtual std::string describe() const = 0;
};

}  // namespace jobengine::audit
