// Streaming sha256 + line split (stream_scan.hpp).
#include "core/stream_scan.hpp"

#include <openssl/evp.h>
#include <jobengine/hex.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/errno_text.hpp"
#include "core/openssl_handles.hpp"

namespace jobengine::audit {
namespace {

constexpr size_t kChunk = size_t{64} * 1024;

std::string hex(const unsigned char* bytes, unsigned int size) {
  return sdk::hexEncode(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

}  // namespace

ScanResult scanStream(const ChunkReader& read, const std::string& name, const LineSink& on_line) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error(name + ": cannot start sha256");
  }
  ScanResult result;
  std::vector<char> chunk(kChunk);
  std::string line;      // the current line, only when on_line is set
  bool in_line = false;  // bytes seen since the last '\n'
  for (;;) {
    const size_t got = read(chunk.data(), chunk.size());
    if (got == 0) {
      break;
    }
    result.bytes += got;
    if (EVP_DigestUpdate(ctx.get(), chunk.data(), got) != 1) {
      throw std::runtime_error(name + ": sha256 update failed");
    }
    const char* begin = chunk.data();
    const char* const end = chunk.data() + got;
    while (begin < end) {
      const auto* nl =
          static_cast<const char*>(std::memchr(begin, '\n', static_cast<size_t>(end - begin)));
      const char* stop = nl != nullptr ? nl : end;
      if (on_line) {
        if (line.size() + static_cast<size_t>(stop - begin) > kMaxLineBytes) {
          throw LineTooLong(name + " line " + std::to_string(result.lines + 1) +
                            " is longer than " + std::to_string(kMaxLineBytes) + " bytes");
        }
        line.append(begin, stop);
      }
      in_line = in_line || stop > begin;
      if (nl == nullptr) {
        break;
      }
      ++result.lines;
      if (on_line) {
        on_line(line, result.lines);
        line.clear();
      }
      in_line = false;
      begin = nl + 1;
    }
  }
  if (in_line) {
    ++result.lines;
    if (on_line) {
      on_line(line, result.lines);
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &md_len) != 1) {
    throw std::runtime_error(name + ": sha256 final failed");
  }
  result.sha256 = "sha256:" + hex(md, md_len);
  return result;
}

ChunkReader fileChunkReader(std::FILE* file, const std::string& path) {
  return [file, path](char* buffer, size_t size) {
    const size_t got = std::fread(buffer, 1, size, file);
    if (got == 0 && std::ferror(file) != 0) {
      throw std::runtime_error(path + ": read failed (" + errnoText() + ")");
    }
    return got;
  };
}

ScanResult scanFile(const std::string& path, const LineSink& on_line) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw std::runtime_error(path + ": cannot open (" + errnoText() + ")");
  }
  try {
    ScanResult result = scanStream(fileChunkReader(file, path), path, on_line);
    std::fclose(file);
    return result;
  } catch (...) {
    std::fclose(file);
    throw;
  }
}

}  // namespace jobengine::audit
