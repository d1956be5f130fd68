// je_feed_upstream: serves a feed mirror directory over HTTP the way the source adapters' tests
// do (FeedUpstream, feed_upstream.hpp), for demos and manual checks:
//   je_feed_upstream --root tests/fixtures/feeds [--port 8099]
// Prints the base URL, then serves until SIGINT or SIGTERM.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "feed_upstream.hpp"

namespace {

int usage(const std::string& problem) {
  std::cerr << "je_feed_upstream: " << problem << "\nusage: je_feed_upstream --root DIR [--port N]"
            << " (N in 0..65535; 0 or none = an ephemeral port)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root;
  long port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--root" || arg == "--port") && i + 1 >= argc) {
      return usage(arg + " needs a value");
    }
    if (arg == "--root") {
      root = argv[++i];
    } else if (arg == "--port") {
      const std::string value = argv[++i];
      char* end = nullptr;
      port = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || port < 0 || port > 65535) {
        return usage("--port '" + value + "' is not a number in 0..65535");
      }
    } else if (arg == "--help" || arg == "-h") {
      usage("serves a feed mirror directory over HTTP");
      return 0;
    } else {
      return usage("unknown argument '" + arg + "'");
    }
  }
  if (root.empty()) {
    return usage("--root is required");
  }
  if (!std::filesystem::is_directory(root)) {
    return usage("--root '" + root + "' is not a directory");
  }
  // Block the signals before the server threads start so only sigwait() receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  jobengine::testing::FeedUpstream upstream(root, static_cast<uint16_t>(port));
  try {
    upstream.start();
  } catch (const std::exception& e) {
    std::cerr << "je_feed_upstream: " << e.what() << "\n";
    return 1;
  }
  std::cout << upstream.url("") << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  upstream.stop();
  return 0;
}
