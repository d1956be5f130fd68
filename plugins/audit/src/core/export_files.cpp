// Export data files (export_files.hpp).
#include "core/export_files.hpp"

#include <jobengine/canonical_json.hpp>

#include <cerrno>
#include <filesystem>
#include <string_view>

#include "core/bundle_manifest.hpp"
#include "core/errno_text.hpp"

namespace jobengine::audit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool hasPrefix(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string eventTypeOf(const json& entry) {
  const auto it = entry.find("eventType");
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Copies entry[key] into out[as] when present and not null.
void copyField(const json& from, const char* key, json& out, const char* as) {
  if (!from.is_object()) {
    return;
  }
  const auto it = from.find(key);
  if (it != from.end() && !it->is_null()) {
    out[as] = *it;
  }
}

// What every derived line carries: where it comes from, when, who and why.
json lineBase(const json& entry) {
  json out = json::object();
  copyField(entry, "position", out, "position");
  copyField(entry, "eventSeq", out, "eventSeq");
  copyField(entry, "eventType", out, "eventType");
  copyField(entry, "occurredAt", out, "occurredAt");
  copyField(entry, "actor", out, "actor");
  copyField(entry, "operator", out, "operator");
  return out;
}

const json& eventOf(const json& entry) {
  static const json kEmpty = json::object();
  const auto it = entry.find("event");
  return it != entry.end() && it->is_object() ? *it : kEmpty;
}

const json& jobOf(const json& entry) {
  static const json kEmpty = json::object();
  const json& event = eventOf(entry);
  const auto it = event.find("job");
  return it != event.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

std::optional<json> jobLine(const json& entry) {
  if (eventTypeOf(entry) != "job.created") {
    return std::nullopt;
  }
  const json& job = jobOf(entry);
  json out = lineBase(entry);
  out.erase("eventType");
  copyField(job, "id", out, "jobId");
  copyField(job, "type", out, "type");
  copyField(job, "runId", out, "runId");
  copyField(job, "sourceId", out, "sourceId");
  copyField(job, "payloadDigest", out, "payloadDigest");
  copyField(eventOf(entry), "projectId", out, "projectId");
  copyField(eventOf(entry), "correlationId", out, "correlationId");
  return out;
}

std::optional<json> historyLine(const json& entry) {
  if (!hasPrefix(eventTypeOf(entry), "job.")) {
    return std::nullopt;
  }
  const json& job = jobOf(entry);
  json out = lineBase(entry);
  copyField(job, "id", out, "jobId");
  copyField(job, "status", out, "status");
  copyField(job, "attempt", out, "attempt");
  copyField(job, "reason", out, "reason");
  copyField(job, "runId", out, "runId");
  copyField(entry, "requestId", out, "requestId");
  return out;
}

std::optional<json> throttleLine(const json& entry) {
  if (!hasPrefix(eventTypeOf(entry), "throttle.")) {
    return std::nullopt;
  }
  json out = lineBase(entry);
  const json& event = eventOf(entry);
  const auto data = event.find("data");
  if (data != event.end() && data->is_object()) {
    copyField(*data, "throttle", out, "throttle");
    if (!out.contains("throttle")) {
      out["data"] = *data;
    }
  }
  copyField(entry, "subject", out, "subject");
  return out;
}

ExportFilesWriter::ExportFilesWriter(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw ExportFileError("export: cannot create " + dir + ": " + ec.message());
  }
  const auto open = [&dir](File& f, std::string_view name) {
    f.path = (fs::path(dir) / std::string(name)).string();
    f.handle = std::fopen(f.path.c_str(), "wb");
    if (f.handle == nullptr) {
      throw ExportFileError("export: cannot create " + f.path + ": " + errnoText(errno));
    }
  };
  try {
    open(audit_, kAuditFile);
    open(history_, "history.jsonl");
    open(jobs_, "jobs.jsonl");
    open(throttles_, "throttles.jsonl");
  } catch (...) {
    for (File* f : {&audit_, &history_, &jobs_, &throttles_}) {
      if (f->handle != nullptr) {
        std::fclose(f->handle);
      }
    }
    throw;
  }
}

ExportFilesWriter::~ExportFilesWriter() {
  for (File* f : {&audit_, &history_, &jobs_, &throttles_}) {
    if (f->handle != nullptr) {
      std::fclose(f->handle);
    }
  }
}

void ExportFilesWriter::writeLine(File& file, const std::string& line) {
  if (file.handle == nullptr) {
    throw ExportFileError("export: " + file.path + " is already closed");
  }
  if (std::fwrite(line.data(), 1, line.size(), file.handle) != line.size() ||
      std::fputc('\n', file.handle) == EOF) {
    throw ExportFileError("export: cannot write " + file.path + ": " + errnoText(errno));
  }
}

void ExportFilesWriter::add(const std::string& entry_text) {
  const json entry = json::parse(entry_text, nullptr, false);
  if (entry.is_discarded() || !entry.is_object()) {
    throw std::invalid_argument("export: entry " + std::to_string(entries_ + 1) +
                                " is not a JSON object");
  }
  writeLine(audit_, entry_text);
  if (auto line = jobLine(entry)) {
    writeLine(jobs_, sdk::canonicalJson(*line));
  }
  if (auto line = historyLine(entry)) {
    writeLine(history_, sdk::canonicalJson(*line));
  }
  if (auto line = throttleLine(entry)) {
    writeLine(throttles_, sdk::canonicalJson(*line));
  }
  ++entries_;
}

void ExportFilesWriter::finish() {
  for (File* f : {&audit_, &history_, &jobs_, &throttles_}) {
    if (f->handle == nullptr) {
      continue;
    }
    std::FILE* h = f->handle;
    f->handle = nullptr;
    if (std::fclose(h) != 0) {
      throw ExportFileError("export: cannot write " + f->path + ": " + errnoText(errno));
    }
  }
}

}  // namespace jobengine::audit
