// Boost.Beast implementation of the stream listener (see stream_listener.hpp). The only
// translation unit of the host that includes Beast. Every session runs on its own strand; the
// hub's notify callback only posts a pump() onto that strand, so the feeder never blocks.
#include "stream/stream_listener.hpp"

#include "retention/retention_rules.hpp"

#include "api/encoding.hpp"
#include "auth/request_authorizer.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <pthread.h>

#include <charconv>
#include <condition_variable>
#include <map>
#include <thread>

namespace jobengine::host {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kSsePath = "/api/v1/jobengine/stream";
constexpr std::string_view kWsPath = "/api/v1/jobengine/ws";

}  // namespace

class StreamListener::Impl {
 public:
  struct Session {
    virtual ~Session() = default;
    virtual void close() = 0;  // thread-safe: posts onto the session's strand
  };

  Impl(StreamListenerOptions options, StreamHub& hub, const TokenVerifier& verifier)
      : options_(std::move(options)), hub_(hub), verifier_(verifier) {}

  void add(Session* s, const std::shared_ptr<Session>& sp) {
    const std::lock_guard<std::mutex> lock(mutex_);
    sessions_[s] = sp;
  }
  void remove(Session* s) {
    const std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(s);
    cv_.notify_all();
  }
  void doAccept();

  StreamListenerOptions options_;
  StreamHub& hub_;
  const TokenVerifier& verifier_;
  net::io_context ioc_;
  tcp::acceptor acceptor_{net::make_strand(ioc_)};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  bool running_ = false;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<Session*, std::weak_ptr<Session>> sessions_;
};

namespace {

using Impl = StreamListener::Impl;

std::string sseFrame(const StreamEvent& e) {
  std::string out = "id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\n";
  std::size_t start = 0;
  while (start <= e.json.size()) {  // a newline inside data needs its own "data:" line
    const auto nl = e.json.find('\n', start);
    out += "data: " + e.json.substr(start, nl == std::string::npos ? nl : nl - start) + "\n";
    if (nl == std::string::npos) {
      break;
    }
    start = nl + 1;
  }
  out += "\n";
  return out;
}

// Common subscription plumbing for SSE and WebSocket sessions.
template <typename Derived>
class StreamSession : public Impl::Session, public std::enable_shared_from_this<Derived> {
 public:
  explicit StreamSession(Impl& impl) : impl_(impl) {}

  void subscribe(const std::string& tenant, StreamFilter filter, std::optional<uint64_t> after) {
    std::weak_ptr<Derived> weak = this->shared_from_this();
    sub_ = impl_.hub_.subscribe(tenant, std::move(filter), after, [weak] {
      if (auto self = weak.lock()) {
        net::post(self->executor(), [self] { self->pump(); });
      }
    });
  }
  void close() override {
    auto self = this->shared_from_this();
    net::post(self->executor(), [self] { self->finish(); });
  }

 protected:
  void finish() {
    if (closed_) {
      return;
    }
    closed_ = true;
    if (sub_) {
      impl_.hub_.unsubscribe(sub_);
    }
    static_cast<Derived*>(this)->closeTransport();
    impl_.remove(this);
  }
  // True when the session must stop (dropped by the hub or closed).
  bool subscriptionEnded() const { return !sub_ || sub_->state() != Subscription::State::kOpen; }

  Impl& impl_;
  std::shared_ptr<Subscription> sub_;
  bool closed_ = false;
  bool writing_ = false;
};

class SseSession : public StreamSession<SseSession> {
 public:
  SseSession(Impl& impl, beast::tcp_stream stream)
      : StreamSession(impl), stream_(std::move(stream)), timer_(stream_.get_executor()) {}

  net::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    stream_.expires_never();
    auto head = std::make_shared<std::string>(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: close\r\nX-Accel-Buffering: no\r\nAccess-Control-Allow-Origin: " +
        impl_.options_.allow_origin + "\r\n\r\n: connected\n\n");
    writing_ = true;
    net::async_write(stream_, net::buffer(*head),
                     [self = shared_from_this(), head](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) {
                         self->finish();
                         return;
                       }
                       self->armHeartbeat();
                       self->watchClose();
                       self->pump();
                     });
  }

  void pump() {
    if (closed_) {
      return;
    }
    if (subscriptionEnded()) {
      finish();
      return;
    }
    if (writing_) {
      return;
    }
    std::vector<StreamEventPtr> events;
    if (sub_->poll(events, impl_.options_.batch_events) != Subscription::State::kOpen) {
      finish();
      return;
    }
    if (events.empty()) {
      return;
    }
    auto buf = std::make_shared<std::string>();
    for (const auto& e : events) {
      *buf += sseFrame(*e);
    }
    write(std::move(buf));
  }

  void closeTransport() {
    timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void write(std::shared_ptr<std::string> buf) {
    writing_ = true;
    net::async_write(stream_, net::buffer(*buf),
                     [self = shared_from_this(), buf](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) {
                         self->finish();
                         return;
                       }
                       self->pump();
                     });
  }
  void armHeartbeat() {
    timer_.expires_after(std::chrono::milliseconds(impl_.options_.heartbeat_ms));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) {
        return;
      }
      if (!self->writing_) {
        self->write(std::make_shared<std::string>(": heartbeat\n\n"));
      }
      self->armHeartbeat();
    });
  }
  // SSE clients send nothing after the request; a read completing with an error means the
  // peer went away.
  void watchClose() {
    stream_.async_read_some(net::buffer(sink_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->finish();
                                return;
                              }
                              self->watchClose();
                            });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  std::array<char, 256> sink_{};
};

class WsSession : public StreamSession<WsSession> {
 public:
  WsSession(Impl& impl, beast::tcp_stream stream) : StreamSession(impl), ws_(std::move(stream)) {}

  net::any_io_executor executor() { return ws_.get_executor(); }

  void start(http::request<http::empty_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    const std::string origin = impl_.options_.allow_origin;
    ws_.set_option(websocket::stream_base::decorator([origin](websocket::response_type& res) {
      res.set(http::field::access_control_allow_origin, origin);
    }));
    auto r = std::make_shared<http::request<http::empty_body>>(std::move(req));
    writing_ = true;  // no frames until the handshake completed
    ws_.async_accept(*r, [self = shared_from_this(), r](beast::error_code ec) {
      self->writing_ = false;
      if (ec) {
        self->finish();
        return;
      }
      self->readLoop();
      self->pump();
    });
  }

  void pump() {
    if (closed_) {
      return;
    }
    if (subscriptionEnded()) {
      finish();
      return;
    }
    if (writing_) {
      return;
    }
    if (pending_.empty()) {
      std::vector<StreamEventPtr> events;
      if (sub_->poll(events, impl_.options_.batch_events) != Subscription::State::kOpen) {
        finish();
        return;
      }
      pending_.assign(events.begin(), events.end());
    }
    if (pending_.empty()) {
      return;
    }
    auto e = pending_.front();
    pending_.pop_front();
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(e->json),
                    [self = shared_from_this(), e](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) {
                        self->finish();
                        return;
                      }
                      self->pump();
                    });
  }

  void closeTransport() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void readLoop() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->finish();
        return;
      }
      self->in_.consume(self->in_.size());  // clients have nothing to say; ignore
      self->readLoop();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::deque<StreamEventPtr> pending_;
};

// Reads the request, authenticates, and hands the connection to an SSE or WS session.
class HttpSession : public Impl::Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Impl& impl, tcp::socket socket) : impl_(impl), stream_(std::move(socket)) {}

  void start() {
    parser_.header_limit(16 * 1024);
    stream_.expires_after(std::chrono::milliseconds(impl_.options_.request_timeout_ms));
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         self->done();
                         return;
                       }
                       self->route();
                     });
  }
  void close() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().close(ec);
    });
  }

 private:
  void done() { impl_.remove(this); }

  void route() {
    auto& req = parser_.get();
    const std::string_view target = req.target();
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const auto query =
        parseQueryString(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
    const bool sse = path == kSsePath;
    const bool ws = path == kWsPath;
    if (!sse && !ws) {
      return reject(makeHttpError(404, "NOT_FOUND",
                                  "no stream at " + std::string(path) + " (streams: " +
                                      std::string(kSsePath) + ", " + std::string(kWsPath) + ")"));
    }
    if (req.method() != http::verb::get) {
      return reject(makeHttpError(405, "METHOD_NOT_ALLOWED", "streams accept GET only"));
    }
    HeaderMap headers;
    for (const auto& f : req) {
      headers.add(std::string(f.name_string()), std::string(f.value()));
    }
    std::optional<std::string> access_token;
    std::optional<std::string> after;
    for (const auto& [name, value] : query) {
      if (name == "access_token") {
        access_token = value;
      } else if (name == "tenant" && !headers.contains("X-StellaOps-Tenant") &&
                 !headers.contains("X-Stella-Tenant")) {
        headers.add("X-StellaOps-Tenant", value);
      } else if (name == "after") {
        after = value;
      }
    }
    Result<Principal, AuthError> principal =
        fail(AuthError{"UNAUTHENTICATED", "missing bearer token or ?access_token= stream token"});
    if (access_token) {
      principal = impl_.verifier_.verifyStreamToken(*access_token);
    } else if (headers.contains("Authorization")) {
      auto bearer = RequestAuthorizer::bearerToken(headers.get("Authorization"));
      principal =
          bearer ? impl_.verifier_.verify(bearer.value())
                 : Result<Principal, AuthError>(fail(AuthError{"UNAUTHENTICATED", bearer.error()}));
    }
    auto ctx = RequestAuthorizer::decide(principal, headers,
                                         RouteRequirement{std::string(kScopeRead), 0, false});
    if (!ctx) {
      return reject(ctx.error());
    }
    if (ws && !websocket::is_upgrade(req)) {
      return reject(makeHttpError(400, "WEBSOCKET_UPGRADE_REQUIRED",
                                  std::string(kWsPath) + " needs a WebSocket upgrade request"));
    }
    auto filter = StreamFilter::fromQuery(query);
    if (!filter) {
      return reject(filter.error());
    }
    if (const auto last = headers.get("Last-Event-ID"); sse && last && !last->empty()) {
      after = std::string(*last);
    }
    std::optional<uint64_t> resume;
    if (after) {
      uint64_t v = 0;
      const auto* end = after->data() + after->size();
      const auto [ptr, ec] = std::from_chars(after->data(), end, v);
      if (after->empty() || ec != std::errc{} || ptr != end) {
        return reject(makeHttpError(400, "INVALID_RESUME_ID",
                                    "Last-Event-ID / after: '" + after->substr(0, 32) +
                                        "' is not an event sequence number"));
      }
      resume = v;
      if (impl_.options_.pruned_through) {
        const auto pruned = impl_.options_.pruned_through(ctx->tenant);
        if (v <= static_cast<uint64_t>(INT64_MAX) &&
            resumeWasPruned(static_cast<int64_t>(v), pruned)) {
          return reject(makeHttpError(
              410, "POSITION_PRUNED",
              prunedPositionMessage(static_cast<int64_t>(v), *pruned, std::nullopt),
              {{"position", v}, {"prunedThrough", *pruned}, {"oldestAvailableAfter", *pruned}}));
        }
      }
    }
    if (sse) {
      auto s = std::make_shared<SseSession>(impl_, std::move(stream_));
      impl_.add(s.get(), s);
      s->subscribe(ctx->tenant, std::move(filter).value(), resume);
      s->start();
    } else {
      auto s = std::make_shared<WsSession>(impl_, std::move(stream_));
      impl_.add(s.get(), s);
      s->subscribe(ctx->tenant, std::move(filter).value(), resume);
      s->start(parser_.release());
    }
    done();
  }

  void reject(const HttpError& error) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(error.status), 11);
    res->set(http::field::content_type, "application/json");
    res->set(http::field::access_control_allow_origin, impl_.options_.allow_origin);
    res->set(http::field::cache_control, "no-store");
    if (error.status == 401) {
      res->set(http::field::www_authenticate, "Bearer");
    }
    res->keep_alive(false);
    res->body() = errorEnvelope(error, hexEncode(randomBytes(16))).dump();
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code, std::size_t) {
                        beast::error_code ec;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
                        self->stream_.socket().close(ec);
                        self->done();
                      });
  }

  Impl& impl_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
};

}  // namespace

void StreamListener::Impl::doAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted && acceptor_.is_open()) {
        doAccept();
      }
      return;
    }
    auto s = std::make_shared<HttpSession>(*this, std::move(socket));
    add(s.get(), s);
    s->start();
    doAccept();
  });
}

StreamListener::StreamListener(StreamListenerOptions options, StreamHub& hub,
                               const TokenVerifier& verifier)
    : impl_(std::make_unique<Impl>(std::move(options), hub, verifier)) {}

StreamListener::~StreamListener() { stop(); }

Result<int, std::string> StreamListener::start() {
  Impl& m = *impl_;
  if (m.running_) {
    return m.port_;
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(m.options_.bind, ec);
  if (ec) {
    return fail("http.bind: '" + m.options_.bind + "' is not an IP address");
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(m.options_.port));
  m.acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    m.acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    m.acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    m.acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return fail("stream listener: cannot listen on " + m.options_.bind + ":" +
                std::to_string(m.options_.port) + ": " + ec.message());
  }
  m.port_ = m.acceptor_.local_endpoint().port();
  m.work_.emplace(net::make_work_guard(m.ioc_));
  m.doAccept();
  const int n = m.options_.io_threads < 1 ? 1 : m.options_.io_threads;
  for (int i = 0; i < n; ++i) {
    m.threads_.emplace_back([&m, i] {
      const std::string name = "je-stream-io-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      m.ioc_.run();
    });
  }
  m.running_ = true;
  return m.port_;
}

void StreamListener::stop() {
  Impl& m = *impl_;
  if (!m.running_) {
    return;
  }
  m.running_ = false;
  net::post(m.acceptor_.get_executor(), [&m] {
    beast::error_code ec;
    m.acceptor_.close(ec);
  });
  std::vector<std::shared_ptr<Impl::Session>> live;
  {
    const std::lock_guard<std::mutex> lock(m.mutex_);
    for (const auto& [ptr, weak] : m.sessions_) {
      if (auto s = weak.lock()) {
        live.push_back(std::move(s));
      }
    }
  }
  for (const auto& s : live) {
    s->close();
  }
  live.clear();
  {
    // Sessions finish on their strands; bounded so a wedged peer cannot hang shutdown.
    std::unique_lock<std::mutex> lock(m.mutex_);
    m.cv_.wait_for(lock, std::chrono::seconds(5), [&m] { return m.sessions_.empty(); });
  }
  m.work_.reset();
  m.ioc_.stop();
  for (auto& t : m.threads_) {
    t.join();
  }
  m.threads_.clear();
}

int StreamListener::port() const { return impl_->port_; }

std::size_t StreamListener::sessionCount() const {
  const std::lock_guard<std::mutex> lock(impl_->mutex_);
  return impl_->sessions_.size();
}

}  // namespace jobengine::host
