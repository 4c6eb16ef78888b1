#include "report/report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "base/clock.h"
#include "store/sqlite_store.h"

namespace opencapf::report {
namespace {

constexpr std::time_t kNow = 1795775757;  // 2026-11-27
constexpr std::time_t kDay = 86400;

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("opencapf-report-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "r.db", clock_);
    ASSERT_TRUE(opened.ok()) << opened.message();
    store_ = std::move(*opened);
    // Devices in every state.
    Add("SEP000000000001", store::LscStatus::kInstalled, kNow + 400 * kDay, "Upgrade Success");
    Add("SEP000000000002", store::LscStatus::kInstalled, kNow + 30 * kDay, "Upgrade Success");
    Add("SEP000000000003", store::LscStatus::kInstalled, kNow - 2 * kDay, "Upgrade Success");
    Add("SEP000000000004", store::LscStatus::kNotInstalled, 0, "None");
    Add("SEP000000000005", store::LscStatus::kPending, 0, "Operation Pending",
        store::Operation::kInstall);
    Add("SEP000000000006", store::LscStatus::kNotInstalled, 0,
        "Upgrade Failed: User Initiated Request Late/Timedout", store::Operation::kInstall);
    store::Device with_mic = *store_->Get("SEP000000000004").value();
    with_mic.mic = store::StoredCertificate{"",
                                            "0A",
                                            "CN=CP-8845-SEP000000000004",
                                            "CN=CAP-RTP-002",
                                            kNow - 4000 * kDay,
                                            kNow - 10 * kDay};
    ASSERT_TRUE(store_
                    ->Save(with_mic, store::Event{0, "", kNow - 60, "10.0.0.4:5000", "troubleshoot",
                                                  "success", "fetched MIC", 12})
                    .ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Add(const std::string& name, store::LscStatus status, std::time_t not_after,
           const std::string& op_status, store::Operation op = store::Operation::kNone) {
    store::Device d;
    d.name = name;
    d.lsc_status = status;
    d.operation = op;
    d.operation_status = op_status;
    if (op != store::Operation::kNone) d.complete_by = kNow + 3600;
    if (status == store::LscStatus::kInstalled) {
      d.lsc = store::StoredCertificate{"",
                                       "5A" + name.substr(3),
                                       "CN=" + name,
                                       "CN=CAPF-1a2b3c4d,O=Example",
                                       kNow - 100 * kDay,
                                       not_after};
    }
    ASSERT_TRUE(store_->Add(d).ok()) << name;
  }

  FakeClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReportTest, TheThreeFormatsAgree) {
  auto report = Build(*store_, {}, kNow);
  ASSERT_TRUE(report.ok()) << report.message();
  ASSERT_EQ(report->rows.size(), 6u);
  const Summary& s = report->summary;
  EXPECT_EQ(s.installed, 3u);
  EXPECT_EQ(s.not_installed, 2u);
  EXPECT_EQ(s.pending, 1u);
  EXPECT_EQ(s.operations_pending, 1u);
  EXPECT_EQ(s.operations_failed, 1u);
  EXPECT_EQ(s.expiring, 2u) << "30 days left and already expired";
  EXPECT_EQ(s.expired, 1u);

  auto json = RenderJson(*report);
  std::string csv = RenderCsv(*report);
  std::string table = RenderTable(*report, kNow);
  std::vector<std::string> csv_lines;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) csv_lines.push_back(line);
  ASSERT_EQ(csv_lines.size(), 7u);
  EXPECT_EQ(csv_lines[0].rfind("name,lsc_status,operation,operation_status,lsc_serial", 0), 0u);
  for (std::size_t i = 0; i < report->rows.size(); ++i) {
    const Row& r = report->rows[i];
    EXPECT_EQ(json["rows"][i]["name"], r.name);
    EXPECT_EQ(csv_lines[i + 1].rfind(r.name + "," + r.lsc_status + ",", 0), 0u) << csv_lines[i + 1];
    EXPECT_NE(table.find(r.name), std::string::npos);
    if (r.days_left) {
      EXPECT_EQ(json["rows"][i]["days_left"], *r.days_left);
      EXPECT_NE(csv_lines[i + 1].find("," + std::to_string(*r.days_left) + ","), std::string::npos);
    }
  }
  EXPECT_EQ(report->rows[0].days_left, 400);
  EXPECT_EQ(report->rows[1].days_left, 30);
  EXPECT_EQ(report->rows[2].days_left, -2);
  EXPECT_TRUE(report->rows[3].mic_seen);
  EXPECT_EQ(report->rows[3].last_result, "success");
  EXPECT_EQ(json["summary"]["expiring"], 2);
  EXPECT_NE(table.find("6 devices: 3 Installed, 2 Not Installed, 1 Pending"), std::string::npos)
      << table;
  EXPECT_NE(csv_lines[6].find(",Upgrade Failed: User Initiated Request Late/Timedout,"),
            std::string::npos);
  EXPECT_NE(csv_lines[1].find(",\"CN=CAPF-1a2b3c4d,O=Example\","), std::string::npos)
      << "a field with a comma is quoted: " << csv_lines[1];
}

TEST_F(ReportTest, FiltersByStatusAndExpiryWithTheInjectedClock) {
  auto installed = Build(*store_, {store::LscStatus::kInstalled, std::nullopt}, kNow);
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(installed->rows.size(), 3u);
  auto soon = Build(*store_, {std::nullopt, *ParseWindow("90d")}, kNow);
  ASSERT_TRUE(soon.ok());
  ASSERT_EQ(soon->rows.size(), 2u);
  EXPECT_EQ(soon->rows[0].name, "SEP000000000002");
  // A year later the first LSC is inside the window too.
  auto later = Build(*store_, {std::nullopt, *ParseWindow("90d")}, kNow + 320 * kDay);
  EXPECT_EQ(later->rows.size(), 3u);
}

TEST(ReportWindow, ParsesSpansAndSaysWhatIsAccepted) {
  EXPECT_EQ(*ParseWindow("90d"), 90 * kDay);
  EXPECT_EQ(*ParseWindow("2w"), 14 * kDay);
  EXPECT_EQ(*ParseWindow("36h"), 36 * 3600);
  EXPECT_EQ(*ParseWindow("30"), 30 * kDay);
  auto bad = ParseWindow("soon");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("90d"), std::string::npos);
}

}  // namespace
}  // namespace opencapf::report
