// Internals of HttpServer shared by http_server.cpp (lifecycle, dispatch, replies),
// pistache_handler.cpp (parsing and copying on the reactor threads) and streamed_reply.cpp
// (answers whose body is streamed, handed to the StreamPump). Only these three files see
// Pistache.
//
// Locking: idle_mutex_ guards draining_, in_flight_, in_transit_ and streaming_ together, so
// a request either sees the drain flag or is counted before waitIdle() can observe idle.
// interceptor_ and txn_hooks_ are set before start() and read-only afterwards.
//
// Pistache objects and threads (the decision and its evidence are at the top of
// http_server.cpp): a ResponseWriter is made on a reactor thread and then belongs to one thread
// at a time, handed over through the WorkerPool's mutex. Whoever holds it calls send(), which
// only queues the bytes for the reactor, and then destroys it under idle_mutex_. The promise
// send() returns never gets a continuation: the server parks it in in_transit_ and reads
// nothing but its atomic state.
#pragma once

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/http_server.hpp"
#include "http/http_types.hpp"
#include "http/stream_pump.hpp"
#include "http/worker_pool.hpp"

namespace jobengine::host {

// Pistache 0.0.5 writes only typed response headers; addRaw() is silently dropped (DEPS.md
// §1). This typed header carries any name/value so custom headers reach the client.
class GenericHeader : public Pistache::Http::Header::Header {
 public:
  GenericHeader(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  uint64_t hash() const override { return std::hash<std::string>{}(name_); }
  void parse(const std::string& data) override { value_ = data; }
  void write(std::ostream& os) const override { os << value_; }

 private:
  std::string name_;
  std::string value_;
};

using WritePromise = Pistache::Async::Promise<ssize_t>;

using PeerRef = std::weak_ptr<Pistache::Tcp::Peer>;

// A reply on its way out: the writer and the connection it answers (a weak reference taken on
// the reactor, so nobody has to lock the peer later to learn that it is gone). Both are dropped
// under idle_mutex_ once the reply was handed to Pistache. Every reference of ours to a peer
// ends under that lock, so when ours is the last and frees the peer, the free is ordered after
// every other thread's use of ours; what libpistache itself does with a peer, ThreadSanitizer
// cannot see (tools/tsan.supp).
struct Outgoing {
  Outgoing(Pistache::Http::ResponseWriter writer_in, PeerRef peer_in)
      : writer(std::move(writer_in)), peer(std::move(peer_in)) {}
  std::optional<Pistache::Http::ResponseWriter> writer;
  PeerRef peer;
};
// Shared only so a std::function task can carry it; one thread uses it at a time.
using OutgoingPtr = std::shared_ptr<Outgoing>;

// A reply handed to Pistache whose bytes may not be on the socket yet. Guarded by idle_mutex_.
struct WriteInTransit {
  WritePromise write;  // what send() returned; only isPending() (an atomic load) is read
  PeerRef peer;
  // Written, failed, or moot. Pistache 0.0.5 settles neither send()'s promise nor the one
  // inside it when it drops a queued write (the connection was removed first, or the write hit
  // EPIPE/ECONNRESET), and nothing more will be written once the peer is gone.
  bool settled() const { return !write.isPending() || peer.expired(); }
};

// Copies what the host needs out of a parsed Pistache request (reactor thread).
IncomingRequest copyRequest(const Pistache::Http::Request& request);

struct HttpServer::Impl {
  Impl(const HttpConfig& config, RouteTable& routes, MetricsRegistry& metrics);

  // Reactor thread: a complete request. Answers drain / body-limit / queue-full itself,
  // otherwise counts it in flight and posts it to the pool.
  void accept(IncomingRequest req, Pistache::Http::ResponseWriter writer,
              const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  // Reactor thread: refuse a request before routing (413 before the body is read, parse
  // errors). Not counted in flight.
  void reject(Pistache::Http::ResponseWriter writer,
              const std::shared_ptr<Pistache::Tcp::Peer>& peer, const IncomingRequest& req,
              int status, const std::string& code, const std::string& message);
  // Any thread that holds `out`: records the metrics and hands the reply to Pistache. A
  // `counted` request leaves in_flight_ and its write joins in_transit_, both under
  // idle_mutex_, so waitIdle() waits until those bytes are written (or the connection is gone).
  void respond(Outgoing& out, const HttpReply& reply, const RequestContext& ctx,
               const std::string& route_label, const std::string& method,
               std::chrono::steady_clock::time_point started, bool counted);
  // Worker thread, before respond(): runs a stream() producer into its spool file. A failure
  // (producer error, wrong length, disk, client gone, server stopping) replaces the reply
  // with a 500 envelope; nothing was sent yet.
  void spoolStreamed(HttpReply& reply, const Outgoing& out, const RequestContext& ctx,
                     const std::string& route_label);
  // respond() for a streamed reply (streamed_reply.cpp): the head is built here, the body goes
  // to the StreamPump; a counted request moves from in_flight_ to streaming_ until the pump
  // finished it (finishStreamed), so a drain waits for the last byte.
  void respondStreamed(Outgoing& out, const HttpReply& reply, const RequestContext& ctx,
                       bool counted);
  void finishStreamed(bool complete, uint64_t bytes, bool counted);
  // Caller holds idle_mutex_. Drops the writes that settled.
  void pruneSettledLocked();
  // Caller holds idle_mutex_.
  bool idleLocked() const { return in_flight_ == 0 && in_transit_.empty() && streaming_ == 0; }
  std::string bodyLimitMessage() const;

  const HttpConfig config_;
  RouteTable& routes_;
  MetricsRegistry& metrics_;
  std::unique_ptr<RequestInterceptor> interceptor_;
  TxnHooks txn_hooks_;

  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<StreamPump> pump_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  std::atomic<uint16_t> port_{0};
  bool started_ = false;
  std::atomic<bool> stopping_{false};  // stop() began: spools in progress give up

  mutable std::mutex idle_mutex_;
  std::condition_variable idle_cv_;
  bool draining_ = false;
  size_t in_flight_ = 0;  // accepted, reply not yet handed to Pistache
  // Replies of counted requests not yet on the socket. A list, so dropping one never moves
  // another (a promise's reference count is shared with libpistache: see tools/tsan.supp).
  std::list<WriteInTransit> in_transit_;
  size_t streaming_ = 0;  // counted streamed answers the pump has not finished
};

// The Pistache handler: one clone per reactor thread, all pointing at the same Impl. It
// re-implements Http::Handler::onInput (private virtual, overridable) to (a) refuse a body
// whose Content-Length exceeds the limit as soon as the headers are in, (b) answer an
// over-long request with our envelope instead of Pistache's text, and (c) set
// Connection: keep-alive unless the client asked to close (the keep-alive fix).
class PistacheHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)
  explicit PistacheHandler(HttpServer::Impl* server) : server_(server) {}

  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override;

 private:
  // What this reactor remembers about a connection between reads. Kept here rather than in
  // the peer's data (putData): Pistache destroys a peer's data wherever it drops the peer last,
  // after a quick hang-up on its acceptor thread, in an order only its (uninstrumented)
  // reference count provides. Keyed by descriptor; the peer id tells a reused descriptor apart.
  struct ConnectionNotes {
    size_t peer_id = 0;     // Tcp::Peer::getID() of the connection
    size_t head_bytes = 0;  // bytes of the current request's line and headers so far
    bool discard = false;   // after an early refusal: the rest of its bytes (the unread body)
                            // are dropped, and the reply said "Connection: close"
  };

  // Parses, then writes out every reply queued on this reactor so far (see onInput).
  void onInput(const char* buffer, size_t len,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void parseInput(const char* buffer, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  ConnectionNotes& notesOf(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

  HttpServer::Impl* server_;
  // This clone's connections (one clone per reactor; reactor thread only). Entries of peers
  // Pistache closes without onDisconnection (timeouts) stay until their descriptor is reused.
  std::unordered_map<Pistache::Fd, ConnectionNotes> notes_;
};

}  // namespace jobengine::host
