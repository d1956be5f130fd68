// Export data files (export_files.hpp).
#include "core/export_files.hpp"

#include <jobengine/canonical_json.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

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

// The members of one derived line, each pointing into the parsed entry (nothing is copied):
// the line's JSON is written from them directly (lineText), or built as an object (lineJson).
class LineFields {
 public:
  // Adds from[key] as `as` when from is an object that has it, not null.
  void copy(const json& from, const char* key, const char* as) {
    if (!from.is_object()) {
      return;
    }
    const auto it = from.find(key);
    if (it != from.end() && !it->is_null()) {
      fields_.emplace_back(as, &*it);
    }
  }
  void drop(std::string_view as) {
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                                 [as](const Field& f) { return as == f.first; }),
                  fields_.end());
  }
  bool has(std::string_view as) const {
    return std::any_of(fields_.begin(), fields_.end(),
                       [as](const Field& f) { return as == f.first; });
  }
  json toJson() const {
    json out = json::object();
    for (const Field& f : fields_) {
      out[f.first] = *f.second;
    }
    return out;
  }
  // The canonical JSON (RFC 8785) of toJson(), without building it: the names are ASCII and
  // distinct, so their byte order is the canonical (UTF-16) order.
  void appendCanonical(std::string& out) {
    std::sort(fields_.begin(), fields_.end(), [](const Field& a, const Field& b) {
      return std::string_view(a.first) < std::string_view(b.first);
    });
    out.push_back('{');
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i > 0) {
        out.push_back(',');
      }
      out.push_back('"');
      out += fields_[i].first;
      out += "\":";
      sdk::canonicalizeInto(out, *fields_[i].second, 1);
    }
    out.push_back('}');
  }

 private:
  using Field = std::pair<const char*, const json*>;
  std::vector<Field> fields_;
};

// What every derived line carries: where it comes from, when, who and why.
LineFields lineBase(const json& entry) {
  LineFields out;
  out.copy(entry, "position", "position");
  out.copy(entry, "eventSeq", "eventSeq");
  out.copy(entry, "eventType", "eventType");
  out.copy(entry, "occurredAt", "occurredAt");
  out.copy(entry, "actor", "actor");
  out.copy(entry, "operator", "operator");
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

// The fields of each derived line (nullopt: the entry adds no line to that file).
std::optional<LineFields> jobFields(const json& entry, const std::string& type) {
  if (type != "job.created") {
    return std::nullopt;
  }
  const json& job = jobOf(entry);
  LineFields out = lineBase(entry);
  out.drop("eventType");
  out.copy(job, "id", "jobId");
  out.copy(job, "type", "type");
  out.copy(job, "runId", "runId");
  out.copy(job, "sourceId", "sourceId");
  out.copy(job, "payloadDigest", "payloadDigest");
  out.copy(eventOf(entry), "projectId", "projectId");
  out.copy(eventOf(entry), "correlationId", "correlationId");
  return out;
}

std::optional<LineFields> historyFields(const json& entry, const std::string& type) {
  if (!hasPrefix(type, "job.")) {
    return std::nullopt;
  }
  const json& job = jobOf(entry);
  LineFields out = lineBase(entry);
  out.copy(job, "id", "jobId");
  out.copy(job, "status", "status");
  out.copy(job, "attempt", "attempt");
  out.copy(job, "reason", "reason");
  out.copy(job, "runId", "runId");
  out.copy(entry, "requestId", "requestId");
  return out;
}

std::optional<LineFields> throttleFields(const json& entry, const std::string& type) {
  if (!hasPrefix(type, "throttle.")) {
    return std::nullopt;
  }
  LineFields out = lineBase(entry);
  const json& event = eventOf(entry);
  const auto data = event.find("data");
  if (data != event.end() && data->is_object()) {
    out.copy(*data, "throttle", "throttle");
    if (!out.has("throttle")) {
      out.copy(event, "data", "data");
    }
  }
  out.copy(entry, "subject", "subject");
  return out;
}

std::optional<json> toJson(const std::optional<LineFields>& fields) {
  return fields ? std::optional<json>(fields->toJson()) : std::nullopt;
}

}  // namespace

std::optional<json> jobLine(const json& entry) {
  return toJson(jobFields(entry, eventTypeOf(entry)));
}

std::optional<json> historyLine(const json& entry) {
  return toJson(historyFields(entry, eventTypeOf(entry)));
}

std::optional<json> throttleLine(const json& entry) {
  return toJson(throttleFields(entry, eventTypeOf(entry)));
}

ExportFilesWriter::ExportFilesWriter(const std::string& dir, int64_t chain_start_position,
                                     std::string chain_start_prev_hash)
    : chain_(chain_start_position, std::move(chain_start_prev_hash)) {
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
  chain_.add(entry);
  const std::string type = eventTypeOf(entry);
  const auto write = [this](File& file, std::optional<LineFields> fields) {
    if (fields) {
      line_.clear();
      fields->appendCanonical(line_);
      writeLine(file, line_);
    }
  };
  write(jobs_, jobFields(entry, type));
  write(history_, historyFields(entry, type));
  write(throttles_, throttleFields(entry, type));
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
