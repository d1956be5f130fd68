// Streamed answers on the REST listener (je_response.stream / send_file, abi.h 1.2): the
// spool of a producer on the worker, the response head, the hand-over to the StreamPump and
// the accounting when the pump is done. docs/api.md "Streamed answers" has the user's view;
// stream_pump.hpp why Pistache is driven this way.
//
// What holds for a streamed answer as for any other: the per-request metrics are recorded
// before the first byte goes out (respond()); X-Request-Id, Connection and the handler's
// headers are on the head; a counted request keeps a drain waiting until its last byte was
// written or its connection is gone (streaming_, under idle_mutex_); new requests get 503
// while draining before they ever reach a handler.
#include <pistache/http.h>

#include <sstream>

#include "http/error_envelope.hpp"
#include "http/http_server_impl.hpp"
#include "http/http_util.hpp"
#include "log/logging.hpp"
#include "metrics/metrics_registry.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

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
    download.body.reset();  // cannot be sent: the pump finishes it as abandoned
  }
  download.finished = [this, counted](Download& d, bool complete, uint64_t bytes) {
    finishStreamed(d, complete, bytes, counted);
  };
  {
    std::lock_guard lock(idle_mutex_);
    // Our references to the peer end under the lock (http_server_impl.hpp, Outgoing). The
    // writer never sends: the pump writes the head and the body through the peer.
    out.writer.reset();
    download.peer = std::move(out.peer);
    if (auto peer = download.peer.lock()) {
      // As Pistache's own send() does: the connection now waits for its next request, so its
      // idle checker applies the keep-alive timeout to it, not the header timeout (which would
      // write a 408 into the body). A download must end within that timeout (docs/api.md).
      peer->setIdle(true);
    }
    if (counted) {
      if (in_flight_ > 0) {
        --in_flight_;
      }
      ++streaming_;
    }
  }
  if (!pump_ || !pump_->add(std::move(download))) {
    finishStreamed(download, false, 0, counted);  // the server is stopping
  }
}

void HttpServer::Impl::finishStreamed(Download& download, bool complete, uint64_t bytes,
                                      bool counted) {
  try {
    metrics_.counterAdd("http_streamed_responses_total",
                        "REST answers streamed from a producer or a file, by outcome",
                        {{"outcome", complete ? "complete" : "abandoned"}}, 1.0);
    metrics_.counterAdd("http_streamed_bytes_total", "Body bytes of streamed REST answers sent", {},
                        static_cast<double>(bytes));
  } catch (...) {  // NOLINT(bugprone-empty-catch): metrics must never fail a request
  }
  std::lock_guard lock(idle_mutex_);
  download.peer.reset();
  if (counted && streaming_ > 0) {
    --streaming_;
  }
  if (idleLocked()) {
    idle_cv_.notify_all();
  }
}

}  // namespace jobengine::host
