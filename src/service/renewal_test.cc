// The renewal plan and its scheduling, by a fake clock, on a real SQLite store.
#include "service/renewal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace opencapf::service {
namespace {

constexpr std::time_t kT0 = 1'800'000'000;
constexpr std::time_t kDay = 86400;

store::Device Installed(const std::string& name, std::time_t lsc_end) {
  store::Device d;
  d.name = name;
  d.lsc_status = store::LscStatus::kInstalled;
  d.operation_status = std::string(store::kStatusUpgradeSuccess);
  d.lsc = store::StoredCertificate{"-----BEGIN CERTIFICATE-----\n",
                                   name.substr(3),
                                   "CN=" + name,
                                   "CN=CAPF",
                                   kT0 - 300 * kDay,
                                   lsc_end};
  return d;
}

Config::Renewal Policy(int before_days, int max_per_hour) {
  Config::Renewal p;
  p.before_days = before_days;
  p.max_per_hour = max_per_hour;
  p.window_hours = 24;
  return p;
}

TEST(RenewalPlan, SoonestFirstAtMostMaxPerHourAndThoseItCannotReach) {
  const std::vector<store::Device> devices = {
      Installed("SEP000000000003", kT0 + 10 * kDay),
      Installed("SEP000000000001", kT0 + 3600 + 60),  // ends in the second hour of the plan
      Installed("SEP000000000002", kT0 + 5 * kDay),
      Installed("SEP000000000009", kT0 + 90 * kDay),  // not within 30 days
  };
  auto plan = PlanRenewals(devices, Policy(30, 2), kT0, kT0 + 1000 * kDay, 1);
  ASSERT_EQ(plan.size(), 3u);
  // One slot of this hour was used already: one now, two the hour after.
  EXPECT_EQ(plan[0].device, "SEP000000000001");
  EXPECT_EQ(plan[0].scheduled_at, kT0);
  EXPECT_TRUE(plan[0].reachable);
  EXPECT_EQ(plan[1].device, "SEP000000000002");
  EXPECT_EQ(plan[1].scheduled_at, kT0 + 3600);
  EXPECT_EQ(plan[2].device, "SEP000000000003");
  EXPECT_EQ(plan[2].scheduled_at, kT0 + 3600);

  // At one an hour, the one ending in 61 minutes is reached now, but nothing ends in time after
  // it: the second is reached in an hour, fine; with an LSC ending in 30 minutes behind it, not.
  auto tight = PlanRenewals(
      {Installed("SEP00000000000A", kT0 + 600), Installed("SEP00000000000B", kT0 + 1800)},
      Policy(30, 1), kT0, kT0 + 1000 * kDay, 0);
  ASSERT_EQ(tight.size(), 2u);
  EXPECT_TRUE(tight[0].reachable);
  EXPECT_FALSE(tight[1].reachable);

  EXPECT_TRUE(PlanRenewals(devices, Policy(0, 2), kT0, kT0 + 1000 * kDay, 0).empty()) << "0 is off";
}

TEST(RenewalPlan, NothingIsScheduledWhileTheCapfCertificateEndsFirst) {
  auto plan = PlanRenewals({Installed("SEP000000000001", kT0 + 5 * kDay)}, Policy(30, 10), kT0,
                           kT0 + 20 * kDay, 0);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_NE(plan[0].blocked.find("regenerate"), std::string::npos) << plan[0].blocked;
}

TEST(RenewalSchedule, SchedulesTheDueOnesWithHistoryAndAuditAndKeepsTheRate) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("opencapf-renewal-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  FakeClock clock(kT0);
  auto store = store::OpenSqliteStore(dir / "opencapf.db", clock);
  ASSERT_TRUE(store.ok()) << store.message();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(
        (*store)->Add(Installed("SEP00000000000" + std::to_string(i), kT0 + i * kDay)).ok());
  }
  store::Device busy = Installed("SEP000000000006", kT0 + kDay);
  busy.operation = store::Operation::kTroubleshoot;  // something else scheduled: left alone
  busy.complete_by = kT0 + 3600;
  busy.operation_status = std::string(store::kStatusPending);
  auto added = (*store)->Add(busy);
  ASSERT_TRUE(added.ok()) << added.message();

  const auto policy = Policy(30, 2);
  auto first = ScheduleDueRenewals(**store, policy, clock, kT0 + 1000 * kDay);
  ASSERT_TRUE(first.ok()) << first.message();
  ASSERT_EQ(first->size(), 2u);
  const store::Device d1 = **(*store)->Get("SEP000000000001");
  EXPECT_EQ(d1.operation, store::Operation::kInstall);
  EXPECT_EQ(d1.auth, store::AuthMode::kExistingLsc);
  EXPECT_EQ(d1.complete_by, kT0 + 24 * 3600);
  EXPECT_EQ(d1.operation_status, store::kStatusPending);
  auto history = (*store)->History("SEP000000000001", 0);
  ASSERT_TRUE(history.ok());
  ASSERT_FALSE(history->empty());
  EXPECT_EQ((*history)[0].reason.rfind("renewal scheduled: LSC", 0), 0u) << (*history)[0].reason;
  auto audit = (*store)->ListAudit(100);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, kRenewalAuditAction);
  EXPECT_EQ((**(*store)->Get("SEP000000000006")).operation, store::Operation::kTroubleshoot);

  // Ten minutes later: the hour's two are used, nothing more; the plan shows them waiting.
  clock.Advance(600);
  auto again = ScheduleDueRenewals(**store, policy, clock, kT0 + 1000 * kDay);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  auto plan = CurrentRenewalPlan(**store, policy, clock.Now(), kT0 + 1000 * kDay);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 5u);
  EXPECT_TRUE((*plan)[0].scheduled);
  EXPECT_TRUE((*plan)[1].scheduled);
  EXPECT_FALSE((*plan)[2].scheduled);
  EXPECT_EQ((*plan)[2].scheduled_at, clock.Now() + 3600);

  // An hour on: the next two.
  clock.Advance(3600);
  auto later = ScheduleDueRenewals(**store, policy, clock, kT0 + 1000 * kDay);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 2u);
  EXPECT_EQ((*later)[0].device, "SEP000000000003");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace opencapf::service
