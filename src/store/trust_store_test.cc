// The trust store behind TVS: adding, replacing, listing, removing trusted certificates, the
// generation a running server watches, and the schema step that brings a version 1 file to it.
#include <unistd.h>

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/sqlite.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store/testing/store_under_test.h"

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

constexpr std::time_t kT0 = 1'796'119'200;  // 2026-12-01T10:00:00Z

/// A fake certificate: the store never parses DER, it keys by the hash the caller gives.
TrustedCertificate Entry(char digit, const std::string& cn, std::vector<std::uint16_t> roles,
                         TrustSource source = TrustSource::kAdmin) {
  TrustedCertificate t;
  t.sha256 = std::string(64, digit);
  t.der = Bytes{0x30, 0x03, 0x02, 0x01, static_cast<std::uint8_t>(digit)};
  t.subject = "CN=" + cn + ",O=Example";
  t.issuer = "CN=Issuer";
  t.not_before = kT0 - 60;
  t.not_after = kT0 + 365 * 86400;
  t.roles = std::move(roles);
  t.source = source;
  return t;
}

// TrustStoreTest runs on every backend; SqliteTrustStoreTest is about the file's schema steps.
class TrustFixture : public ::testing::Test {
 protected:
  virtual testing::Backend Which() const = 0;

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    dir_ = std::filesystem::temp_directory_path() /
           ("opencapf-trust-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "opencapf.db";
    auto where = testing::StoreUnderTest::Create(Which(), dir_);
    ASSERT_TRUE(where.ok()) << where.message();
    where_.emplace(std::move(*where));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    auto opened = where_->Open(clock_);
    EXPECT_TRUE(opened.ok()) << opened.message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  static std::int64_t Generation(Store& store) {
    auto g = store.TrustGeneration();
    EXPECT_TRUE(g.ok()) << g.message();
    return g.ok() ? *g : -1;
  }

  static std::vector<std::string> Subjects(Store& store) {
    auto list = store.ListTrusted();
    EXPECT_TRUE(list.ok()) << list.message();
    std::vector<std::string> out;
    if (list.ok())
      for (const auto& e : *list) out.push_back(e.subject);
    return out;
  }

  FakeClock clock_{kT0};
  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::optional<testing::StoreUnderTest> where_;
};

class TrustStoreTest : public TrustFixture, public ::testing::WithParamInterface<testing::Backend> {
 protected:
  testing::Backend Which() const override { return GetParam(); }
};
INSTANTIATE_TEST_SUITE_P(Backends, TrustStoreTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

class SqliteTrustStoreTest : public TrustFixture {
 protected:
  testing::Backend Which() const override { return testing::Backend::kSqlite; }
};

TEST_P(TrustStoreTest, PutFindListAndReplace) {
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(Generation(*store), 0);
  EXPECT_TRUE(store->ListTrusted()->empty());

  TrustedCertificate pub = Entry('a', "pub1", {1, 3});
  auto added = store->PutTrusted(pub);
  ASSERT_TRUE(added.ok()) << added.message();
  EXPECT_EQ(*added, TrustChange::kAdded);
  const std::int64_t after_add = Generation(*store);
  EXPECT_GT(after_add, 0);

  // Found by any spelling of the hash; stored with the time it was added.
  auto found = store->FindTrusted(
      "AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:"
      "AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA");
  ASSERT_TRUE(found.ok()) << found.message();
  ASSERT_TRUE(found->has_value());
  TrustedCertificate expected = pub;
  expected.added = kT0;
  EXPECT_EQ(**found, expected);
  EXPECT_FALSE(store->FindTrusted(std::string(64, 'b'))->has_value());
  EXPECT_FALSE(store->FindTrusted("abc").ok()) << "a lookup needs the whole hash";

  // The same entry again changes nothing, not even the generation.
  auto again = store->PutTrusted(pub);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, TrustChange::kUnchanged);
  EXPECT_EQ(Generation(*store), after_add);

  // New roles and TTL replace the old; `added` stays.
  clock_.Advance(100);
  pub.roles = {2};
  pub.ttl = 600;
  auto updated = store->PutTrusted(pub);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(*updated, TrustChange::kUpdated);
  EXPECT_GT(Generation(*store), after_add);
  auto reread = store->FindTrusted(pub.sha256);
  ASSERT_TRUE(reread.ok() && reread->has_value());
  EXPECT_EQ((*reread)->roles, (std::vector<std::uint16_t>{2}));
  EXPECT_EQ((*reread)->ttl, 600u);
  EXPECT_EQ((*reread)->added, kT0);

  ASSERT_TRUE(store->PutTrusted(Entry('c', "alpha", {21})).ok());
  EXPECT_EQ(Subjects(*store),
            (std::vector<std::string>{"CN=alpha,O=Example", "CN=pub1,O=Example"}));
}

TEST_P(TrustStoreTest, InvalidEntriesAreRefusedAndNothingIsWritten) {
  auto store = Open();
  ASSERT_TRUE(store);
  TrustedCertificate bad = Entry('a', "pub1", {1});
  bad.sha256 = std::string(64, 'A');
  EXPECT_THAT(store->PutTrusted(bad).message(), HasSubstr("not 64 lowercase hex digits"));
  bad = Entry('a', "pub1", {});
  EXPECT_THAT(store->PutTrusted(bad).message(), HasSubstr("no role"));
  bad = Entry('a', "pub1", {1, 300});
  EXPECT_THAT(store->PutTrusted(bad).message(), HasSubstr("does not fit in the byte"));
  bad = Entry('a', "pub1", {1, 1});
  EXPECT_THAT(store->PutTrusted(bad).message(), HasSubstr("given twice"));
  bad = Entry('a', "pub1", {1});
  bad.der.clear();
  EXPECT_THAT(store->PutTrusted(bad).message(), HasSubstr("no certificate"));
  EXPECT_TRUE(store->ListTrusted()->empty());
  EXPECT_EQ(Generation(*store), 0);
}

TEST_P(TrustStoreTest, RemoveByHashOrUniquePrefix) {
  auto store = Open();
  ASSERT_TRUE(store);
  TrustedCertificate one = Entry('1', "one", {1});
  one.sha256 = "0123456789" + std::string(54, 'a');
  TrustedCertificate two = Entry('2', "two", {3});
  two.sha256 = "0123456780" + std::string(54, 'b');
  TrustedCertificate three = Entry('3', "three", {4});
  ASSERT_TRUE(store->PutTrusted(one).ok());
  ASSERT_TRUE(store->PutTrusted(two).ok());
  ASSERT_TRUE(store->PutTrusted(three).ok());

  auto short_prefix = store->RemoveTrusted("0123456");
  ASSERT_FALSE(short_prefix.ok());
  EXPECT_THAT(short_prefix.message(), HasSubstr("at least its 8 first hex digits"));

  auto ambiguous = store->RemoveTrusted("01234567");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_THAT(ambiguous.message(),
              HasSubstr("2 trusted certificates have a SHA-256 starting with"));
  EXPECT_THAT(ambiguous.message(), HasSubstr("CN=one"));
  EXPECT_THAT(ambiguous.message(), HasSubstr("CN=two"));

  auto none = store->RemoveTrusted("ffffffff");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.message(), HasSubstr("no trusted certificate has a SHA-256 starting with"));
  EXPECT_FALSE(store->RemoveTrusted("not hex!").ok());

  const std::int64_t before = Generation(*store);
  auto removed = store->RemoveTrusted("01:23:45:67:89");
  ASSERT_TRUE(removed.ok()) << removed.message();
  EXPECT_EQ(removed->subject, "CN=one,O=Example");
  EXPECT_GT(Generation(*store), before);

  auto whole = store->RemoveTrusted(three.sha256);
  ASSERT_TRUE(whole.ok()) << whole.message();
  EXPECT_EQ(Subjects(*store), (std::vector<std::string>{"CN=two,O=Example"}));
  EXPECT_FALSE(store->RemoveTrusted(three.sha256).ok());
}

TEST_P(TrustStoreTest, AnotherProcessSeesEveryChangeThroughTheGeneration) {
  auto server = Open();  // the running TVS
  auto cli = Open();     // `opencapf trust` in another process
  ASSERT_TRUE(server && cli);
  const std::int64_t start = Generation(*server);

  ASSERT_TRUE(cli->PutTrusted(Entry('a', "pub1", {1, 3})).ok());
  const std::int64_t added = Generation(*server);
  EXPECT_NE(added, start);
  EXPECT_TRUE(server->FindTrusted(std::string(64, 'a'))->has_value());

  ASSERT_TRUE(cli->RemoveTrusted(std::string(64, 'a')).ok());
  EXPECT_NE(Generation(*server), added);
  EXPECT_FALSE(server->FindTrusted(std::string(64, 'a'))->has_value());

  // Even a change made in the database's own shell (sqlite3, psql) moves it: triggers, not
  // store code, bump it.
  const std::int64_t before_shell = Generation(*server);
  const std::string der = GetParam() == testing::Backend::kSqlite ? "x'3000'" : "'\\x3000'";
  auto inserted = where_->Sql("INSERT INTO trusted_certificates VALUES ('" + std::string(64, 'd') +
                              "', " + der + ", 'CN=shell', 'CN=shell', 0, 1, '1', 60, 'admin', 0)");
  ASSERT_TRUE(inserted.ok()) << inserted.message();
  EXPECT_NE(Generation(*server), before_shell);
  EXPECT_EQ(Subjects(*server), (std::vector<std::string>{"CN=shell"}));
}

TEST_P(TrustStoreTest, ServiceCertificatesReplaceTheirPredecessorsOnly) {
  auto store = Open();
  ASSERT_TRUE(store);
  // An administrator trusts another CAPF too; it must survive the service's own changes.
  ASSERT_TRUE(store->PutTrusted(Entry('e', "other-capf", {4})).ok());

  const std::vector<TrustedCertificate> first = {
      Entry('1', "callmanager", {2}), Entry('2', "CAPF-11111111", {4}), Entry('3', "tvs", {21})};
  auto seeded = store->ReplaceServiceTrusted(first);
  ASSERT_TRUE(seeded.ok()) << seeded.message();
  EXPECT_EQ(*seeded, TrustChange::kAdded);
  const std::int64_t generation = Generation(*store);

  auto again = store->ReplaceServiceTrusted(first);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, TrustChange::kUnchanged);
  EXPECT_EQ(Generation(*store), generation) << "seeding at every start must not look like a change";

  // The CAPF certificate was regenerated.
  const std::vector<TrustedCertificate> second = {
      Entry('1', "callmanager", {2}), Entry('4', "CAPF-22222222", {4}), Entry('3', "tvs", {21})};
  auto replaced = store->ReplaceServiceTrusted(second);
  ASSERT_TRUE(replaced.ok()) << replaced.message();
  EXPECT_EQ(*replaced, TrustChange::kAdded);
  EXPECT_EQ(Subjects(*store),
            (std::vector<std::string>{"CN=CAPF-22222222,O=Example", "CN=callmanager,O=Example",
                                      "CN=other-capf,O=Example", "CN=tvs,O=Example"}));
  auto capf = store->FindTrusted(std::string(64, '4'));
  ASSERT_TRUE(capf.ok() && capf->has_value());
  EXPECT_EQ((*capf)->source, TrustSource::kService);

  // An administrator's entry for the same certificate becomes a service entry.
  ASSERT_TRUE(store->PutTrusted(Entry('3', "tvs", {21, 1})).ok());
  ASSERT_TRUE(store->ReplaceServiceTrusted(second).ok());
  auto tvs = store->FindTrusted(std::string(64, '3'));
  ASSERT_TRUE(tvs.ok() && tvs->has_value());
  EXPECT_EQ((*tvs)->roles, (std::vector<std::uint16_t>{21}));
  EXPECT_EQ((*tvs)->source, TrustSource::kService);

  auto twice = store->ReplaceServiceTrusted({Entry('1', "a", {2}), Entry('1', "a", {21})});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.message(), HasSubstr("is given twice"));
}

TEST_F(SqliteTrustStoreTest, AVersion1DatabaseGainsTheTrustStoreAndKeepsItsDevices) {
  {
    // What the previous release left: schema version 1, a device with its LSC, an event.
    auto db = sqlite::Database::Open(path_, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA journal_mode = WAL", "test").ok());
    ASSERT_TRUE(sqlite::Migrate(*db, sqlite::Migrations().first(1)).ok());
    ASSERT_EQ(*db->QueryInt("PRAGMA user_version", "test"), 1);
    ASSERT_TRUE(
        db->Exec("INSERT INTO devices VALUES ('SEP001122334455', 'install', 'auth-string', "
                 "'123456', 'rsa', 2048, 256, 1796122800, 'Pending', 'installed', 1796119200, "
                 "1796119200, 3);"
                 "INSERT INTO certificates VALUES ('SEP001122334455', 'lsc', 'PEM', 'ABCD', "
                 "'CN=SEP001122334455', 'CN=CAPF-0a1b2c3d', 1796119000, 1953799200);"
                 "INSERT INTO events (device, at, peer, operation, result, reason, duration_ms) "
                 "VALUES ('SEP001122334455', 1796119200, '192.0.2.10:5000', 'install', "
                 "'success', 'LSC ABCD installed', 1500)",
                 "test")
            .ok());
  }
  auto store = Open();
  ASSERT_TRUE(store);
  {
    auto db = sqlite::Database::Open(path_, 1000);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*db->QueryInt("PRAGMA user_version", "test"), sqlite::LatestSchemaVersion());
    EXPECT_GE(sqlite::LatestSchemaVersion(), 2);
  }
  auto device = store->Get("SEP001122334455");
  ASSERT_TRUE(device.ok()) << device.message();
  ASSERT_TRUE(device->has_value());
  EXPECT_EQ((*device)->operation, Operation::kInstall);
  EXPECT_EQ((*device)->auth_string, "123456");
  EXPECT_EQ((*device)->version, 3);
  EXPECT_FALSE((*device)->encrypted_config);  // schema 5 adds it, off
  ASSERT_TRUE((*device)->lsc.has_value());
  EXPECT_EQ((*device)->lsc->serial_hex, "ABCD");
  auto history = store->History("SEP001122334455", 0);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].reason, "LSC ABCD installed");

  EXPECT_TRUE(store->ListTrusted()->empty());
  EXPECT_EQ(Generation(*store), 0);
  ASSERT_TRUE(store->PutTrusted(Entry('a', "pub1", {1, 3})).ok());
  EXPECT_EQ(Subjects(*store), (std::vector<std::string>{"CN=pub1,O=Example"}));
}

TEST(TrustedCertificateText, RolesAndHashes) {
  EXPECT_EQ(RolesToText({1, 3}), "1,3");
  EXPECT_EQ(*RolesFromText("1,3,21"), (std::vector<std::uint16_t>{1, 3, 21}));
  EXPECT_FALSE(RolesFromText("1,,3").ok());
  EXPECT_FALSE(RolesFromText("1,x").ok());
  EXPECT_EQ(*NormalizeSha256("AB:cd 01"), "abcd01");
  EXPECT_FALSE(NormalizeSha256("").ok());
  EXPECT_FALSE(NormalizeSha256(std::string(65, 'a')).ok());
  EXPECT_EQ(*ParseTrustSource("service"), TrustSource::kService);
  EXPECT_FALSE(ParseTrustSource("root").ok());
}

}  // namespace
}  // namespace opencapf::store
