// error_classifier.hpp — sorts job errors into SPEC §4's classes and fingerprints them so the
// dead-letter store can cluster similar failures.
//
// Class, first match wins: an HTTP status (408, 425, 429 and 5xx transient; other 4xx
// permanent), then keywords in the error code, then keywords in the message; else unknown.
// Fingerprint = "sha256:" + hex(sha256(lower(code) + "\n" + normalized message)), where the
// normalized message has volatile parts replaced by placeholders, in this order: timestamps
// <ts>, UUIDs <uuid>, sha256:/long hex digests <hex>, quoted strings <str>, numbers <n>;
// then whitespace collapsed and the text lower-cased. Two errors differing only in ids,
// counts, paths in quotes or times share a fingerprint.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobengine::scheduler {

enum class ErrorClass { kTransient, kPermanent, kUnknown };

struct JobError {
  std::string code;                // e.g. "TIMEOUT", "SCHEMA_INVALID"; may be empty
  std::string message;             // free text; may be empty
  std::optional<int> http_status;  // upstream HTTP status, when the error came from one
  std::optional<bool> retryable;   // the reporter's own verdict, when it gave one
};

struct ErrorClassification {
  ErrorClass error_class = ErrorClass::kUnknown;
  std::string normalized_message;
  std::string fingerprint;  // "sha256:<hex>"
  // Should the scheduler retry (attempts permitting)? The reporter's `retryable` wins when
  // present; otherwise everything but permanent errors is retried.
  bool retry = true;
};

std::string_view errorClassName(ErrorClass error_class);
std::optional<ErrorClass> parseErrorClass(std::string_view name);

ErrorClass classifyHttpStatus(int status);  // kUnknown for < 400
ErrorClass classifyError(const JobError& error);
std::string normalizeErrorMessage(std::string_view message);
std::string errorFingerprint(std::string_view code, std::string_view message);
ErrorClassification classify(const JobError& error);

}  // namespace jobengine::scheduler
