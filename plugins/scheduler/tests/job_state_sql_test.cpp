// job_state_sql_test.cpp — job_state.hpp is the source of the transitions the SQL performs:
// every `UPDATE scheduler.jobs` of core/sql.cpp is read, its guard (the statuses it updates
// from) and its targets (the statuses its SET writes) are taken from the statement text, and
// every (from, to) pair they allow must be a transition job_state allows. A new statement that
// moves jobs joins kStatements, or the count check against the source file fails.
//
// How the text is read: a segment is one UPDATE up to its RETURNING. Targets are the status
// literals its `status =` assignment can yield (directly, or after THEN / ELSE); an assignment
// from a column of the input (kCompleteBatch: i.new_status) takes the input's
// `x.status IN (...)` filter. The guard is `<alias>.status = '...'` / `IN (...)` of the updated
// table's alias in the segment's WHERE, else the nearest `j.status` guard before it (the locking
// CTE). An unchanged status (from == to, e.g. a heartbeat on a running job) is no transition.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/job_state.hpp"
#include "core/sql.hpp"

using namespace jobengine::scheduler;  // NOLINT(google-build-using-namespace)

namespace {

struct Statement {
  const char* name;
  std::string_view sql;
};

const std::vector<Statement> kStatements = {
    {"kLeaseLocked", sql::kLeaseLocked},       {"kLeaseByRowId", sql::kLeaseByRowId},
    {"kThrottleBatch", sql::kThrottleBatch},   {"kUnthrottleDue", sql::kUnthrottleDue},
    {"kHeartbeatBatch", sql::kHeartbeatBatch}, {"kCompleteBatch", sql::kCompleteBatch},
    {"kSweepExpired", sql::kSweepExpired},     {"kCancelJobs", sql::kCancelJobs},
    {"kCascadeCancel", sql::kCascadeCancel},   {"kOperatorRetry", sql::kOperatorRetry},
};

constexpr std::string_view kUpdate = "UPDATE scheduler.jobs";

size_t countOf(std::string_view text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string_view::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// Every status literal in `text` ('queued', ...); a literal that is no status fails the test.
std::set<JobStatus> literals(const std::string& text, const std::string& where) {
  std::set<JobStatus> out;
  static const std::regex kLiteral("'([a-z_]+)'");
  for (std::sregex_iterator it(text.begin(), text.end(), kLiteral), end; it != end; ++it) {
    const auto status = parseStatus((*it)[1].str());
    EXPECT_TRUE(status) << where << ": '" << (*it)[1].str() << "' is not a job status";
    if (status) {
      out.insert(*status);
    }
  }
  return out;
}

// The statuses of the first `<alias>.status = '...'` or `<alias>.status IN (...)` in text.
std::set<JobStatus> guardIn(const std::string& text, const std::string& alias_pattern,
                            const std::string& where, bool last) {
  const std::regex guard("\\b" + alias_pattern + "\\.status (= '[a-z_]+'|IN \\([^)]*\\))");
  std::string found;
  for (std::sregex_iterator it(text.begin(), text.end(), guard), end; it != end; ++it) {
    found = (*it)[1].str();
    if (!last) {
      break;
    }
  }
  return found.empty() ? std::set<JobStatus>{} : literals(found, where);
}

// The SET clause's status assignment: the text after `status =` up to the next top-level
// comma (or the clause's end).
std::string statusAssignment(const std::string& set_clause) {
  static const std::regex kAssign("(^|[\\s,])status = ");
  std::smatch m;
  if (!std::regex_search(set_clause, m, kAssign)) {
    return "";
  }
  const size_t start = static_cast<size_t>(m.position(0) + m.length(0));
  int depth = 0;
  size_t end = start;
  for (; end < set_clause.size(); ++end) {
    const char c = set_clause[end];
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      break;
    }
  }
  return set_clause.substr(start, end - start);
}

// The literals an assignment expression can yield: at its start or after THEN / ELSE.
std::set<JobStatus> targetsOf(const std::string& expr, const std::string& where) {
  std::set<JobStatus> out;
  static const std::regex kYield("(^|THEN |ELSE )'([a-z_]+)'");
  for (std::sregex_iterator it(expr.begin(), expr.end(), kYield), end; it != end; ++it) {
    const auto lit = literals("'" + (*it)[2].str() + "'", where);
    out.insert(lit.begin(), lit.end());
  }
  return out;
}

struct Segment {
  std::string where;  // "kName #n"
  std::set<JobStatus> from;
  std::set<JobStatus> to;
};

std::vector<Segment> segmentsOf(const Statement& st) {
  const std::string sql(st.sql);
  std::vector<Segment> out;
  size_t at = sql.find(kUpdate);
  for (int n = 1; at != std::string::npos; ++n) {
    Segment seg;
    seg.where = std::string(st.name) + " UPDATE #" + std::to_string(n);
    const size_t returning = sql.find("RETURNING", at);
    const std::string text =
        sql.substr(at, returning == std::string::npos ? std::string::npos : returning - at);
    const size_t set_at = text.find("SET ");
    const size_t where_at = text.find("WHERE ");
    size_t set_end = text.find("\n  FROM ", set_at);
    if (set_end == std::string::npos || (where_at != std::string::npos && where_at < set_end)) {
      set_end = where_at;
    }
    const std::string set_clause = text.substr(set_at, set_end - set_at);
    const std::string expr = statusAssignment(set_clause);
    if (!expr.empty()) {
      if (expr.rfind("'", 0) == 0 || expr.rfind("CASE", 0) == 0) {
        seg.to = targetsOf(expr, seg.where);
      } else {
        // From the input: the statement's own filter bounds what it may write.
        seg.to = guardIn(sql, "x", seg.where, false);
        EXPECT_FALSE(seg.to.empty())
            << seg.where << ": status = " << expr << " without an input `x.status IN` filter";
      }
      const std::string where_clause = where_at == std::string::npos ? "" : text.substr(where_at);
      // The updated table's alias: `UPDATE scheduler.jobs j` -> "j".
      const std::string alias = text.substr(kUpdate.size() + 1, 1);
      seg.from = guardIn(where_clause, alias, seg.where, false);
      if (seg.from.empty()) {
        seg.from = guardIn(sql.substr(0, at), "j", seg.where, true);
      }
      EXPECT_FALSE(seg.from.empty()) << seg.where << ": no status guard found";
    }
    out.push_back(seg);
    at = sql.find(kUpdate, at + kUpdate.size());
  }
  return out;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

TEST(JobStateSql, EveryJobUpdateInSqlCppIsChecked) {
  const std::string source = readFile(std::string(JE_SCHEDULER_SOURCE_DIR) + "/core/sql.cpp");
  ASSERT_FALSE(source.empty());
  size_t checked = 0;
  for (const auto& st : kStatements) {
    checked += countOf(st.sql, kUpdate);
  }
  EXPECT_EQ(countOf(source, kUpdate), checked)
      << "a statement in core/sql.cpp updates scheduler.jobs and is not in kStatements";
}

TEST(JobStateSql, EveryStatusChangeInTheSqlIsAnAllowedTransition) {
  for (const auto& st : kStatements) {
    for (const auto& seg : segmentsOf(st)) {
      for (const auto from : seg.from) {
        for (const auto to : seg.to) {
          if (from == to) {
            continue;  // the status is left as it is
          }
          EXPECT_FALSE(checkTransition(from, to))
              << seg.where << ": " << *checkTransition(from, to);
        }
      }
    }
  }
}

// The reading itself, on statements whose transitions are known: a parser that found nothing
// would pass the test above vacuously.
TEST(JobStateSql, ReadsTheKnownTransitions) {
  using S = JobStatus;
  const auto lease = segmentsOf({"kLeaseLocked", sql::kLeaseLocked});
  ASSERT_EQ(lease.size(), 1U);
  EXPECT_EQ(lease[0].from, (std::set<S>{S::kQueued}));
  EXPECT_EQ(lease[0].to, (std::set<S>{S::kLeased}));

  const auto complete = segmentsOf({"kCompleteBatch", sql::kCompleteBatch});
  ASSERT_EQ(complete.size(), 3U);
  EXPECT_EQ(complete[0].from, (std::set<S>{S::kLeased, S::kRunning}));
  EXPECT_EQ(complete[0].to,
            (std::set<S>{S::kQueued, S::kSucceeded, S::kFailed, S::kTimedOut, S::kCanceled}));
  EXPECT_EQ(complete[1].from, (std::set<S>{S::kPending}));  // cascade: upstream failed
  EXPECT_EQ(complete[1].to, (std::set<S>{S::kCanceled}));
  EXPECT_EQ(complete[2].from, (std::set<S>{S::kPending}));  // release: parents succeeded
  EXPECT_EQ(complete[2].to, (std::set<S>{S::kQueued}));

  const auto sweep = segmentsOf({"kSweepExpired", sql::kSweepExpired});
  ASSERT_EQ(sweep.size(), 1U);
  EXPECT_EQ(sweep[0].from, (std::set<S>{S::kLeased, S::kRunning}));
  EXPECT_EQ(sweep[0].to, (std::set<S>{S::kQueued, S::kTimedOut, S::kCanceled}));

  const auto cancel = segmentsOf({"kCancelJobs", sql::kCancelJobs});
  ASSERT_EQ(cancel.size(), 1U);
  EXPECT_EQ(cancel[0].from,
            (std::set<S>{S::kPending, S::kQueued, S::kThrottled, S::kLeased, S::kRunning}));
  EXPECT_EQ(cancel[0].to, (std::set<S>{S::kCanceled}));

  const auto unthrottle = segmentsOf({"kUnthrottleDue", sql::kUnthrottleDue});
  ASSERT_EQ(unthrottle.size(), 1U);
  EXPECT_EQ(unthrottle[0].from, (std::set<S>{S::kThrottled}));
  EXPECT_EQ(unthrottle[0].to, (std::set<S>{S::kQueued}));

  const auto retry = segmentsOf({"kOperatorRetry", sql::kOperatorRetry});
  ASSERT_EQ(retry.size(), 1U);
  EXPECT_EQ(retry[0].from, (std::set<S>{S::kFailed, S::kTimedOut}));
  EXPECT_EQ(retry[0].to, (std::set<S>{S::kQueued}));
}

// The checker refuses what job_state refuses: the same reading on a made-up statement that
// re-queues a succeeded job finds a pair checkTransition rejects.
TEST(JobStateSql, FindsARefusedTransition) {
  const std::string_view bad = R"SQL(
WITH r AS (
  UPDATE scheduler.jobs j
  SET status = 'queued', updated_at = now()
  WHERE j.id = $1::uuid AND j.status = 'succeeded'
  RETURNING j.id
) SELECT 1)SQL";
  const auto segs = segmentsOf({"bad", bad});
  ASSERT_EQ(segs.size(), 1U);
  ASSERT_EQ(segs[0].from, (std::set<JobStatus>{JobStatus::kSucceeded}));
  ASSERT_EQ(segs[0].to, (std::set<JobStatus>{JobStatus::kQueued}));
  EXPECT_TRUE(checkTransition(JobStatus::kSucceeded, JobStatus::kQueued));
}
