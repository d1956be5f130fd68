// bench_plugin_dir.cpp — the plugin dir the benchmark engines load: the build's plugins plus
// bench_noop, which lives outside the engine's plugin dir so normal runs never load it.
#include <filesystem>

#include "bench_common.hpp"

namespace jobengine::bench {

namespace fs = std::filesystem;

std::string benchPluginDir(const std::string& work_dir) {
  const fs::path dir = fs::path(work_dir) / "plugins";
  fs::create_directories(dir);
  for (const auto& src : {fs::path(JE_BINARY_DIR) / "plugins", fs::path(JE_BENCH_PLUGIN_DIR)}) {
    for (const auto& e : fs::directory_iterator(src)) {
      const fs::path link = dir / e.path().filename();
      if (e.path().extension() == ".so" && !fs::is_symlink(link)) {
        fs::create_symlink(e.path(), link);
      }
    }
  }
  return dir.string();
}

}  // namespace jobengine::bench
