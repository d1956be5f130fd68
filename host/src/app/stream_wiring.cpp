// See stream_wiring.hpp.
#include "app/stream_wiring.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>
#include <jobengine/hex.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "app/stream_routes.hpp"
#include "auth/token_minter.hpp"
#include "auth/token_verifier.hpp"
#include "metrics/metrics_registry.hpp"
#include "store/database.hpp"
#include "stream/outbox_feeder.hpp"
#include "stream/outbox_reader.hpp"
#include "stream/stream_hub.hpp"
#include "stream/stream_listener.hpp"

namespace jobengine::host {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

std::string newSecretHex() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("stream token secret: the system random generator failed");
  }
  return sdk::hexEncode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

void ensureStreamTokenSecret(HostConfig& config) {
  if (!config.auth.stream_token_secret.empty()) {
    return;
  }
  namespace fs = std::filesystem;
  const fs::path path = fs::path(config.data_dir) / "stream_token.secret";
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::ifstream in(path);
    std::string secret;
    std::getline(in, secret);
    secret = trimmed(secret);
    if (secret.size() < 32) {
      throw std::runtime_error(path.string() +
                               ": stream token secret is shorter than 32 characters; delete the "
                               "file to have a new one generated");
    }
    config.auth.stream_token_secret = secret;
    return;
  }
  fs::create_directories(path.parent_path(), ec);
  const std::string secret = newSecretHex();
  const std::string tmp = path.string() + ".tmp";
  {
    const mode_t old_mask = ::umask(077);  // created 0600 from the start
    std::ofstream out(tmp, std::ios::trunc);
    ::umask(old_mask);
    out << secret << "\n";
    if (!out) {
      throw std::runtime_error(tmp + ": cannot write the stream token secret");
    }
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    throw std::runtime_error(path.string() +
                             ": cannot store the stream token secret: " + ec.message());
  }
  config.auth.stream_token_secret = secret;
}

struct StreamStack::Parts {
  const HostConfig& config;
  MetricsRegistry& metrics;
  std::unique_ptr<TokenVerifier> verifier;
  std::unique_ptr<StreamTokenIssuer> issuer;
  EventSubscriptions subscriptions;
  SignalWatchers signals;
  std::unique_ptr<StreamHub> hub;
  std::unique_ptr<OutboxFeeder> feeder;
  std::unique_ptr<StreamListener> listener;
  int port = 0;
  bool started = false;
  Parts(const HostConfig& c, MetricsRegistry& m) : config(c), metrics(m) {}
};

StreamStack::StreamStack(const HostConfig& config, const Database& database, Store& store,
                         MetricsRegistry& metrics,
                         std::function<std::optional<int64_t>(const std::string&)> pruned_through)
    : parts_(std::make_unique<Parts>(config, metrics)) {
  Parts& p = *parts_;
  auto verifier = TokenVerifier::fromConfig(config.auth);
  if (!verifier.ok()) {
    throw std::runtime_error(verifier.error());
  }
  p.verifier = std::make_unique<TokenVerifier>(std::move(verifier.value()));
  auto issuer = StreamTokenIssuer::fromConfig(config.auth);
  if (!issuer.ok()) {
    throw std::runtime_error(issuer.error());
  }
  p.issuer = std::make_unique<StreamTokenIssuer>(std::move(issuer.value()));

  StreamHubOptions hub_options;
  MetricsRegistry* m = &metrics;
  hub_options.on_subscribers = [m](std::size_t n) {
    m->gaugeSet("stream_subscribers", "Open SSE and WebSocket stream subscribers", {},
                static_cast<double>(n));
  };
  hub_options.on_dropped = [m]() {
    m->counterAdd("stream_dropped_total", "Stream subscribers dropped as slow consumers", {}, 1);
  };
  m->gaugeSet("stream_subscribers", "Open SSE and WebSocket stream subscribers", {}, 0);
  m->counterAdd("stream_dropped_total", "Stream subscribers dropped as slow consumers", {}, 0);
  p.hub = std::make_unique<StreamHub>(makeBacklogReader(store), hub_options);

  const StoreOptions store_options = database.storeOptions();
  OutboxFeederOptions feeder_options;
  feeder_options.dsn = store_options.dsn;
  feeder_options.set_role = store_options.set_role;
  p.feeder = std::make_unique<OutboxFeeder>(feeder_options, *p.hub, &p.subscriptions, &p.signals,
                                            &metrics);

  StreamListenerOptions listener_options;
  listener_options.bind = config.http.bind;
  listener_options.port = config.http.stream_port;
  listener_options.pruned_through = std::move(pruned_through);
  p.listener = std::make_unique<StreamListener>(listener_options, *p.hub, *p.verifier);
}

StreamStack::~StreamStack() { stop(); }

EventSubscriptions& StreamStack::subscriptions() { return parts_->subscriptions; }
SignalWatchers& StreamStack::signals() { return parts_->signals; }

std::optional<std::string> StreamStack::registerRoutes(RouteTable& routes) {
  Parts& p = *parts_;
  StreamRouteDeps deps;
  deps.issuer = p.issuer.get();
  deps.bind = p.config.http.bind;
  deps.stream_port = [this]() { return parts_->port; };
  return registerStreamRoutes(routes, deps);
}

void StreamStack::start() {
  Parts& p = *parts_;
  p.feeder->start();
  auto port = p.listener->start();
  if (!port.ok()) {
    p.feeder->stop();
    throw std::runtime_error("stream listener: " + port.error());
  }
  p.port = port.value();
  p.started = true;
}

void StreamStack::stop() {
  Parts& p = *parts_;
  if (p.listener) {
    p.listener->stop();
  }
  if (p.feeder) {
    p.feeder->stop();
  }
  if (p.hub) {
    p.hub->closeAll();
  }
}

int StreamStack::port() const { return parts_->port; }

}  // namespace jobengine::host
