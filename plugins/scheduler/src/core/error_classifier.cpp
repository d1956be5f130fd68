// error_classifier.cpp — keyword tables and the message normalizer behind error_classifier.hpp.
// std::regex is slow but only runs on failures, never on the success path.
#include "core/error_classifier.hpp"

#include "core/ascii.hpp"

#include <jobengine/canonical_json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace jobengine::scheduler {

namespace {

// Checked in order; permanent words first where a text could hold both ("invalid timeout
// value" is a validation error, not a timeout).
constexpr std::array<std::string_view, 17> kPermanentWords = {
    "validation", "invalid",      "schema",      "parse",         "malformed",        "decode",
    "syntax",     "unsupported",  "bad_request", "bad request",   "not_found",        "not found",
    "forbidden",  "unauthorized", "constraint",  "unprocessable", "permission denied"};

constexpr std::array<std::string_view, 21> kTransientWords = {"timeout",
                                                              "timed out",
                                                              "timed_out",
                                                              "deadline",
                                                              "unavailable",
                                                              "connection",
                                                              "econnreset",
                                                              "econnrefused",
                                                              "etimedout",
                                                              "network",
                                                              "dns",
                                                              "rate_limit",
                                                              "rate limit",
                                                              "throttl",
                                                              "too_many_requests",
                                                              "too many requests",
                                                              "temporar",
                                                              "try again",
                                                              "retry",
                                                              "reset by peer",
                                                              "broken pipe"};

std::optional<ErrorClass> byWords(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  for (const auto word : kPermanentWords) {
    if (text.find(word) != std::string::npos) {
      return ErrorClass::kPermanent;
    }
  }
  for (const auto word : kTransientWords) {
    if (text.find(word) != std::string::npos) {
      return ErrorClass::kTransient;
    }
  }
  return std::nullopt;
}

struct Rule {
  std::regex pattern;
  const char* replacement;
};

const std::array<Rule, 6>& rules() {
  using std::regex;
  static const std::array<Rule, 6> kRules = {
      Rule{regex(R"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?)"),
           "<ts>"},
      Rule{regex(R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"),
           "<uuid>"},
      Rule{regex(R"((sha256:|sha512:|0x)?\b[0-9a-fA-F]{16,}\b)"), "<hex>"},
      Rule{regex(R"("[^"]*"|'[^']*'|`[^`]*`)"), "<str>"},
      // A number may carry a short unit ("1.5s", "1200ms"): the unit is kept, the value is not.
      Rule{regex(R"(\b\d+(\.\d+)?([A-Za-z]{1,2})?\b)"), "<n>$2"},
      Rule{regex(R"(\s+)"), " "},
  };
  return kRules;
}

}  // namespace

std::string_view errorClassName(ErrorClass error_class) {
  switch (error_class) {
    case ErrorClass::kTransient:
      return "transient";
    case ErrorClass::kPermanent:
      return "permanent";
    case ErrorClass::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<ErrorClass> parseErrorClass(std::string_view name) {
  for (const auto c : {ErrorClass::kTransient, ErrorClass::kPermanent, ErrorClass::kUnknown}) {
    if (errorClassName(c) == name) {
      return c;
    }
  }
  return std::nullopt;
}

ErrorClass classifyHttpStatus(int status) {
  if (status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599)) {
    return ErrorClass::kTransient;
  }
  if (status >= 400 && status <= 499) {
    return ErrorClass::kPermanent;
  }
  return ErrorClass::kUnknown;
}

ErrorClass classifyError(const JobError& error) {
  if (error.http_status) {
    const ErrorClass by_status = classifyHttpStatus(*error.http_status);
    if (by_status != ErrorClass::kUnknown) {
      return by_status;
    }
  }
  if (const auto by_code = byWords(asciiLower(error.code))) {
    return *by_code;
  }
  if (const auto by_message = byWords(asciiLower(error.message))) {
    return *by_message;
  }
  return ErrorClass::kUnknown;
}

std::string normalizeErrorMessage(std::string_view message) {
  std::string text(message);
  for (const auto& rule : rules()) {
    text = std::regex_replace(text, rule.pattern, rule.replacement);
  }
  const auto first = text.find_first_not_of(' ');
  const auto last = text.find_last_not_of(' ');
  text = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
  return asciiLower(text);
}

std::string errorFingerprint(std::string_view code, std::string_view message) {
  return sdk::sha256Digest(asciiLower(code) + "\n" + normalizeErrorMessage(message));
}

ErrorClassification classify(const JobError& error) {
  ErrorClassification out;
  out.error_class = classifyError(error);
  out.normalized_message = normalizeErrorMessage(error.message);
  out.fingerprint = sdk::sha256Digest(asciiLower(error.code) + "\n" + out.normalized_message);
  out.retry = error.retryable.value_or(out.error_class != ErrorClass::kPermanent);
  return out;
}

}  // namespace jobengine::scheduler
