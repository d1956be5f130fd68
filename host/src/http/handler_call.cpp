// HandlerCall implementation: the C callbacks of je_request / je_response (see
// handler_call.hpp). Every callback is noexcept and catches everything.
#include "http/handler_call.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "http/error_envelope.hpp"
#include "http/http_util.hpp"
#include "http/streamed_body.hpp"

namespace jobengine::host {
namespace {

je_str view(const std::string& s) { return je_str{s.data(), s.size()}; }

const HandlerCall* callOf(const je_request* req) {
  return static_cast<const HandlerCall*>(req->impl);
}
HandlerCall* callOf(je_response* resp) { return static_cast<HandlerCall*>(resp->impl); }

je_status pathParam(const je_request* req, const char* name, je_str* out) noexcept {
  try {
    if (req == nullptr || name == nullptr || out == nullptr) {
      return JE_ERR_INVALID;
    }
    for (const auto& [key, value] : callOf(req)->params()) {
      if (key == name) {
        *out = view(value);
        return JE_OK;
      }
    }
    return JE_ERR_NOT_FOUND;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

je_status queryParam(const je_request* req, const char* name, je_str* out) noexcept {
  try {
    if (req == nullptr || name == nullptr || out == nullptr) {
      return JE_ERR_INVALID;
    }
    const HandlerCall* call = callOf(req);
    auto value = queryValue(call->incoming().query, name);
    if (!value) {
      return JE_ERR_NOT_FOUND;
    }
    call->scratch().push_back(std::move(*value));
    *out = view(call->scratch().back());
    return JE_OK;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

je_status header(const je_request* req, const char* name, je_str* out) noexcept {
  try {
    if (req == nullptr || name == nullptr || out == nullptr) {
      return JE_ERR_INVALID;
    }
    for (const auto& [key, value] : callOf(req)->incoming().headers) {
      if (iequals(key, name)) {
        *out = view(value);
        return JE_OK;
      }
    }
    return JE_ERR_NOT_FOUND;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

void setStatus(je_response* resp, int32_t status) noexcept {
  if (resp != nullptr && status >= 100 && status <= 599) {
    callOf(resp)->setStatus(status);
  }
}

void setHeaderFn(je_response* resp, const char* name, uint64_t name_len, const char* value,
                 uint64_t value_len) noexcept {
  try {
    if (resp == nullptr || name == nullptr || name_len == 0) {
      return;
    }
    callOf(resp)->setHeader(
        std::string_view(name, name_len),
        value == nullptr ? std::string_view{} : std::string_view(value, value_len));
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
  }
}

void writeFn(je_response* resp, const char* data, uint64_t len) noexcept {
  try {
    if (resp != nullptr && data != nullptr && len > 0) {
      callOf(resp)->write(std::string_view(data, len));
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may cross the ABI
  }
}

je_status streamFn(je_response* resp, int64_t content_length,
                   int64_t (*produce)(void* user, char* buf, uint64_t cap),
                   void (*release)(void* user), void* user) noexcept {
  try {
    if (resp == nullptr || produce == nullptr) {
      return JE_ERR_INVALID;
    }
    HandlerCall* call = callOf(resp);
    if (call->txnRoute()) {
      return JE_ERR_STATE;  // the producer would run after the request's transaction ended
    }
    call->setStreamed(StreamedBody::fromProducer(content_length, produce, release, user));
    return JE_OK;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

je_status sendFileFn(je_response* resp, const char* path, uint64_t path_len,
                     uint32_t flags) noexcept {
  try {
    if (resp == nullptr || path == nullptr || path_len == 0 ||
        (flags & ~JE_SEND_FILE_DELETE) != 0) {
      return JE_ERR_INVALID;
    }
    const std::string name(path, static_cast<size_t>(path_len));
    if (name.find('\0') != std::string::npos) {
      return JE_ERR_INVALID;
    }
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return JE_ERR_NOT_FOUND;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return JE_ERR_INVALID;
    }
    // Removed as soon as it is open: the descriptor keeps the content readable until it was
    // sent or abandoned, and a crash leaves nothing behind.
    if ((flags & JE_SEND_FILE_DELETE) != 0) {
      ::unlink(name.c_str());
    }
    callOf(resp)->setStreamed(StreamedBody::fromFile(fd, static_cast<uint64_t>(st.st_size)));
    return JE_OK;
  } catch (...) {
    return JE_ERR_INTERNAL;
  }
}

// Headers the host owns on the wire; a handler setting them is ignored.
bool hostOwnedHeader(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "connection") ||
         iequals(name, "transfer-encoding") || iequals(name, "x-request-id");
}

bool safeHeaderText(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos;
}

}  // namespace

HandlerCall::HandlerCall(const IncomingRequest& req, const RequestContext& ctx,
                         std::vector<std::pair<std::string, std::string>> params, je_txn* txn)
    : req_(req), ctx_(ctx), params_(std::move(params)) {
  request_.struct_size = sizeof(je_request);
  request_.method = view(req_.method);
  request_.path = view(req_.path);
  request_.query = view(req_.query);
  request_.body = view(req_.body);
  request_.tenant = view(ctx_.tenant);
  request_.project = view(ctx_.project);
  request_.subject = view(ctx_.subject);
  request_.scopes = view(ctx_.scopes);
  request_.trace_id = view(ctx_.trace_id);
  request_.request_id = view(ctx_.request_id);
  request_.operator_reason = view(ctx_.operator_reason);
  request_.operator_ticket = view(ctx_.operator_ticket);
  request_.txn = txn;
  request_.impl = this;
  request_.path_param = &pathParam;
  request_.query_param = &queryParam;
  request_.header = &header;

  response_.struct_size = sizeof(je_response);
  response_.impl = this;
  response_.set_status = &jobengine::host::setStatus;
  response_.set_header = &setHeaderFn;
  response_.write = &writeFn;
  response_.stream = &streamFn;
  response_.send_file = &sendFileFn;
}

void HandlerCall::setHeader(std::string_view name, std::string_view value) {
  if (hostOwnedHeader(name) || !safeHeaderText(name) || !safeHeaderText(value)) {
    return;
  }
  if (iequals(name, "content-type")) {
    reply_.content_type = std::string(value);
    return;
  }
  reply_.setHeader(name, value);
}

HttpReply HandlerCall::run(const RouteHandler& handler) {
  je_status status = JE_ERR_INTERNAL;
  std::string failure;
  try {
    status = handler(&request_, &response_);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (!failure.empty() || (status != JE_OK && status_ == 0)) {
    // The handler failed without answering: never leak its partial body.
    return errorReply(500, "INTERNAL", "the handler failed (status " + std::to_string(status) + ")",
                      ctx_.trace_id);
  }
  HttpReply reply = std::move(reply_);
  reply.status = status_ == 0 ? 200 : status_;
  if (reply.streamed) {
    reply.body.clear();  // bytes written with write() are discarded (abi.h)
    if (reply.status < 200 || reply.status > 299) {
      return errorReply(500, "INTERNAL",
                        "the handler streamed an answer with status " +
                            std::to_string(reply.status) + " (a streamed answer needs a 2xx)",
                        ctx_.trace_id);
    }
  }
  return reply;
}

}  // namespace jobengine::host
