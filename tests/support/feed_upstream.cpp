// FeedUpstream's server (see feed_upstream.hpp): Boost.Beast over one io_context with two
// threads, one session per connection, one request per session. What to answer comes from
// feed_mirror.cpp; this file adds the fault rules, the delays and the request log.
#include "feed_upstream.hpp"

#include <pthread.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "feed_mirror.hpp"

namespace jobengine::testing {
namespace feed_upstream_detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct FailRule {
  std::string prefix;
  int status = 500;
  int remaining = 0;
  std::optional<int> retry_after_seconds;
};

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace feed_upstream_detail

using namespace feed_upstream_detail;

class FeedUpstream::Impl {
 public:
  Impl(std::filesystem::path root, uint16_t port) : root_(std::move(root)), port_(port) {}

  // The answer to one request, the delay to apply, and the log entry — under the lock.
  MirrorResponse answer(const MirrorRequest& request, std::chrono::milliseconds& delay) {
    std::optional<FailRule> fail;
    std::optional<std::string> override_bytes;
    std::optional<std::pair<std::string, int>> redirect;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      delay = std::chrono::milliseconds(0);
      for (const auto& [prefix, d] : delays_) {
        if (startsWith(request.target, prefix)) {
          delay = d;
          break;
        }
      }
      for (auto& rule : fail_rules_) {
        if (rule.remaining > 0 && startsWith(request.target, rule.prefix)) {
          --rule.remaining;
          fail = rule;
          break;
        }
      }
      const std::string path = request.target.substr(0, request.target.find('?'));
      if (const auto it = overrides_.find(path); it != overrides_.end()) {
        override_bytes = it->second;
      }
      if (const auto it = redirects_.find(path); it != redirects_.end()) {
        redirect = it->second;
      }
    }
    MirrorResponse r;
    if (fail) {
      r.status = fail->status;
      r.body =
          nlohmann::json{{"error", "injected by FeedUpstream::failNext"}, {"status", fail->status}}
              .dump();
      r.headers = {{"Content-Type", "application/json"}};
      if (fail->retry_after_seconds) {
        r.headers.emplace_back("Retry-After", std::to_string(*fail->retry_after_seconds));
      }
    } else if (redirect && request.method == "GET") {
      r.status = redirect->second;
      r.headers = {{"Location", redirect->first}};
    } else if (override_bytes && request.method == "GET") {
      const std::string path = request.target.substr(0, request.target.find('?'));
      r = answerBytes(*override_bytes, contentTypeFor(path), started_at_, request);
    } else {
      r = answerMirror(root_, request);
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    log_.push_back(RecordedRequest{request.method, request.target, request.if_none_match,
                                   request.if_modified_since, r.status});
    return r;
  }

  void accept();

  std::filesystem::path root_;
  uint16_t port_;
  int64_t started_at_ = static_cast<int64_t>(std::time(nullptr));
  net::io_context ioc_{2};
  tcp::acceptor acceptor_{ioc_};
  std::vector<std::thread> threads_;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<int64_t> accepted_{0};
  mutable std::mutex mutex_;  // guards the rules and the log below
  std::vector<FailRule> fail_rules_;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> delays_;
  std::map<std::string, std::string> overrides_;
  std::map<std::string, std::pair<std::string, int>> redirects_;  // path -> (Location, status)
  std::vector<RecordedRequest> log_;
};

namespace feed_upstream_detail {

// One connection: read a request, answer it (after the delay, if any), close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(FeedUpstream::Impl& impl, tcp::socket socket)
      : impl_(impl), stream_(std::move(socket)), timer_(stream_.get_executor()) {}

  void start() {
    parser_.header_limit(16 * 1024);
    parser_.body_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) {
                         self->respond();
                       }
                     });
  }

 private:
  void respond() {
    const auto& req = parser_.get();
    MirrorRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    if (const auto it = req.find(http::field::if_none_match); it != req.end()) {
      request.if_none_match = std::string(it->value());
    }
    if (const auto it = req.find(http::field::if_modified_since); it != req.end()) {
      request.if_modified_since = std::string(it->value());
    }
    std::chrono::milliseconds delay{0};
    const MirrorResponse answer = impl_.answer(request, delay);
    res_.version(11);
    res_.result(static_cast<unsigned>(answer.status));
    res_.set(http::field::server, "jobengine-feed-upstream");
    for (const auto& [name, value] : answer.headers) {
      res_.set(name, value);
    }
    res_.body() = answer.body;
    res_.keep_alive(false);
    res_.prepare_payload();
    if (delay.count() <= 0) {
      write();
      return;
    }
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->write();
      }
    });
  }

  void write() {
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.socket().close(ignored);
    });
  }

  FeedUpstream::Impl& impl_;
  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> res_;
};

}  // namespace feed_upstream_detail

void FeedUpstream::Impl::accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      return;  // the acceptor was closed by stop()
    }
    accepted_.fetch_add(1);
    std::make_shared<Session>(*this, std::move(socket))->start();
    accept();
  });
}

FeedUpstream::FeedUpstream(std::filesystem::path root, uint16_t port)
    : impl_(std::make_unique<Impl>(std::move(root), port)) {}

FeedUpstream::~FeedUpstream() { stop(); }

void FeedUpstream::start() {
  if (impl_->started_) {
    throw std::logic_error("FeedUpstream::start: already started (once per instance)");
  }
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), impl_->port_);
  beast::error_code ec;
  impl_->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    impl_->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    impl_->acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    impl_->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw std::runtime_error("FeedUpstream: cannot listen on 127.0.0.1:" +
                             std::to_string(impl_->port_) + ": " + ec.message());
  }
  impl_->port_ = impl_->acceptor_.local_endpoint().port();
  impl_->started_ = true;
  impl_->accept();
  for (int i = 0; i < 2; ++i) {
    impl_->threads_.emplace_back([this] { impl_->ioc_.run(); });
    pthread_setname_np(impl_->threads_.back().native_handle(), "feed-upstream");
  }
}

void FeedUpstream::stop() {
  if (!impl_->started_ || impl_->stopped_) {
    return;
  }
  impl_->stopped_ = true;
  impl_->ioc_.stop();
  for (auto& t : impl_->threads_) {
    t.join();
  }
  impl_->threads_.clear();
  // No io thread runs any more, so the acceptor may be closed here: new connections are refused
  // from now on. Connections already accepted stay open, unanswered, until the destructor.
  beast::error_code ignored;
  impl_->acceptor_.close(ignored);
}

uint16_t FeedUpstream::port() const { return impl_->port_; }

std::string FeedUpstream::url(const std::string& path) const {
  const std::string rest = !path.empty() && path.front() == '/' ? path.substr(1) : path;
  return "http://127.0.0.1:" + std::to_string(impl_->port_) + "/" + rest;
}

void FeedUpstream::failNext(const std::string& path_prefix, int status, int count,
                            std::optional<int> retry_after_seconds) {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->fail_rules_.push_back(FailRule{path_prefix, status, count, retry_after_seconds});
}

void FeedUpstream::setDelay(const std::string& path_prefix, std::chrono::milliseconds delay) {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  for (auto& [prefix, d] : impl_->delays_) {
    if (prefix == path_prefix) {
      d = delay;
      return;
    }
  }
  impl_->delays_.emplace_back(path_prefix, delay);
}

void FeedUpstream::overrideBody(const std::string& path, std::string bytes) {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->overrides_[path] = std::move(bytes);
}

void FeedUpstream::redirect(const std::string& path, std::string location, int status) {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->redirects_[path] = {std::move(location), status};
}

void FeedUpstream::clearFaults() {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->redirects_.clear();
  impl_->fail_rules_.clear();
  impl_->delays_.clear();
  impl_->overrides_.clear();
}

std::vector<RecordedRequest> FeedUpstream::requests() const {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->log_;
}

int64_t FeedUpstream::acceptedConnections() const { return impl_->accepted_.load(); }

void FeedUpstream::clearLog() {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  impl_->log_.clear();
  impl_->accepted_.store(0);
}

}  // namespace jobengine::testing
