// ApiError: a refusal that routes turn into the SPEC §5 error envelope (status, UPPER_SNAKE
// code, message, optional details). The job service throws it for bad input and conflicts so
// the same checks answer the same way over HTTP and through je.jobs.
#pragma once

#include <jobengine/client_error.hpp>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace jobengine::scheduler {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message,
           nlohmann::json details = nullptr)
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        details_(std::move(details)) {}
  // A refusal from the SDK's request helpers (pagination, ETag).
  explicit ApiError(const sdk::ClientError& e) : ApiError(e.status, e.code, e.message, e.details) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }

 private:
  int status_;
  std::string code_;
  nlohmann::json details_;
};

}  // namespace jobengine::scheduler
