// Test helper: reads a feed fixture of the source tree (tests/fixtures/...) whole, so the parser
// tests see exactly the bytes a file:// or HTTP connector would serve.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace jobengine::concelier::testing {

// relative: a path under tests/fixtures/, e.g. "feeds/osv/PyPI/modified_id.csv".
inline std::string readFixture(const std::string& relative) {
  const std::string path = std::string(JE_SOURCE_DIR) + "/tests/fixtures/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open fixture " + path);
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace jobengine::concelier::testing
