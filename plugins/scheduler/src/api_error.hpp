// ApiError: a refusal that routes turn into the SPEC §5 error envelope (status, UPPER_SNAKE
// code, message, optional details). Route code throws it; the job data path throws JobRefusal
// instead, which the route wrapper maps here (ApiError(const JobRefusal&)).
#pragma once

#include <jobengine/client_error.hpp>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "job_refusal.hpp"

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
  // The HTTP answer to a refusal of the job data path (job_refusal.hpp).
  explicit ApiError(const JobRefusal& r)
      : ApiError(httpStatusOf(r.kind()), r.code(), r.what(), r.details()) {}
  static int httpStatusOf(RefusalKind kind) {
    switch (kind) {
      case RefusalKind::kMalformed:
        return 400;
      case RefusalKind::kInvalid:
        return 422;
      case RefusalKind::kConflict:
        return 409;
      case RefusalKind::kOverloaded:
        return 429;
    }
    return 500;
  }
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }

 private:
  int status_;
  std::string code_;
  nlohmann::json details_;
};

}  // namespace jobengine::scheduler
