// HandlerCall: the je_request / je_response pair (abi.h) for one handler invocation, built
// over host-owned copies (IncomingRequest, RequestContext, path params).
//
// Every je_str handed to the handler points into this object or into the IncomingRequest, so
// it stays valid for the whole call, as abi.h promises. Not copyable: raw.impl points at this.
// stream() and send_file() (ABI 1.2) leave a StreamedBody on the reply instead of a body; a
// streamed answer needs a 2xx status, and stream() a route without JE_ROUTE_TXN (the producer
// runs after the request's transaction ended).
#pragma once

#include <jobengine/abi.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/http_types.hpp"
#include "http/route_table.hpp"

namespace jobengine::host {

class HandlerCall {
 public:
  HandlerCall(const IncomingRequest& req, const RequestContext& ctx,
              std::vector<std::pair<std::string, std::string>> params, je_txn* txn);
  HandlerCall(const HandlerCall&) = delete;
  HandlerCall& operator=(const HandlerCall&) = delete;

  const je_request* request() const { return &request_; }
  je_response* response() { return &response_; }

  // Runs the handler (catching everything) and turns the outcome into a reply: the handler's
  // status (default 200), content type (default application/json), headers and body; a 500
  // INTERNAL envelope when it returned non-OK without setting a status, or threw.
  HttpReply run(const RouteHandler& handler);

  // Reached from the C callbacks through impl.
  const IncomingRequest& incoming() const { return req_; }
  const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
  std::deque<std::string>& scratch() const { return scratch_; }
  void setStatus(int status) { status_ = status; }
  void setHeader(std::string_view name, std::string_view value);
  void write(std::string_view data) { reply_.body.append(data); }
  bool txnRoute() const { return request_.txn != nullptr; }
  // Replaces the body with a streamed one (the previous one, if any, is dropped: released).
  void setStreamed(std::shared_ptr<StreamedBody> body) { reply_.streamed = std::move(body); }

 private:
  const IncomingRequest& req_;
  const RequestContext& ctx_;
  std::vector<std::pair<std::string, std::string>> params_;
  mutable std::deque<std::string> scratch_;  // decoded query values; deque keeps addresses
  int status_ = 0;                           // 0: the handler set none
  HttpReply reply_;
  je_request request_{};
  je_response response_{};
};

}  // namespace jobengine::host
