// GET /audit filters: every accepted form (times, actor, exact and prefix actions, kind:id and
// id subjects) and every refusal with the field and the message the route sends as 422.
#include "core/audit_query.hpp"

#include <gtest/gtest.h>

namespace jobengine::audit {
namespace {

TEST(AuditQueryTest, NoParametersIsNoFilter) {
  const ParsedFilter p = parseAuditFilter({});
  EXPECT_FALSE(p.error);
  EXPECT_FALSE(p.filter.from || p.filter.to || p.filter.actor || p.filter.action ||
               p.filter.action_prefix || p.filter.subject_kind || p.filter.subject_id);
}

TEST(AuditQueryTest, AcceptsEveryFilter) {
  const ParsedFilter p =
      parseAuditFilter({{"from", "2026-12-06T10:00:00Z"},
                        {"to", "2026-12-06T12:00:00+01:00"},
                        {"actor", "alice@example.com"},
                        {"action", "job.canceled"},
                        {"subject", "job:0193a5b2-7c1e-7a4b-9f0e-3d2c1b0a9f8e"}});
  ASSERT_FALSE(p.error) << p.error->message;
  EXPECT_EQ(p.filter.from, std::optional<std::string>("2026-12-06T10:00:00Z"));
  EXPECT_EQ(p.filter.actor, std::optional<std::string>("alice@example.com"));
  EXPECT_EQ(p.filter.action, std::optional<std::string>("job.canceled"));
  EXPECT_FALSE(p.filter.action_prefix);
  EXPECT_EQ(p.filter.subject_kind, std::optional<std::string>("job"));
  EXPECT_EQ(p.filter.subject_id,
            std::optional<std::string>("0193a5b2-7c1e-7a4b-9f0e-3d2c1b0a9f8e"));
}

TEST(AuditQueryTest, PrefixActionsAndBareSubjectIds) {
  ParsedFilter p = parseAuditFilter({{"action", "job.*"}, {"subject", "nightly"}});
  ASSERT_FALSE(p.error) << p.error->message;
  EXPECT_EQ(p.filter.action_prefix, std::optional<std::string>("job."));
  EXPECT_FALSE(p.filter.action);
  EXPECT_FALSE(p.filter.subject_kind);
  EXPECT_EQ(p.filter.subject_id, std::optional<std::string>("nightly"));
  p = parseAuditFilter({{"action", "*"}});
  ASSERT_FALSE(p.error);
  EXPECT_EQ(p.filter.action_prefix, std::optional<std::string>(""));
  EXPECT_EQ(likePrefix("job."), "job.%");
  EXPECT_EQ(likePrefix("pack_run."), "pack\\_run.%");
}

TEST(AuditQueryTest, RefusalsNameTheFieldAndWhatIsAllowed) {
  const auto error = [](const std::map<std::string, std::string>& q) {
    const ParsedFilter p = parseAuditFilter(q);
    return p.error ? p.error->field + " | " + p.error->message : std::string("accepted");
  };
  EXPECT_EQ(error({{"from", "yesterday"}}),
            "from | from: 'yesterday' is not an RFC 3339 date-time (e.g. 2026-12-06T10:00:00Z)");
  EXPECT_EQ(error({{"to", "2026-13-01T00:00:00Z"}}).substr(0, 5), "to | ");
  EXPECT_EQ(error({{"from", "2026-12-06T11:00:00Z"}, {"to", "2026-12-06T10:00:00Z"}}),
            "to | to: must be later than from (2026-12-06T11:00:00Z)");
  EXPECT_EQ(error({{"actor", ""}}),
            "actor | actor: must not be empty (leave the parameter out for no filter)");
  EXPECT_EQ(error({{"actor", std::string(257, 'x')}}),
            "actor | actor: at most 256 bytes (a token subject)");
  EXPECT_EQ(error({{"action", "Job.Canceled"}}),
            "action | action: 'Job.Canceled' is not an event type ([a-z0-9_.-], 1..128 bytes) or "
            "a prefix such as job.* (or * for every type)");
  EXPECT_EQ(error({{"action", "job*"}}).substr(0, 9), "action | ");
  EXPECT_EQ(error({{"action", ".*"}}).substr(0, 9), "action | ");
  EXPECT_EQ(error({{"subject", "Job:1"}}),
            "subject | subject: 'Job:1' is not kind:id (kind [a-z_]+, e.g. job:<uuid>) or an id");
  EXPECT_EQ(error({{"subject", "job:"}}).substr(0, 10), "subject | ");
}

}  // namespace
}  // namespace jobengine::audit
