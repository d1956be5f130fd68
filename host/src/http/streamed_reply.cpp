// Streamed answers on the REST listener (je_response.stream / send_file, abi.h 1.2): the
// spool of a producer on the worker, the response head, the hand-over to the StreamPump and
// the accounting when the pump is done. docs/api.md "Streamed answers" has the user's view;
// stream_pump.hpp why the body does not go through Pistache's write queue.
//
// What holds for a streamed answer as for any other: the per-request metrics are recorded
// before the first byte goes out (respond()); X-Request-Id, Connection and the handler's
// headers are on the head; a counted request keeps a drain waiting until its last byte was
// written or its connection is gone (streaming_, under idle_mutex_); new requests get 503
// while draining before they ever reach a handler.
#include <fcntl.h>
#include <pistache/http.h>
#include <pistache/net.h>
#include <pistache/peer.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "http/error_envelope.hpp"
#include "http/http_server_impl.hpp"
#include "http/http_util.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"

namespace jobengine::host {
namespace {

std::string spoolDir(const HttpConfig& config) {
  if (!config.spool_dir.empty()) {
    return config.spool_dir;
  }
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  return ec ? std::string("/tmp") : tmp.string();
}

// The pump's own descriptor for the connection of `peer`, or -1 when the connection is gone.
// The request arrived a while ago (the handler ran, a producer was spooled): Pistache may
// have closed the number and a new connection may have it now, so the duplicate's remote
// address must be the peer's (a new connection from the same client has another port).
int duplicateConnection(const Pistache::Tcp::Peer& peer) {
  const int copy = ::fcntl(peer.fd(), F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    return -1;
  }
  try {
    sockaddr_storage remote{};
    socklen_t len = sizeof(remote);
    if (::getpeername(copy, reinterpret_cast<sockaddr*>(&remote), &len) == 0) {
      const Pistache::Address seen =
          Pistache::Address::fromUnix(reinterpret_cast<sockaddr*>(&remote));
      const Pistache::Address& expected = peer.address();
      if (seen.host() == expected.host() &&
          static_cast<uint16_t>(seen.port()) == static_cast<uint16_t>(expected.port())) {
        return copy;
      }
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): an address Pistache cannot read is not ours
  }
  ::close(copy);
  return -1;
}

// Status line, the writer's typed headers (Connection, ours and the handler's), the length.
std::string responseHead(Pistache::Http::ResponseWriter& writer, int status, uint64_t length) {
  std::ostringstream os;
  os << "HTTP/1.1 " << status << " "
     << Pistache::Http::codeString(static_cast<Pistache::Http::Code>(status)) << "\r\n";
  for (const auto& header : writer.headers().list()) {
    const std::string name = header->name();
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) {
      continue;
    }
    os << name << ": ";
    header->write(os);
    os << "\r\n";
  }
  os << "Content-Length: " << length << "\r\n\r\n";
  return os.str();
}

}  // namespace

void HttpServer::Impl::spoolStreamed(HttpReply& reply, const Outgoing& out,
                                     const RequestContext& ctx, const std::string& route_label) {
  if (!reply.streamed->needsSpool()) {
    return;
  }
  const PeerRef& peer = out.peer;
  auto problem = reply.streamed->spool(spoolDir(config_), [this, &peer] {
    return peer.expired() || stopping_.load();  // weak_ptr::expired is an atomic read
  });
  if (!problem) {
    return;
  }
  try {
    componentLogger("host")->error(
        "streamed answer failed before its first byte route=\"{}\" trace_id={} tenant={} "
        "detail={}",
        route_label, ctx.trace_id, ctx.tenant, *problem);
  } catch (...) {  // NOLINT(bugprone-empty-catch): logging must never fail a request
  }
  reply =
      errorReply(500, "INTERNAL",
                 "internal error; the engine's log has the details under trace id " + ctx.trace_id,
                 ctx.trace_id);
}

void HttpServer::Impl::respondStreamed(Outgoing& out, const HttpReply& reply,
                                       const RequestContext& ctx, bool counted) {
  Download download;
  download.body = reply.streamed;
  try {
    auto& headers = out.writer->headers();
    for (const auto& [name, value] : reply.headers) {
      headers.remove(name);
      headers.add(std::make_shared<GenericHeader>(name, value));
    }
    headers.remove("X-Request-Id");
    headers.add(std::make_shared<GenericHeader>("X-Request-Id", ctx.request_id));
    if (!reply.content_type.empty()) {
      headers.remove("Content-Type");
      headers.add(std::make_shared<GenericHeader>("Content-Type", reply.content_type));
    }
    download.head = responseHead(*out.writer, reply.status, reply.streamed->size());
  } catch (...) {
    download.body.reset();  // cannot be sent: finished below as abandoned
  }
  download.finished = [this, counted](Download& /*d*/, bool complete, uint64_t bytes) {
    finishStreamed(complete, bytes, counted);
  };
  std::shared_ptr<Pistache::Tcp::Peer> peer = out.peer.lock();
  if (peer && download.body) {
    download.socket = duplicateConnection(*peer);
    if (download.socket >= 0) {
      // As Pistache's own send() does: the connection now waits for its next request, so its
      // idle checker applies the keep-alive timeout (and then only closes Pistache's
      // descriptor; the pump's duplicate keeps the download going), never the header timeout,
      // which would queue a 408 for the connection.
      peer->setIdle(true);
    }
  }
  {
    std::lock_guard lock(idle_mutex_);
    // Our references to the peer end under the lock (http_server_impl.hpp, Outgoing). The
    // writer never sends: the pump writes the head and the body on its own duplicate.
    out.writer.reset();
    peer.reset();
    out.peer.reset();
    if (counted) {
      if (in_flight_ > 0) {
        --in_flight_;
      }
      ++streaming_;
    }
  }
  if (download.socket < 0 || !pump_ || !pump_->add(std::move(download))) {
    // The connection is gone, the body could not be framed, or the server is stopping.
    if (download.socket >= 0) {
      ::close(download.socket);
    }
    finishStreamed(false, 0, counted);
  }
}

void HttpServer::Impl::finishStreamed(bool complete, uint64_t bytes, bool counted) {
  try {
    metrics_.counterAdd("http_streamed_responses_total",
                        "REST answers streamed from a producer or a file, by outcome",
                        {{"outcome", complete ? "complete" : "abandoned"}}, 1.0);
    metrics_.counterAdd("http_streamed_bytes_total", "Body bytes of streamed REST answers sent", {},
                        static_cast<double>(bytes));
  } catch (...) {  // NOLINT(bugprone-empty-catch): metrics must never fail a request
  }
  std::lock_guard lock(idle_mutex_);
  if (counted && streaming_ > 0) {
    --streaming_;
  }
  if (idleLocked()) {
    idle_cv_.notify_all();
  }
}

}  // namespace jobengine::host
