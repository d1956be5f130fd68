// jobengine/cluster_gauges.hpp — header-only helper for a plugin's cluster-wide gauges
// (docs/metrics.md, "Design: the cluster gauge refresher").
//
// A cluster gauge is a fact of the shared database (queue depth, open dead letters, quota
// levels). Only the elected leader computes and exports it, so sum() across replicas is right
// and the database sees one query set per interval whatever the number of replicas. This file
// has two parts:
//
//  * GaugeSnapshot + GaugeSeriesTracker: pure. A refresh fills a snapshot with every series it
//    found; the tracker turns it into the gauge writes to make, adding a 0 for every series it
//    published before that is gone now (a queue drained to empty), because the host's
//    registry cannot delete a series. clear() gives the writes that zero everything (the
//    replica lost leadership).
//  * ClusterGaugeRefresher: one named thread per plugin. Every `interval` it asks je.leader
//    whether this replica leads; if so it runs `collect` in one read-only transaction bound
//    to JE_TENANT_SYSTEM (the plugin's own tables only) and publishes the snapshot; if not,
//    it zeroes what it published. A failed refresh warns once until one works, counts
//    jobengine_metrics_refresh_errors_total and leaves the previous values. stop() joins the
//    thread; a scrape never waits for it (it reads the registry only).
//
// Not ABI: it only calls the existing je.metrics, je.leader and je.store through plugin.hpp.
#ifndef JOBENGINE_CLUSTER_GAUGES_HPP
#define JOBENGINE_CLUSTER_GAUGES_HPP

#include <jobengine/plugin.hpp>

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace jobengine::sdk {

// One gauge write: name (without the jobengine_ prefix), help, labels (a flat JSON object).
struct GaugeSample {
  std::string name;
  std::string help;
  nlohmann::json labels;
  double value = 0;
};

// Every series one refresh found. A series set twice keeps the last value.
class GaugeSnapshot {
 public:
  void set(std::string name, std::string help, nlohmann::json labels, double value) {
    samples_.push_back(GaugeSample{std::move(name), std::move(help), std::move(labels), value});
  }
  const std::vector<GaugeSample>& samples() const { return samples_; }

 private:
  std::vector<GaugeSample> samples_;
};

// Remembers the series published so far. Not thread-safe: one refresher owns it.
class GaugeSeriesTracker {
 public:
  // The writes that make the registry equal `snapshot`: its samples, then a 0 for every series
  // published earlier and absent from it.
  std::vector<GaugeSample> publish(const GaugeSnapshot& snapshot) {
    std::map<std::string, GaugeSample> now;
    for (const auto& s : snapshot.samples()) {
      now[keyOf(s)] = s;
    }
    std::vector<GaugeSample> writes;
    writes.reserve(now.size());
    for (const auto& [key, s] : now) {
      writes.push_back(s);
    }
    for (auto& [key, s] : published_) {
      if (now.find(key) == now.end()) {
        s.value = 0;
        writes.push_back(s);
      }
    }
    published_ = std::move(now);
    return writes;
  }

  // A 0 for every series published so far; forgets them.
  std::vector<GaugeSample> clear() {
    std::vector<GaugeSample> writes;
    writes.reserve(published_.size());
    for (auto& [key, s] : published_) {
      s.value = 0;
      writes.push_back(std::move(s));
    }
    published_.clear();
    return writes;
  }

  bool empty() const { return published_.empty(); }

 private:
  // nlohmann::json objects are ordered by key, so dump() is canonical for flat labels.
  static std::string keyOf(const GaugeSample& s) { return s.name + '\n' + s.labels.dump(); }

  std::map<std::string, GaugeSample> published_;
};

// The leader-only refresher thread (see the file comment).
class ClusterGaugeRefresher {
 public:
  // Fills the snapshot from the plugin's own tables; throws on a database error.
  using Collect = std::function<void(Txn& txn, GaugeSnapshot& out)>;

  static constexpr const char* kTimestampMetric = "metrics_refresh_timestamp_seconds";
  static constexpr const char* kErrorsMetric = "metrics_refresh_errors_total";

  ClusterGaugeRefresher(Host& host, std::string thread_name, std::chrono::seconds interval,
                        Collect collect)
      : host_(host),
        thread_name_(std::move(thread_name)),
        interval_(interval),
        collect_(std::move(collect)) {}
  ~ClusterGaugeRefresher() { stop(); }
  ClusterGaugeRefresher(const ClusterGaugeRefresher&) = delete;
  ClusterGaugeRefresher& operator=(const ClusterGaugeRefresher&) = delete;

  void start() {
    host_.counterAdd(kErrorsMetric, kErrorsHelp, nlohmann::json::object(), 0);
    thread_ = std::thread([this] { loop(); });
  }

  // Joins the thread (idempotent). Leaves the last values: the process is stopping.
  void stop() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  static constexpr const char* kErrorsHelp =
      "Failed refreshes of the leader's cluster gauges (docs/metrics.md)";
  static constexpr const char* kTimestampHelp =
      "Unix time of the last successful refresh of the cluster gauges (leader only)";

  void loop() {
    pthread_setname_np(pthread_self(), thread_name_.substr(0, 15).c_str());
    bool warned = false;
    while (true) {
      try {  // nothing may leave the thread (std::terminate)
        if (host_.isLeader()) {
          refresh();
          warned = false;
        } else if (!tracker_.empty()) {
          write(tracker_.clear());  // deposed: a non-leader exports its cluster series as 0
        }
      } catch (const std::exception& e) {
        host_.counterAdd(kErrorsMetric, kErrorsHelp, nlohmann::json::object(), 1);
        if (!warned) {  // a database outage fails every refresh: say it once until one works
          host_.warn(thread_name_ + ": metrics refresh failed: " + e.what());
          warned = true;
        }
      }
      std::unique_lock<std::mutex> lock(mutex_);
      if (cv_.wait_for(lock, interval_, [&] { return stopping_; })) {
        return;
      }
    }
  }

  void refresh() {
    GaugeSnapshot snapshot;
    {
      Txn txn = host_.begin(JE_TENANT_SYSTEM, JE_TXN_READ_ONLY);
      collect_(txn, snapshot);
      txn.commit();
    }
    const double now_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    snapshot.set(kTimestampMetric, kTimestampHelp, nlohmann::json::object(), now_s);
    write(tracker_.publish(snapshot));
  }

  void write(const std::vector<GaugeSample>& samples) const {
    for (const auto& s : samples) {
      host_.gaugeSet(s.name.c_str(), s.help.c_str(), s.labels, s.value);
    }
  }

  Host& host_;
  const std::string thread_name_;
  const std::chrono::seconds interval_;
  const Collect collect_;
  GaugeSeriesTracker tracker_;  // the refresher thread's only
  std::thread thread_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace jobengine::sdk

#endif  // JOBENGINE_CLUSTER_GAUGES_HPP
