// Batches and the store worker on both backends: calls made durable together, a refused call
// that changes nothing of the others, coroutines answered on their own executor, and the calls
// that queue behind a busy worker taken as one batch.
#include "store/store_worker.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "net/asio.h"
#include "store/testing/store_under_test.h"

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

constexpr std::time_t kT0 = 1'796'119'200;  // 2026-12-01T10:00:00Z

Device Scheduled(const std::string& name) {
  Device d;
  d.name = name;
  d.operation = Operation::kInstall;
  d.complete_by = kT0 + 3600;
  d.operation_status = std::string(kStatusPending);
  return d;
}

// A batched call that saves `device` with an event, keeping what Save said.
class SaveCall final : public BatchedCall {
 public:
  explicit SaveCall(Device device) : device_(std::move(device)) {}
  void Run(Store& store) override {
    result = store.Save(device_, Event{.operation = "install", .result = "success"});
  }
  void Abandon(const Error& why) override { result = why; }
  Status result = Fail("not run");

 private:
  Device device_;
};

class StoreWorkerTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-worker-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto where = testing::StoreUnderTest::Create(GetParam(), dir_);
    ASSERT_TRUE(where.ok()) << where.message();
    where_.emplace(std::move(*where));
    auto opened = where_->Open(clock_);
    ASSERT_TRUE(opened.ok()) << opened.message();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Device MustGet(const std::string& name) {
    auto got = store_->Get(name);
    EXPECT_TRUE(got.ok() && got->has_value());
    return got.ok() && got->has_value() ? **got : Device{};
  }
  std::size_t Events(const std::string& name) {
    auto h = store_->History(name, 0);
    return h.ok() ? h->size() : 0;
  }

  std::filesystem::path dir_;
  std::optional<testing::StoreUnderTest> where_;
  FakeClock clock_{kT0};
  std::unique_ptr<Store> store_;
};
INSTANTIATE_TEST_SUITE_P(Backends, StoreWorkerTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

TEST_P(StoreWorkerTest, ABatchKeepsEachCallsOwnOutcome) {
  for (const char* name : {"SEP000000000001", "SEP000000000002", "SEP000000000003"}) {
    ASSERT_TRUE(store_->Add(Scheduled(name)).ok());
  }
  Device first = MustGet("SEP000000000001");
  Device stale = MustGet("SEP000000000002");
  stale.version += 5;  // a copy nobody read: Save refuses it
  Device third = MustGet("SEP000000000003");
  first.operation_status = third.operation_status = std::string(kStatusUpgradeSuccess);
  stale.operation_status = std::string(kStatusUpgradeSuccess);
  SaveCall a(first), b(stale), c(third);
  BatchedCall* calls[] = {&a, &b, &c};
  store_->RunBatch(calls);

  EXPECT_TRUE(a.result.ok()) << a.result.message();
  ASSERT_FALSE(b.result.ok());
  EXPECT_THAT(b.result.message(), HasSubstr("was changed by someone else"));
  EXPECT_TRUE(c.result.ok()) << c.result.message();
  EXPECT_EQ(MustGet("SEP000000000001").operation_status, kStatusUpgradeSuccess);
  EXPECT_EQ(MustGet("SEP000000000002").operation_status, kStatusPending);
  EXPECT_EQ(MustGet("SEP000000000002").version, 1);
  EXPECT_EQ(MustGet("SEP000000000003").operation_status, kStatusUpgradeSuccess);
  EXPECT_EQ(Events("SEP000000000001"), 1u);
  EXPECT_EQ(Events("SEP000000000002"), 0u);  // its savepoint took the event back with it

  // And the store works on afterwards, reopened: what the batch reported is what is there.
  store_.reset();
  auto reopened = where_->Open(clock_);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  EXPECT_EQ(MustGet("SEP000000000003").version, 2);
}

TEST_P(StoreWorkerTest, CoroutinesAreAnsweredOnTheirOwnStrandAndQueuedCallsShareBatches) {
  constexpr int kDevices = 40;
  for (int i = 0; i < kDevices; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "SEP%012d", i + 1);
    ASSERT_TRUE(store_->Add(Scheduled(name)).ok());
  }
  StoreWorker worker(*store_);
  asio::io_context io(2);
  std::atomic<int> saved{0}, wrong_thread{0};
  for (int i = 0; i < kDevices; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "SEP%012d", i + 1);
    auto strand = asio::make_strand(io);
    asio::co_spawn(
        strand,
        [&, strand, device = std::string(name)]() -> asio::awaitable<void> {
          auto reading = worker.Call<Result<std::optional<Device>>>(
              [device](Store& s) { return s.Get(device); });
          auto read = co_await std::move(reading);
          if (!strand.running_in_this_thread()) ++wrong_thread;
          if (!read.ok() || !*read) co_return;
          Device d = **read;
          d.operation_status = std::string(kStatusUpgradeSuccess);
          auto saving = worker.Call<Status>([d](Store& s) {
            return s.Save(d, Event{.operation = "install", .result = "success"});
          });
          Status st = co_await std::move(saving);
          if (!strand.running_in_this_thread()) ++wrong_thread;
          if (st.ok()) ++saved;
        },
        asio::detached);
  }
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  EXPECT_EQ(saved.load(), kDevices);
  EXPECT_EQ(wrong_thread.load(), 0);
  EXPECT_EQ(worker.calls(), static_cast<std::size_t>(2 * kDevices));
  EXPECT_LE(worker.batches(), worker.calls());
  if (GetParam() == testing::Backend::kSqlite) {
    // Forty coroutines asked at once: the ones that queued while a batch ran went together.
    EXPECT_LT(worker.batches(), worker.calls());
  }
  char last[32];
  std::snprintf(last, sizeof last, "SEP%012d", kDevices);
  EXPECT_EQ(MustGet(last).operation_status, kStatusUpgradeSuccess);
}

TEST_P(StoreWorkerTest, AFailedCallIsAnErrorForItsCallerOnly) {
  StoreWorker worker(*store_);
  asio::io_context io;
  std::optional<Status> missing, added;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Device nobody = Scheduled("SEP0000000000FF");
        auto saving = worker.Call<Status>([nobody](Store& s) { return s.Save(nobody, {}); });
        missing = co_await std::move(saving);
        auto adding =
            worker.Call<Status>([](Store& s) { return s.Add(Scheduled("SEP0000000000EE")); });
        added = co_await std::move(adding);
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(missing && added);
  EXPECT_FALSE(missing->ok());
  EXPECT_TRUE(added->ok()) << added->message();
  EXPECT_EQ(MustGet("SEP0000000000EE").version, 1);
}

TEST_P(StoreWorkerTest, OnTheCallersThreadEachCallRunsWhenMadeAndStartsNoThread) {
  ASSERT_TRUE(store_->Add(Scheduled("SEP0000000000AA")).ok());
  StoreWorker worker(*store_, StoreWorker::Threads::kCaller);
  asio::io_context io;
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::thread::id> ran_on;
  std::optional<Result<std::optional<Device>>> read;
  std::optional<Status> saved;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto reading = worker.Call<Result<std::optional<Device>>>([&](Store& s) {
          ran_on.push_back(std::this_thread::get_id());
          return s.Get("SEP0000000000AA");
        });
        read = co_await std::move(reading);
        Device changed = **read.value();
        changed.operation_status = std::string(kStatusUpgradeSuccess);
        auto saving = worker.Call<Status>([&, changed](Store& s) {
          ran_on.push_back(std::this_thread::get_id());
          return s.Save(changed, {});
        });
        saved = co_await std::move(saving);
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(read && read->ok() && saved);
  EXPECT_TRUE(saved->ok()) << saved->message();
  EXPECT_EQ(ran_on, std::vector<std::thread::id>(2, caller));
  EXPECT_EQ(worker.batches(), 2u);
  EXPECT_EQ(worker.calls(), 2u);
  EXPECT_EQ(MustGet("SEP0000000000AA").operation_status, kStatusUpgradeSuccess);
}

}  // namespace
}  // namespace opencapf::store
