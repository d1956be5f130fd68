// PistacheHandler: parsing, early body-limit refusal, keep-alive fix and the copy into a
// host-owned IncomingRequest, all on the reactor threads (see http_server_impl.hpp).
#include <sstream>

#include "http/http_server_impl.hpp"
#include "http/http_util.hpp"

namespace jobengine::host {
namespace {

using Pistache::Http::Code;
using Pistache::Http::ConnectionControl;
using Pistache::Http::ResponseWriter;

std::optional<uint64_t> contentLength(const Pistache::Http::Request& request) {
  const auto cl = request.headers().tryGet<Pistache::Http::Header::ContentLength>();
  if (!cl) {
    return std::nullopt;
  }
  return cl->value();
}

// The request line and headers together may not exceed this (431 past it); the body has its
// own limit, http.body_limit_bytes.
constexpr size_t kMaxHeadBytes = 64 * 1024;

// True while the parser is still reading the request line or the headers.
bool inHead(Pistache::Http::Private::ParserImpl<Pistache::Http::Request>& parser) {
  const auto id = parser.step()->id();
  return id == Pistache::Http::Private::RequestLineStep::Id ||
         id == Pistache::Http::Private::HeadersStep::Id;
}

}  // namespace

IncomingRequest copyRequest(const Pistache::Http::Request& request) {
  IncomingRequest out;
  out.method = Pistache::Http::methodString(request.method());
  const std::string& resource = request.resource();
  const size_t q = resource.find('?');
  out.path = q == std::string::npos ? resource : resource.substr(0, q);
  // Pistache keeps the query only as a parsed map (order lost); rebuild a raw query string
  // from it. Values are still percent-encoded, so query_param decodes exactly once.
  std::string query;
  const auto& params = request.query();
  for (auto it = params.parameters_begin(); it != params.parameters_end(); ++it) {
    query += (query.empty() ? "" : "&") + it->first + "=" + it->second;
  }
  out.query = std::move(query);
  for (const auto& header : request.headers().list()) {
    std::ostringstream value;
    // Pistache 0.0.5's Accept::write() prints nothing; rebuild it from the parsed media types.
    if (const auto* accept = dynamic_cast<const Pistache::Http::Header::Accept*>(header.get())) {
      std::string joined;
      for (const auto& media : accept->media()) {
        joined += (joined.empty() ? "" : ", ") + media.toString();
      }
      value << joined;
    } else {
      header->write(value);
    }
    out.headers.emplace_back(toLower(header->name()), value.str());
  }
  for (const auto& [name, raw] : request.headers().rawList()) {
    out.headers.emplace_back(toLower(name), raw.value());
  }
  out.body = request.body();
  return out;
}

PistacheHandler::ConnectionNotes& PistacheHandler::notesOf(
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  ConnectionNotes& notes = notes_[peer->fd()];
  if (notes.peer_id != peer->getID()) {
    notes = ConnectionNotes{};  // the descriptor was another connection's before
    notes.peer_id = peer->getID();
  }
  return notes;
}

void PistacheHandler::onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  notes_.erase(peer->fd());
  Pistache::Http::Handler::onDisconnection(peer);
}

// Pistache calls this only from its own onInput, which onInput below replaces; kept for the
// interface, on the reactor thread like everything in this file.
void PistacheHandler::onRequest(const Pistache::Http::Request& request, ResponseWriter response) {
  const std::shared_ptr<Pistache::Tcp::Peer> peer = response.getPeer();
  if (!peer) {
    return;  // the connection is gone: nobody to answer
  }
  server_->accept(copyRequest(request), std::move(response), peer);
}

// Pistache 0.0.5 writes a queued reply only on an epoll event that says "writable" and not
// "readable" (Transport::onReady tests readable first, else writable, on edge-triggered
// descriptors). A client that keeps sending, such as a header flood after its 431, makes every
// event readable, so the reply waited forever once the client stopped sending (seen on CI: one
// of eight floods never got its 431). Flushing the reactor's write queue here, on the reactor
// thread, sends whatever is queued at each read instead: the refusal written just now, and any
// reply a worker queued while the client was still sending.
void PistacheHandler::onInput(const char* buffer, size_t len,
                              const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  parseInput(buffer, len, peer);
  transport()->flush();
}

void PistacheHandler::parseInput(const char* buffer, size_t len,
                                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  ConnectionNotes& notes = notesOf(peer);
  if (notes.discard) {
    return;
  }
  auto parser = getParser(peer);
  auto& request = parser->request;
  // Bytes of the current request's line and headers so far. While the head is incomplete every
  // byte fed belongs to it, so the count is exact when it is checked after parse().
  size_t& head_bytes = notes.head_bytes;
  if (!inHead(*parser)) {
    head_bytes = 0;
  }
  head_bytes += len;
  try {
    if (!parser->feed(buffer, len)) {
      // Longer than maxRequestSize (limit + header allowance) without a Content-Length that
      // would have told us earlier, e.g. a chunked body.
      const IncomingRequest copy = copyRequest(request);
      ResponseWriter writer(request.version(), transport(), this, peer);
      writer.headers().add<Pistache::Http::Header::Connection>(ConnectionControl::Close);
      notes.discard = true;
      parser->reset();
      server_->reject(std::move(writer), peer, copy, 413, "PAYLOAD_TOO_LARGE",
                      server_->bodyLimitMessage());
      return;
    }
    const auto state = parser->parse();
    if (state != Pistache::Http::Private::State::Done && inHead(*parser) &&
        head_bytes > kMaxHeadBytes) {
      // Refused before the block grows further: Pistache's header step re-parses the whole
      // incomplete block on every read, so its cost is quadratic in the block's size and a
      // 1 MiB block held a reactor (and every connection on it) for seconds.
      const IncomingRequest copy = copyRequest(request);
      ResponseWriter writer(request.version(), transport(), this, peer);
      writer.headers().add<Pistache::Http::Header::Connection>(ConnectionControl::Close);
      notes.discard = true;
      parser->reset();
      head_bytes = 0;
      server_->reject(std::move(writer), peer, copy, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE",
                      "the request line and headers exceed the limit of " +
                          std::to_string(kMaxHeadBytes) + " bytes");
      return;
    }
    if (state == Pistache::Http::Private::State::Done) {
      ResponseWriter writer(request.version(), transport(), this, peer);
      const auto connection = request.headers().tryGet<Pistache::Http::Header::Connection>();
      const bool close = connection ? connection->control() == ConnectionControl::Close
                                    : request.version() == Pistache::Http::Version::Http10;
      writer.headers().add<Pistache::Http::Header::Connection>(
          close ? ConnectionControl::Close : ConnectionControl::KeepAlive);
      peer->setIdle(false);
      server_->accept(copyRequest(request), std::move(writer), peer);
      parser->reset();
      head_bytes = 0;
      return;
    }
    // Headers complete, body still arriving: decide on Content-Length before reading it.
    if (parser->step()->id() == Pistache::Http::Private::BodyStep::Id) {
      const auto declared = contentLength(request);
      if (declared && *declared > static_cast<uint64_t>(server_->config_.body_limit_bytes)) {
        const IncomingRequest copy = copyRequest(request);
        ResponseWriter writer(request.version(), transport(), this, peer);
        writer.headers().add<Pistache::Http::Header::Connection>(ConnectionControl::Close);
        notes.discard = true;
        parser->reset();
        server_->reject(std::move(writer), peer, copy, 413, "PAYLOAD_TOO_LARGE",
                        server_->bodyLimitMessage());
      }
    }
  } catch (const Pistache::Http::HttpError& err) {
    const IncomingRequest copy = copyRequest(request);
    ResponseWriter writer(request.version(), transport(), this, peer);
    writer.headers().add<Pistache::Http::Header::Connection>(ConnectionControl::Close);
    notes.discard = true;
    parser->reset();
    const bool too_large = err.code() == static_cast<int>(Code::Request_Entity_Too_Large);
    server_->reject(std::move(writer), peer, copy, err.code(),
                    too_large ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST",
                    too_large ? server_->bodyLimitMessage() : "malformed request: " + err.reason());
  } catch (const std::exception& e) {
    const IncomingRequest copy = copyRequest(request);
    ResponseWriter writer(request.version(), transport(), this, peer);
    writer.headers().add<Pistache::Http::Header::Connection>(ConnectionControl::Close);
    notes.discard = true;
    parser->reset();
    server_->reject(std::move(writer), peer, copy, 400, "BAD_REQUEST",
                    std::string("malformed request: ") + e.what());
  }
}

}  // namespace jobengine::host
