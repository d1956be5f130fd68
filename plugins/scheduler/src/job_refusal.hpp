// JobRefusal: the job data path's refusal (bad input, a conflict, an overloaded backlog) as a
// domain exception. JobService never throws an HTTP error (STYLE §13): the route wrapper
// (routes.cpp, addRoute) turns a refusal into the SPEC §5 error envelope through
// ApiError(const JobRefusal&) (api_error.hpp), and the je.jobs vtable (job_service.cpp) into a
// je_status; code, message and details pass through unchanged.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace jobengine::scheduler {

enum class RefusalKind {
  kMalformed,   // the request is not the expected shape at all (HTTP 400, JE_ERR_INVALID)
  kInvalid,     // a field or the plan is not allowed (HTTP 422, JE_ERR_INVALID)
  kConflict,    // clashes with what exists (HTTP 409, JE_ERR_CONFLICT)
  kOverloaded,  // nothing was written; try again later (HTTP 429, JE_ERR_RETRY)
};

class JobRefusal : public std::runtime_error {
 public:
  JobRefusal(RefusalKind kind, std::string code, const std::string& message,
             nlohmann::json details = nullptr)
      : std::runtime_error(message),
        kind_(kind),
        code_(std::move(code)),
        details_(std::move(details)) {}
  RefusalKind kind() const { return kind_; }
  // UPPER_SNAKE, e.g. VALIDATION_FAILED, DUPLICATE_JOB_TYPE, BACKLOG_LIMIT.
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }

 private:
  RefusalKind kind_;
  std::string code_;
  nlohmann::json details_;
};

}  // namespace jobengine::scheduler
