#include "store/sqlite_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "store/sqlite.h"
#include "store/sqlite_schema.h"
#include "store/testing/store_under_test.h"

namespace opencapf::store {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

constexpr std::time_t kT0 = 1'796'119'200;  // 2026-12-01T10:00:00Z

StoredCertificate Cert(const std::string& serial, const std::string& cn) {
  return StoredCertificate{
      "-----BEGIN CERTIFICATE-----\n" + serial + "\n-----END CERTIFICATE-----\n",
      serial,
      "CN=" + cn,
      "CN=CAPF-0a1b2c3d,O=Example",
      kT0 - 60,
      kT0 + 5 * 365 * 86400};
}

Device Phone(const std::string& name) {
  Device d;
  d.name = name;
  return d;
}

Device InstallScheduled(const std::string& name) {
  Device d = Phone(name);
  d.operation = Operation::kInstall;
  d.complete_by = kT0 + 3600;
  d.operation_status = std::string(kStatusPending);
  return d;
}

// The fixture of both suites: StoreTest runs on every backend, SqliteStoreTest is about the file.
class StoreFixture : public ::testing::Test {
 protected:
  virtual testing::Backend Which() const = 0;

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-store-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "opencapf.db";
    auto where = testing::StoreUnderTest::Create(Which(), dir_);
    ASSERT_TRUE(where.ok()) << where.message();
    where_.emplace(std::move(*where));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Store& Open() {
    store_.reset();
    auto opened = where_->Open(clock_);
    EXPECT_TRUE(opened.ok()) << opened.message();
    if (opened.ok()) store_ = std::move(*opened);
    return *store_;
  }

  Device MustGet(std::string_view name) {
    auto got = store_->Get(name);
    EXPECT_TRUE(got.ok()) << got.message();
    EXPECT_TRUE(got.ok() && got->has_value()) << name << " not found";
    return got.ok() && got->has_value() ? **got : Device{};
  }

  std::vector<std::string> Names(const DeviceFilter& filter) {
    auto list = store_->List(filter);
    EXPECT_TRUE(list.ok()) << list.message();
    std::vector<std::string> out;
    if (list.ok()) {
      for (const Device& d : *list) out.push_back(d.name);
    }
    return out;
  }

  std::size_t EventCount(std::string_view device) {
    auto h = store_->History(device, 0);
    EXPECT_TRUE(h.ok()) << h.message();
    return h.ok() ? h->size() : 0;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::optional<testing::StoreUnderTest> where_;
  FakeClock clock_{kT0};
  std::unique_ptr<Store> store_;
};

class StoreTest : public StoreFixture, public ::testing::WithParamInterface<testing::Backend> {
 protected:
  testing::Backend Which() const override { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

class SqliteStoreTest : public StoreFixture {
 protected:
  testing::Backend Which() const override { return testing::Backend::kSqlite; }
};

TEST_P(StoreTest, AddThenGetGivesBackEveryField) {
  Store& store = Open();
  Device d = InstallScheduled("SEP001122AABBCC");
  d.auth = AuthMode::kAuthString;
  d.auth_string = "12345678";
  d.key_order = KeyOrder::kEcPreferredRsaBackup;
  d.rsa_bits = 3072;
  d.ec_curve = 384;
  d.lsc_status = LscStatus::kInstalled;
  d.lsc = Cert("0A0B", "SEP001122AABBCC");
  d.pending_lsc = Cert("0C0D", "SEP001122AABBCC");
  d.mic = Cert("0E0F", "SEP001122AABBCC");
  d.encrypted_config = true;
  d.created = 5;  // ignored: the store stamps these
  d.version = 42;
  ASSERT_TRUE(store.Add(d).ok());

  Device back = MustGet("SEP001122AABBCC");
  Device expected = d;
  expected.created = kT0;
  expected.updated = kT0;
  expected.version = 1;
  EXPECT_EQ(back, expected);
}

TEST_P(StoreTest, GetMatchesNamesCaseInsensitivelyAndMissesCleanly) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());
  EXPECT_EQ(MustGet("sep001122aabbcc").name, "SEP001122AABBCC");
  auto missing = store.Get("SEP00112233FFFF");
  ASSERT_TRUE(missing.ok()) << missing.message();
  EXPECT_FALSE(missing->has_value());
  auto nonsense = store.Get("'; DROP TABLE devices; --");
  ASSERT_TRUE(nonsense.ok()) << nonsense.message();
  EXPECT_FALSE(nonsense->has_value());
  EXPECT_EQ(Names({}).size(), 1u);
}

TEST_P(StoreTest, AddRefusesDuplicatesAndInvalidDevices) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());
  auto again = store.Add(Phone("SEP001122AABBCC"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.message(), "not added: device SEP001122AABBCC already exists");

  Device bad = Phone("SEP00112233DDEE");
  bad.rsa_bits = 1000;
  auto invalid = store.Add(bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_THAT(invalid.message(), HasSubstr("not added: SEP00112233DDEE: rsa_bits 1000"));
  EXPECT_EQ(Names({}), std::vector<std::string>{"SEP001122AABBCC"});
}

TEST_P(StoreTest, ListFiltersByEachField) {
  Store& store = Open();
  Device installed = Phone("SEP000000000001");
  installed.lsc_status = LscStatus::kInstalled;
  installed.lsc = Cert("01", "SEP000000000001");
  installed.operation_status = std::string(kStatusUpgradeSuccess);
  Device pending = InstallScheduled("SEP000000000002");
  pending.lsc_status = LscStatus::kPending;
  Device late = InstallScheduled("SEP000000000003");
  late.operation_status = std::string(kStatusUpgradeLate);
  late.auth = AuthMode::kAuthString;
  late.auth_string = "2468";
  Device auth_failed = InstallScheduled("CSFJSMITH");
  auth_failed.operation_status = std::string(kStatusUpgradeAuthenticationFailed);
  auth_failed.auth = AuthMode::kAuthString;
  auth_failed.auth_string = "1357";
  Device plain = Phone("SEP000000000004");
  ASSERT_TRUE(store.AddAll({plain, late, installed, auth_failed, pending}).ok());

  using V = std::vector<std::string>;
  EXPECT_EQ(Names({}), (V{"CSFJSMITH", "SEP000000000001", "SEP000000000002", "SEP000000000003",
                          "SEP000000000004"}));
  EXPECT_EQ(Names({.lsc_status = LscStatus::kInstalled}), (V{"SEP000000000001"}));
  EXPECT_EQ(Names({.lsc_status = LscStatus::kPending}), (V{"SEP000000000002"}));
  EXPECT_EQ(Names({.lsc_status = LscStatus::kNotInstalled}),
            (V{"CSFJSMITH", "SEP000000000003", "SEP000000000004"}));
  EXPECT_EQ(Names({.operation_status = "Operation Pending"}), (V{"SEP000000000002"}));
  EXPECT_EQ(Names({.operation_status = "upgrade success"}), (V{"SEP000000000001"}));
  EXPECT_EQ(Names({.operation_status = std::string(kStatusUpgradeLate)}), (V{"SEP000000000003"}));
  EXPECT_EQ(Names({.operation_status = "Upgrade Failed"}), (V{"CSFJSMITH", "SEP000000000003"}));
  EXPECT_EQ(Names({.operation_status = "Upgrade"}), V{});  // a whole word before ": " only
  EXPECT_EQ(Names({.operation_status = "None"}), (V{"SEP000000000004"}));
  EXPECT_EQ(Names({.auth_string = "2468"}), (V{"SEP000000000003"}));
  EXPECT_EQ(Names({.auth_string = "9999"}), V{});
  EXPECT_EQ(Names({.lsc_status = LscStatus::kNotInstalled,
                   .operation_status = "Upgrade Failed",
                   .auth_string = "1357"}),
            (V{"CSFJSMITH"}));

  // Listed devices carry their certificates.
  auto list = store.List({.lsc_status = LscStatus::kInstalled});
  ASSERT_TRUE(list.ok()) << list.message();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0], MustGet("SEP000000000001"));
  ASSERT_TRUE((*list)[0].lsc.has_value());
  EXPECT_EQ((*list)[0].lsc->serial_hex, "01");
}

TEST_P(StoreTest, SaveWritesStateAndEventAndBumpsVersion) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(InstallScheduled("SEP001122AABBCC")).ok());
  Device d = MustGet("SEP001122AABBCC");
  ASSERT_EQ(d.version, 1);

  clock_.Advance(30);
  d.operation = Operation::kNone;
  d.operation_status = std::string(kStatusUpgradeSuccess);
  d.lsc_status = LscStatus::kInstalled;
  d.lsc = Cert("AB", "SEP001122AABBCC");
  Event e{.peer = "192.0.2.10:51234",
          .operation = "install",
          .result = "success",
          .reason = "LSC stored",
          .duration_ms = 5400};
  auto saved = store.Save(d, e);
  ASSERT_TRUE(saved.ok()) << saved.message();

  Device back = MustGet("SEP001122AABBCC");
  EXPECT_EQ(back.version, 2);
  EXPECT_EQ(back.created, kT0);
  EXPECT_EQ(back.updated, kT0 + 30);
  EXPECT_EQ(back.operation_status, "Upgrade Success");
  EXPECT_EQ(back.lsc, d.lsc);

  auto history = store.History("SEP001122AABBCC", 0);
  ASSERT_TRUE(history.ok()) << history.message();
  ASSERT_EQ(history->size(), 1u);
  const Event& got = (*history)[0];
  EXPECT_GT(got.id, 0);
  EXPECT_EQ(got.device, "SEP001122AABBCC");
  EXPECT_EQ(got.at, kT0 + 30);
  EXPECT_EQ(got.peer, "192.0.2.10:51234");
  EXPECT_EQ(got.result, "success");
  EXPECT_EQ(got.duration_ms, 5400);

  // Certificates are replaced, not merged: clearing one removes it.
  back.lsc_status = LscStatus::kNotInstalled;
  back.lsc.reset();
  back.mic = Cert("CC", "SEP001122AABBCC");
  ASSERT_TRUE(store.Save(back, std::nullopt).ok());
  Device again = MustGet("SEP001122AABBCC");
  EXPECT_FALSE(again.lsc.has_value());
  EXPECT_EQ(again.mic, back.mic);
  EXPECT_EQ(again.version, 3);
  EXPECT_EQ(EventCount("SEP001122AABBCC"), 1u);
}

TEST_P(StoreTest, EncryptedConfigIsOffByDefaultAndSavedBothWays) {
  Store& store = Open();
  ASSERT_TRUE(store.AddAll({Phone("SEP001122AABBCC"), Phone("SEP001122AABBDD")}).ok());
  Device d = MustGet("SEP001122AABBCC");
  EXPECT_FALSE(d.encrypted_config);

  d.encrypted_config = true;
  ASSERT_TRUE(store.Save(d, std::nullopt).ok());
  Device on = MustGet("SEP001122AABBCC");
  EXPECT_TRUE(on.encrypted_config);
  EXPECT_EQ(on.version, 2);
  EXPECT_FALSE(MustGet("SEP001122AABBDD").encrypted_config);  // only the one saved
  auto listed = store.List({});
  ASSERT_TRUE(listed.ok()) << listed.message();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_TRUE((*listed)[0].encrypted_config);
  EXPECT_FALSE((*listed)[1].encrypted_config);
  auto encrypted = store.List({.encrypted_config = true});
  ASSERT_TRUE(encrypted.ok()) << encrypted.message();
  ASSERT_EQ(encrypted->size(), 1u);
  EXPECT_EQ((*encrypted)[0].name, "SEP001122AABBCC");
  auto plain = store.List({.encrypted_config = false});
  ASSERT_TRUE(plain.ok()) << plain.message();
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_EQ((*plain)[0].name, "SEP001122AABBDD");

  on.encrypted_config = false;
  ASSERT_TRUE(store.Save(on, std::nullopt).ok());
  EXPECT_FALSE(MustGet("SEP001122AABBCC").encrypted_config);
}

TEST_P(StoreTest, SaveOfAStaleCopyIsRefusedAndWritesNothing) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(InstallScheduled("SEP001122AABBCC")).ok());
  Device session = MustGet("SEP001122AABBCC");
  Device admin = MustGet("SEP001122AABBCC");

  admin.operation = Operation::kDelete;
  ASSERT_TRUE(store.Save(admin, Event{.operation = "set", .result = "success"}).ok());
  Device after_admin = MustGet("SEP001122AABBCC");

  session.operation_status = std::string(kStatusUpgradeSuccess);
  session.pending_lsc = Cert("77", "SEP001122AABBCC");
  auto stale = store.Save(session, Event{.operation = "install", .result = "success"});
  ASSERT_FALSE(stale.ok());
  EXPECT_THAT(stale.message(),
              HasSubstr("device SEP001122AABBCC was changed by someone else since it was read "
                        "(stored version 2, this copy 1); read it again and redo the change"));
  EXPECT_EQ(MustGet("SEP001122AABBCC"), after_admin);
  EXPECT_EQ(EventCount("SEP001122AABBCC"), 1u);

  // Read again, redo, and it goes through.
  Device fresh = MustGet("SEP001122AABBCC");
  fresh.operation_status = std::string(kStatusDeleteSuccess);
  EXPECT_TRUE(store.Save(fresh, std::nullopt).ok());
}

TEST_P(StoreTest, SaveIsAtomicWhenTheEventCannotBeWritten) {
  Store& store = Open();
  Device original = InstallScheduled("SEP001122AABBCC");
  original.mic = Cert("11", "SEP001122AABBCC");
  ASSERT_TRUE(store.Add(original).ok());
  Device before = MustGet("SEP001122AABBCC");

  // The device update and certificate rows are written first inside the transaction; the
  // event then breaks a CHECK constraint, so everything must roll back.
  Device changed = before;
  changed.operation_status = std::string(kStatusUpgradeSuccess);
  changed.lsc_status = LscStatus::kPending;
  changed.pending_lsc = Cert("22", "SEP001122AABBCC");
  changed.mic.reset();
  Event bad{.operation = "install", .result = "success", .duration_ms = -1};
  clock_.Advance(10);
  auto saved = store.Save(changed, bad);
  ASSERT_FALSE(saved.ok());
  EXPECT_THAT(saved.message(), HasSubstr("saving device SEP001122AABBCC: recording the event"));
  EXPECT_THAT(saved.message(), ContainsRegex("CHECK constraint failed|violates check constraint"));
  EXPECT_THAT(saved.message(), HasSubstr(where_->NameInMessages()));

  EXPECT_EQ(MustGet("SEP001122AABBCC"), before);  // same version, status, certificates
  EXPECT_EQ(EventCount("SEP001122AABBCC"), 0u);

  // The store is still usable and the same copy saves once the event is sane.
  bad.duration_ms = 10;
  ASSERT_TRUE(store.Save(changed, bad).ok());
  EXPECT_EQ(MustGet("SEP001122AABBCC").version, 2);
}

TEST_P(StoreTest, SaveRefusesInvalidDevicesUnknownDevicesAndForeignEvents) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());
  Device d = MustGet("SEP001122AABBCC");

  Device invalid = d;
  invalid.operation = Operation::kInstall;  // no complete_by
  auto s1 = store.Save(invalid, std::nullopt);
  ASSERT_FALSE(s1.ok());
  EXPECT_THAT(s1.message(), HasSubstr("not saved: SEP001122AABBCC: operation install needs"));

  auto s2 = store.Save(d, Event{.device = "SEP999999999999", .result = "x"});
  ASSERT_FALSE(s2.ok());
  EXPECT_THAT(s2.message(), HasSubstr("the event names device SEP999999999999"));

  Device ghost = Phone("SEP0000000000AA");
  ghost.version = 1;
  auto s3 = store.Save(ghost, std::nullopt);
  ASSERT_FALSE(s3.ok());
  EXPECT_THAT(s3.message(), HasSubstr("there is no device SEP0000000000AA"));

  EXPECT_EQ(MustGet("SEP001122AABBCC"), d);
  // An event naming the device in another letter case is the same device.
  EXPECT_TRUE(store.Save(d, Event{.device = "sep001122aabbcc", .result = "ok"}).ok());
}

TEST_P(StoreTest, RemoveTakesCertificatesButKeepsHistory) {
  Store& store = Open();
  Device d = Phone("SEP001122AABBCC");
  d.lsc_status = LscStatus::kInstalled;
  d.lsc = Cert("01", "SEP001122AABBCC");
  ASSERT_TRUE(store.Add(d).ok());
  ASSERT_TRUE(store.Save(MustGet("SEP001122AABBCC"), Event{.result = "success"}).ok());

  ASSERT_TRUE(store.Remove("sep001122aabbcc").ok());
  auto gone = store.Get("SEP001122AABBCC");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(EventCount("SEP001122AABBCC"), 1u);

  // Re-adding does not resurrect the old certificate rows.
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());
  EXPECT_FALSE(MustGet("SEP001122AABBCC").lsc.has_value());

  auto missing = store.Remove("SEP00000000BEEF");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(), "there is no device SEP00000000BEEF to remove");
}

TEST_P(StoreTest, AddAllIsAllOrNothing) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(Phone("SEP000000000009")).ok());

  std::vector<Device> batch;
  for (int i = 1; i <= 5; ++i)
    batch.push_back(InstallScheduled("SEP00000000000" + std::to_string(i)));

  // One invalid device: nothing written.
  auto with_bad = batch;
  with_bad[3].auth = AuthMode::kAuthString;
  with_bad[3].auth_string = "12ab";
  auto s1 = store.AddAll(with_bad);
  ASSERT_FALSE(s1.ok());
  EXPECT_THAT(s1.message(), HasSubstr("nothing imported: SEP000000000004: auth_string '12ab'"));
  EXPECT_EQ(Names({}).size(), 1u);

  // One that already exists: nothing written, and the message names it.
  auto with_existing = batch;
  with_existing.push_back(Phone("SEP000000000009"));
  auto s2 = store.AddAll(with_existing);
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.message(), "nothing imported: 1 of the devices already exist: SEP000000000009");
  EXPECT_EQ(Names({}).size(), 1u);

  // A name given twice: nothing written.
  auto with_twice = batch;
  with_twice.push_back(Phone("SEP000000000002"));
  auto s3 = store.AddAll(with_twice);
  ASSERT_FALSE(s3.ok());
  EXPECT_THAT(s3.message(), HasSubstr("SEP000000000002 is given twice (entries 2 and 6)"));
  EXPECT_EQ(Names({}).size(), 1u);

  // All good: all written, at version 1.
  auto ok = store.AddAll(batch);
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(Names({}).size(), 6u);
  EXPECT_EQ(MustGet("SEP000000000005").version, 1);
  EXPECT_TRUE(store.AddAll({}).ok());
}

TEST_P(StoreTest, AddAllRollsBackWhenAnInsertFailsMidway) {
  Store& store = Open();
  // Nothing valid can fail an insert through the API, so inject the fault into the database:
  // a trigger (made on a second connection) aborts the insert of the 30th device, after 29
  // rows and their certificates are already written in the same transaction.
  if (GetParam() == testing::Backend::kSqlite) {
    auto made = where_->Sql(
        "CREATE TRIGGER fault BEFORE INSERT ON devices WHEN NEW.name = 'SEP00000000001E' "
        "BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
    ASSERT_TRUE(made.ok()) << made.message();
  } else {
    auto made = where_->Sql(
        "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.name = 'SEP00000000001E' THEN RAISE EXCEPTION 'injected fault'; END IF; "
        "RETURN NEW; END $$; "
        "CREATE TRIGGER fault BEFORE INSERT ON devices FOR EACH ROW EXECUTE FUNCTION fault()");
    ASSERT_TRUE(made.ok()) << made.message();
  }
  std::vector<Device> batch;
  for (int i = 1; i <= 50; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "SEP%012X", i);
    Device d = Phone(name);
    d.mic = Cert("01", name);
    batch.push_back(d);
  }
  auto s = store.AddAll(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("importing 50 devices: SEP00000000001E: injected fault"));
  EXPECT_EQ(Names({}).size(), 0u);
  auto certificates = where_->Sql("SELECT count(*) FROM certificates");
  ASSERT_TRUE(certificates.ok()) << certificates.message();
  EXPECT_EQ(*certificates, 0);
}

TEST_P(StoreTest, EventsForUnknownDevicesAndHistoryOrder) {
  Store& store = Open();
  ASSERT_TRUE(store
                  .AppendEvent(Event{.device = "sep0000000000ff",
                                     .peer = "198.51.100.7:40000",
                                     .operation = "install",
                                     .result = "refused",
                                     .reason = "unknown device"})
                  .ok());
  clock_.Advance(60);
  ASSERT_TRUE(store.AppendEvent(Event{.device = "SEP0000000000FF", .result = "refused"}).ok());
  ASSERT_TRUE(
      store.AppendEvent(Event{.device = "SEP0000000000FF", .at = kT0 - 3600, .result = "old"})
          .ok());
  ASSERT_TRUE(store.AppendEvent(Event{.device = "", .result = "garbage"}).ok());

  auto all = store.History("SEP0000000000FF", 0);
  ASSERT_TRUE(all.ok()) << all.message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].at, kT0 + 60);  // newest first
  EXPECT_EQ((*all)[1].at, kT0);
  EXPECT_EQ((*all)[1].peer, "198.51.100.7:40000");
  EXPECT_EQ((*all)[1].device, "SEP0000000000FF");  // normalized
  EXPECT_EQ((*all)[2].result, "old");

  auto two = store.History("sep0000000000ff", 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  EXPECT_EQ(EventCount(""), 1u);
  auto bad = store.AppendEvent(Event{.device = "SEP0000000000FF", .duration_ms = -5});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr("recording an event for SEP0000000000FF"));
}

TEST_P(StoreTest, ReopenedDatabaseHoldsTheData) {
  {
    Store& store = Open();
    Device d = InstallScheduled("SEP001122AABBCC");
    d.mic = Cert("99", "SEP001122AABBCC");
    ASSERT_TRUE(store.Add(d).ok());
    ASSERT_TRUE(store.AppendEvent(Event{.device = "SEP001122AABBCC", .result = "x"}).ok());
    store_.reset();
  }
  Store& store = Open();
  Device back = MustGet("SEP001122AABBCC");
  EXPECT_EQ(back.complete_by, kT0 + 3600);
  ASSERT_TRUE(back.mic.has_value());
  EXPECT_EQ(back.mic->serial_hex, "99");
  EXPECT_EQ(EventCount("SEP001122AABBCC"), 1u);
  (void)store;
}

TEST_F(SqliteStoreTest, NewFileIsPrivateWalAndMigrated) {
  mode_t old = ::umask(0);  // even a permissive umask must not widen the mode
  Store& store = Open();
  ::umask(old);
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());  // creates the -wal file

  for (const char* suffix : {"", "-wal", "-shm"}) {
    auto file = path_;
    file += suffix;
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }

  auto db = sqlite::Database::Open(path_, 1000);
  ASSERT_TRUE(db.ok()) << db.message();
  EXPECT_EQ(*db->QueryInt("PRAGMA user_version", "test"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(*db->QueryInt("PRAGMA application_id", "test"), sqlite::kApplicationId);
  auto mode = db->Prepare("PRAGMA journal_mode", "test");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step("test"));
  EXPECT_EQ(mode->Text(0), "wal");
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                          "('devices', 'certificates', 'events')",
                          "test"),
            3);
}

TEST_F(SqliteStoreTest, AVersion4DatabaseGainsEncryptedConfigOffForItsDevices) {
  {
    // What the release before Encrypted Configuration left: schema version 4, one device.
    auto db = sqlite::Database::Open(path_, 1000);
    ASSERT_TRUE(db.ok()) << db.message();
    ASSERT_TRUE(sqlite::Migrate(*db, sqlite::Migrations().first(4)).ok());
    ASSERT_EQ(*db->QueryInt("PRAGMA user_version", "test"), 4);
    ASSERT_TRUE(db->Exec("INSERT INTO devices (name, operation, auth, auth_string, key_order, "
                         "rsa_bits, ec_curve, complete_by, operation_status, lsc_status, created, "
                         "updated, version) VALUES ('SEP001122AABBCC', 'none', 'null-string', "
                         "NULL, 'rsa', 2048, 256, NULL, 'None', 'not-installed', 1796119200, "
                         "1796119200, 2)",
                         "test")
                    .ok());
  }
  Store& store = Open();
  Device d = MustGet("SEP001122AABBCC");
  EXPECT_FALSE(d.encrypted_config);
  EXPECT_EQ(d.version, 2);
  d.encrypted_config = true;
  ASSERT_TRUE(store.Save(d, std::nullopt).ok());
  EXPECT_TRUE(MustGet("SEP001122AABBCC").encrypted_config);

  auto db = sqlite::Database::Open(path_, 1000);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryInt("PRAGMA user_version", "test"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(*db->QueryInt("SELECT encrypted_config FROM devices", "test"), 1);
  // Only 0 and 1, whoever writes the file.
  EXPECT_FALSE(db->Exec("UPDATE devices SET encrypted_config = 2", "test").ok());
}

TEST_F(SqliteStoreTest, EmptyExistingFileIsMigrated) {
  { std::ofstream(path_).flush(); }
  Store& store = Open();
  EXPECT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());
}

TEST_F(SqliteStoreTest, DatabaseFromTheFutureIsRefused) {
  { Open(); }
  store_.reset();
  {
    auto db = sqlite::Database::Open(path_, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->Exec("PRAGMA user_version = " + std::to_string(sqlite::LatestSchemaVersion() + 1),
                 "test")
            .ok());
  }
  auto opened = OpenSqliteStore(path_, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.message(),
              HasSubstr("has schema version " + std::to_string(sqlite::LatestSchemaVersion() + 1) +
                        ", newer than the " + std::to_string(sqlite::LatestSchemaVersion()) +
                        " this opencapf knows"));
  EXPECT_THAT(opened.message(), HasSubstr(path_.string()));
}

TEST_F(SqliteStoreTest, OtherFilesAreRefused) {
  {
    std::ofstream junk(path_);
    junk << "this is not a database, it is a text file that happens to be long enough to "
            "have a header page......................................................";
  }
  auto text = OpenSqliteStore(path_, clock_);
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.message(), HasSubstr("not an SQLite database"));

  auto other = dir_ / "other.db";
  {
    auto db = sqlite::Database::Open(other, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE contacts (name TEXT)", "test").ok());
  }
  auto foreign = OpenSqliteStore(other, clock_);
  ASSERT_FALSE(foreign.ok());
  EXPECT_THAT(foreign.message(), HasSubstr("already holds tables but is not an opencapf store"));

  auto nowhere = OpenSqliteStore(dir_ / "missing-dir" / "x.db", clock_);
  ASSERT_FALSE(nowhere.ok());
  EXPECT_THAT(nowhere.message(), HasSubstr("cannot create the database: No such file"));
}

TEST_P(StoreTest, TwoConnectionsSeeEachOthersVersions) {
  Store& a = Open();
  ASSERT_TRUE(a.Add(InstallScheduled("SEP001122AABBCC")).ok());
  auto opened = where_->Open(clock_);
  ASSERT_TRUE(opened.ok()) << opened.message();
  Store& b = **opened;

  auto from_b = b.Get("SEP001122AABBCC");
  ASSERT_TRUE(from_b.ok() && from_b->has_value());
  Device copy_a = MustGet("SEP001122AABBCC");
  ASSERT_TRUE(a.Save(copy_a, std::nullopt).ok());
  auto stale = b.Save(**from_b, std::nullopt);
  ASSERT_FALSE(stale.ok());
  EXPECT_THAT(stale.message(), HasSubstr("changed by someone else"));
}

TEST_F(SqliteStoreTest, ALockHeldElsewhereFailsAfterTheBusyTimeoutAndSaysSo) {
  Open();
  store_.reset();
  auto opened = OpenSqliteStore(path_, clock_, {.busy_timeout = std::chrono::milliseconds(100)});
  ASSERT_TRUE(opened.ok()) << opened.message();
  auto other = sqlite::Database::Open(path_, 1000);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE", "test").ok());  // another writer holds the lock

  auto blocked = (*opened)->Add(Phone("SEP001122AABBCC"));
  ASSERT_FALSE(blocked.ok());
  EXPECT_THAT(blocked.message(), HasSubstr("adding device SEP001122AABBCC: database is locked"));
  EXPECT_THAT(blocked.message(), HasSubstr("longer than the busy timeout"));
  // Readers are not blocked by a writer in WAL mode.
  auto read = (*opened)->List({});
  EXPECT_TRUE(read.ok()) << read.message();

  ASSERT_TRUE(other->Exec("ROLLBACK", "test").ok());
  EXPECT_TRUE((*opened)->Add(Phone("SEP001122AABBCC")).ok());
}

TEST_P(StoreTest, ConcurrentWritersFromManyThreadsLoseNothing) {
  Store& store = Open();
  ASSERT_TRUE(store.Add(InstallScheduled("SEP001122AABBCC")).ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach;) {
        auto got = store.Get("SEP001122AABBCC");
        if (!got.ok() || !got->has_value()) return;
        Device d = **got;
        d.operation_status = "Operation Pending";
        auto s = store.Save(d, Event{.peer = std::to_string(t), .result = std::to_string(i)});
        if (s.ok()) {
          ++i;
        } else {
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(MustGet("SEP001122AABBCC").version, 1 + kThreads * kEach);
  EXPECT_EQ(EventCount("SEP001122AABBCC"), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace opencapf::store
