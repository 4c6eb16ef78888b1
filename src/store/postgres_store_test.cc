// What only the PostgreSQL store does: migrating a database that several nodes open at once,
// refusing databases it must not touch, failing fast while the server is away and carrying on
// by itself when it is back. Everything the two backends share is tested on both in
// sqlite_store_test.cc, trust_store_test.cc, revocation_test.cc and admin_store_test.cc.

#include "store/postgres_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/postgres_schema.h"
#include "store/sqlite_store.h"
#include "store/sqlite_to_postgres.h"
#include "store/testing/postgres_server.h"

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

constexpr std::time_t kStart = 1'796'119'200;  // 2026-12-01T10:00:00Z

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedPostgresServer();
    ASSERT_TRUE(server.ok()) << server.message();
    server_ = *server;
    auto url = server_->CreateDatabase();
    ASSERT_TRUE(url.ok()) << url.message();
    url_ = *url;
    database_ = url_.substr(url_.rfind('/') + 1);
  }

  std::string Sql(const std::string& sql) {
    auto out = server_->Query(sql, database_);
    EXPECT_TRUE(out.ok()) << out.message();
    return out.ok() ? *out : "";
  }

  static Device Phone(const std::string& name) {
    Device d;
    d.name = name;
    d.operation = Operation::kInstall;
    d.complete_by = kStart + 3600;
    d.operation_status = std::string(kStatusPending);
    return d;
  }

  testing::PostgresServer* server_ = nullptr;
  std::string url_;
  std::string database_;
  FakeClock clock_{kStart};
};

TEST_F(PostgresStoreTest, NodesStartingAtOnceOnAnEmptyDatabaseMigrateItOnce) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<Store>> stores(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      auto opened = OpenPostgresStore(url_, clock_);
      if (opened.ok()) {
        stores[i] = std::move(*opened);
      } else {
        errors[i] = opened.message();
      }
    });
  }
  for (auto& t : nodes) t.join();
  for (int i = 0; i < kNodes; ++i) EXPECT_TRUE(stores[i]) << errors[i];
  EXPECT_EQ(Sql("SELECT count(*) FROM opencapf_schema"), std::to_string(pg::LatestSchemaVersion()));
  EXPECT_EQ(Sql("SELECT max(version) FROM opencapf_schema"),
            std::to_string(pg::LatestSchemaVersion()));
  // And they all work on the one schema.
  ASSERT_TRUE(stores[0]->Add(Phone("SEP001122AABBCC")).ok());
  auto seen = stores[kNodes - 1]->Get("SEP001122AABBCC");
  ASSERT_TRUE(seen.ok()) << seen.message();
  EXPECT_TRUE(seen->has_value());
}

TEST_F(PostgresStoreTest, ADatabaseFromTheFutureIsRefused) {
  { ASSERT_TRUE(OpenPostgresStore(url_, clock_).ok()); }
  Sql("INSERT INTO opencapf_schema VALUES (" + std::to_string(pg::LatestSchemaVersion() + 1) +
      ", 'from the future', 0)");
  auto opened = OpenPostgresStore(url_, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.message(),
              HasSubstr("has schema version " + std::to_string(pg::LatestSchemaVersion() + 1) +
                        ", newer than the " + std::to_string(pg::LatestSchemaVersion()) +
                        " this opencapf knows"));
  EXPECT_THAT(opened.message(), HasSubstr("/" + database_));
}

TEST_F(PostgresStoreTest, AVersion2DatabaseGainsEncryptedConfigOffForItsDevices) {
  {
    // What the release before Encrypted Configuration left: schema version 2, one device.
    auto conn = pg::Connection::Open(url_, std::chrono::seconds(10));
    ASSERT_TRUE(conn.ok()) << conn.message();
    ASSERT_TRUE(pg::Migrate(*conn, pg::Migrations().first(2)).ok());
  }
  EXPECT_EQ(Sql("SELECT max(version) FROM opencapf_schema"), "2");
  Sql("INSERT INTO devices (name, operation, auth, auth_string, key_order, rsa_bits, ec_curve, "
      "complete_by, operation_status, lsc_status, created, updated, version) VALUES "
      "('SEP001122AABBCC', 'none', 'null-string', NULL, 'rsa', 2048, 256, NULL, 'None', "
      "'not-installed', 1796119200, 1796119200, 2)");

  auto opened = OpenPostgresStore(url_, clock_);
  ASSERT_TRUE(opened.ok()) << opened.message();
  EXPECT_EQ(Sql("SELECT max(version) FROM opencapf_schema"),
            std::to_string(pg::LatestSchemaVersion()));
  auto got = (*opened)->Get("SEP001122AABBCC");
  ASSERT_TRUE(got.ok() && got->has_value()) << got.message();
  Device d = **got;
  EXPECT_FALSE(d.encrypted_config);
  EXPECT_EQ(d.version, 2);
  d.encrypted_config = true;
  ASSERT_TRUE((*opened)->Save(d, std::nullopt).ok());
  EXPECT_EQ(Sql("SELECT encrypted_config FROM devices"), "t");
  EXPECT_TRUE((**(*opened)->Get("SEP001122AABBCC")).encrypted_config);
}

TEST_F(PostgresStoreTest, ADatabaseOfSomethingElseIsRefusedAndLeftAlone) {
  Sql("CREATE TABLE contacts (name TEXT)");
  auto opened = OpenPostgresStore(url_, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.message(), HasSubstr("already holds tables but is not an opencapf store"));
  EXPECT_EQ(Sql("SELECT count(*) FROM pg_tables WHERE tablename = 'opencapf_schema'"), "0");
}

TEST_F(PostgresStoreTest, NoServerThereFailsAtOnceAndSaysWhatToCheck) {
  // A port nothing listens on: the server's own, once it is stopped would do too, but a port
  // that never had a server keeps this test independent of the others.
  const std::string url = "postgresql://opencapf@127.0.0.1:1/opencapf";
  const auto start = std::chrono::steady_clock::now();
  auto opened = OpenPostgresStore(url, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(opened.message(), HasSubstr("postgresql 127.0.0.1:1/opencapf: cannot connect"));
  EXPECT_THAT(opened.message(), HasSubstr("[store] url in opencapf.toml"));
}

TEST_F(PostgresStoreTest, WhileTheServerIsDownCallsFailAtOnceAndAfterwardsWorkAgain) {
  // A server of its own: stopping the shared one would break the tests running beside it.
  auto own = testing::PostgresServer::Start();
  ASSERT_TRUE(own.ok()) << own.message();
  testing::PostgresServer* server = own->get();
  auto url = server->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.message();
  const std::string database = url->substr(url->rfind('/') + 1);
  auto opened = OpenPostgresStore(*url, clock_);
  ASSERT_TRUE(opened.ok()) << opened.message();
  Store& store = **opened;
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());

  ASSERT_TRUE(server->Stop().ok());
  const auto start = std::chrono::steady_clock::now();
  auto down = store.Get("SEP001122AABBCC");
  ASSERT_FALSE(down.ok());
  EXPECT_THAT(down.message(), HasSubstr("/" + database));
  auto save = store.Add(Phone("SEP001122AABBDD"));
  ASSERT_FALSE(save.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  ASSERT_TRUE(server->Restart().ok());
  // The same store object reconnects on its own: no reopen, no restart of its owner.
  auto back = store.Get("SEP001122AABBCC");
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_TRUE(back->has_value());
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBDD")).ok());
  auto list = store.List({});
  ASSERT_TRUE(list.ok()) << list.message();
  EXPECT_EQ(list->size(), 2u);  // the failed Add wrote nothing
}

TEST_F(PostgresStoreTest, TwoNodesRacingForOneScheduledDeviceGiveItToExactlyOne) {
  auto a = OpenPostgresStore(url_, clock_);
  auto b = OpenPostgresStore(url_, clock_);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Add(Phone("SEP001122AABBCC")).ok());
  for (int round = 0; round < 20; ++round) {
    auto copy_a = (*a)->Get("SEP001122AABBCC");
    auto copy_b = (*b)->Get("SEP001122AABBCC");
    ASSERT_TRUE(copy_a.ok() && copy_b.ok());
    Device da = **copy_a, db = **copy_b;
    da.operation_status = "Upgrade Success";
    db.operation_status = "Upgrade Success";
    Status sa, sb;
    std::thread ta([&] { sa = (*a)->Save(da, Event{.operation = "install", .result = "a"}); });
    std::thread tb([&] { sb = (*b)->Save(db, Event{.operation = "install", .result = "b"}); });
    ta.join();
    tb.join();
    EXPECT_NE(sa.ok(), sb.ok()) << "round " << round << ": " << sa.message() << " / "
                                << sb.message();
    const Status& lost = sa.ok() ? sb : sa;
    EXPECT_THAT(lost.message(), HasSubstr("changed by someone else"));
  }
  auto history = (*a)->History("SEP001122AABBCC", 0);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 20u);
  EXPECT_EQ((**(*a)->Get("SEP001122AABBCC")).version, 21);
}

TEST_F(PostgresStoreTest, TheUrlIsNamedWithoutItsPassword) {
  const std::string url = "postgresql://opencapf:s3cret-passw0rd@127.0.0.1:1/opencapf";
  auto opened = OpenPostgresStore(url, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.message(), ::testing::Not(HasSubstr("s3cret-passw0rd")));
}

TEST_F(PostgresStoreTest, AfterAFailoverToTheStandbyTheStoreCarriesOnByItself) {
  // A primary of its own (it is stopped below) with a streaming standby; the store is given
  // both on a multi-host URL that wants the one that takes writes.
  auto primary = testing::PostgresServer::Start();
  ASSERT_TRUE(primary.ok()) << primary.message();
  auto url = (*primary)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.message();
  const std::string database = url->substr(url->rfind('/') + 1);
  auto standby = testing::PostgresServer::StartStandby(**primary);
  ASSERT_TRUE(standby.ok()) << standby.message();
  const std::string both = "postgresql://opencapf@127.0.0.1:" + std::to_string((*primary)->port()) +
                           ",127.0.0.1:" + std::to_string((*standby)->port()) + "/" + database +
                           "?target_session_attrs=read-write&connect_timeout=2";
  auto opened = OpenPostgresStore(both, clock_);
  ASSERT_TRUE(opened.ok()) << opened.message();
  Store& store = **opened;
  ASSERT_TRUE(store.Add(Phone("SEP001122AABBCC")).ok());
  ASSERT_TRUE(store
                  .PutTrusted({.sha256 = std::string(64, 'a'),
                               .der = Bytes{0x30, 0x00},
                               .subject = "CN=before",
                               .issuer = "CN=before",
                               .not_before = kStart - 60,
                               .not_after = kStart + 86400,
                               .roles = {1}})
                  .ok());
  // The standby has replayed what was committed before the primary goes.
  for (int i = 0; i < 100; ++i) {
    auto seen = (*standby)->Query("SELECT count(*) FROM devices", database);
    if (seen.ok() && *seen == "1") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  ASSERT_TRUE((*primary)->Stop().ok());
  ASSERT_TRUE((*standby)->Promote().ok());

  // The first call may find its connection broken and reconnect; it must not take more than
  // one retry, and nothing committed before is lost.
  auto device = store.Get("SEP001122AABBCC");
  ASSERT_TRUE(device.ok()) << device.message();
  ASSERT_TRUE(device->has_value());
  Device changed = **device;
  changed.operation_status = "Upgrade Success";
  Status saved = store.Save(changed, Event{.operation = "install", .result = "after failover"});
  ASSERT_TRUE(saved.ok()) << saved.message();
  EXPECT_EQ((**store.Get("SEP001122AABBCC")).version, 2);
  EXPECT_EQ(store.ListTrusted()->size(), 1u);
  EXPECT_EQ(*(*standby)->Query("SELECT count(*) FROM events", database), "1");
}

TEST_F(PostgresStoreTest, TheClusterIsCreatedOnceAndItsFilesMoveTogether) {
  auto opened = OpenPostgresStore(url_, clock_);
  ASSERT_TRUE(opened.ok()) << opened.message();
  Cluster* cluster = (*opened)->cluster();
  ASSERT_NE(cluster, nullptr);
  auto none = cluster->Record();
  ASSERT_TRUE(none.ok()) << none.message();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(*cluster->CertificatesGeneration(), 0);

  const ClusterRecord record{"c-0011223344556677", std::string(64, 'a'), kStart};
  const std::vector<SharedFile> first = {
      {"capf.key", Bytes{'O', 'C', 'K', '1', 9}, true},
      {"capf.pem", BytesOf("-----BEGIN CERTIFICATE-----"), false}};
  ASSERT_TRUE(cluster->Create(record, first).ok());
  EXPECT_EQ(**cluster->Record(), record);
  auto set = cluster->Certificates();
  ASSERT_TRUE(set.ok()) << set.message();
  EXPECT_EQ(set->generation, 1);
  EXPECT_EQ(set->changed, kStart);
  EXPECT_EQ(set->files, first);

  // Another node creating one too: refused, nothing changed.
  Status again = cluster->Create({"c-ffff", std::string(64, 'b'), kStart}, {});
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.message(), HasSubstr("holds cluster c-0011223344556677"));
  EXPECT_EQ(cluster->Certificates()->files.size(), 2u);

  clock_.Advance(60);
  const std::vector<SharedFile> second = {{"previous/capf-01.pem", BytesOf("old"), false},
                                          {"capf.pem", BytesOf("new"), false}};
  auto generation = cluster->PutCertificates(second);
  ASSERT_TRUE(generation.ok()) << generation.message();
  EXPECT_EQ(*generation, 2);
  set = cluster->Certificates();
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->changed, kStart + 60);
  ASSERT_EQ(set->files.size(), 2u);  // replaced, not added to
  EXPECT_EQ(set->files[0].name, "capf.pem");

  // The database itself refuses a private key in the clear, and a path out of certs/.
  auto clear =
      cluster->PutCertificates({{"tvs.key", BytesOf("-----BEGIN PRIVATE KEY-----\nMII\n"), false}});
  ASSERT_FALSE(clear.ok());
  EXPECT_THAT(clear.message(), HasSubstr("check constraint"));
  EXPECT_FALSE(cluster->PutCertificates({{"../etc/passwd", BytesOf("x"), false}}).ok());
  EXPECT_EQ(*cluster->CertificatesGeneration(), 2);  // neither moved it
}

TEST_F(PostgresStoreTest, NodesReportThemselvesAndAreForgotten) {
  auto opened = OpenPostgresStore(url_, clock_);
  ASSERT_TRUE(opened.ok()) << opened.message();
  Cluster& cluster = *(*opened)->cluster();
  NodeRecord a{.name = "a:3804",
               .address = "10.0.0.1",
               .ports = "capf=3804",
               .version = "1",
               .started = kStart,
               .generation = 1,
               .itl_sha256 = "aa",
               .capf_sha256 = "cc"};
  ASSERT_TRUE(cluster.Heartbeat(a).ok());
  clock_.Advance(5);
  a.generation = 2;
  ASSERT_TRUE(cluster.Heartbeat(a).ok());
  ASSERT_TRUE(cluster.Heartbeat({.name = "b:3804", .started = kStart}).ok());
  auto nodes = cluster.Nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.message();
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].name, "a:3804");
  EXPECT_EQ((*nodes)[0].generation, 2);
  EXPECT_EQ((*nodes)[0].last_seen, kStart + 5);
  ASSERT_TRUE(cluster.RemoveNode("b:3804").ok());
  EXPECT_THAT(cluster.RemoveNode("b:3804").message(), HasSubstr("no node named 'b:3804'"));
  EXPECT_EQ(cluster.Nodes()->size(), 1u);
}

TEST_F(PostgresStoreTest, AnSqliteStoreIsCopiedWholeOnceAndOnlyIntoAnEmptyDatabase) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("opencapf-copy-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto opened = OpenSqliteStore(dir / "opencapf.db", clock_);
    ASSERT_TRUE(opened.ok()) << opened.message();
    Store& lite = **opened;
    Device installed = Phone("SEP001122AABBCC");
    installed.lsc_status = LscStatus::kInstalled;
    installed.lsc = StoredCertificate{"PEM",     "0A",        "CN=SEP001122AABBCC",
                                      "CN=CAPF", kStart - 60, kStart + 86400};
    installed.encrypted_config = true;
    ASSERT_TRUE(lite.Add(installed).ok());
    ASSERT_TRUE(lite.Add(Phone("SEP001122AABBDD")).ok());
    clock_.Advance(10);
    Device again = **lite.Get("SEP001122AABBCC");
    again.operation_status = "Upgrade Success";
    ASSERT_TRUE(lite.Save(again, Event{.operation = "install", .result = "success"}).ok());
    ASSERT_TRUE(lite.AppendEvent({.device = "SEP00000000FFFF", .result = "refused"}).ok());
    ASSERT_TRUE(lite.PutTrusted({.sha256 = std::string(64, 'b'),
                                 .der = Bytes{0x30, 0x01, 0x00},
                                 .subject = "CN=pub",
                                 .issuer = "CN=pub",
                                 .not_before = kStart - 60,
                                 .not_after = kStart + 86400,
                                 .roles = {1, 3}})
                    .ok());
    Device revoked = Phone("SEP0011223344EE");
    revoked.lsc_status = LscStatus::kInstalled;
    revoked.lsc = StoredCertificate{"PEM2",    "0B",        "CN=SEP0011223344EE",
                                    "CN=CAPF", kStart - 60, kStart + 86400};
    ASSERT_TRUE(lite.Add(revoked).ok());
    ASSERT_TRUE(lite.RevokeDeviceCertificates("SEP0011223344EE", RevocationReason::kKeyCompromise,
                                              std::nullopt)
                    .ok());
    ASSERT_TRUE(lite.SetAdminPassword("scrypt$1$2$3$salt$hash").ok());
    ASSERT_TRUE(lite.AddApiToken({.name = "ci", .sha256 = std::string(64, 'c')}).ok());
    ASSERT_TRUE(lite.AppendAudit({.actor = "cli", .action = "device.add", .target = "x"}).ok());
  }
  auto lite = OpenSqliteStore(dir / "opencapf.db", clock_);
  ASSERT_TRUE(lite.ok());

  auto copied = CopySqliteToPostgres(dir / "opencapf.db", url_);
  ASSERT_TRUE(copied.ok()) << copied.message();
  EXPECT_EQ(copied->devices, 3);
  EXPECT_EQ(copied->certificates, 2);
  EXPECT_EQ(copied->events, 2);
  EXPECT_EQ(copied->trusted, 1);
  EXPECT_EQ(copied->revocations, 1);
  EXPECT_EQ(copied->api_tokens, 1);
  EXPECT_EQ(copied->audit, 1);
  EXPECT_TRUE(copied->admin_password);

  auto pg = OpenPostgresStore(url_, clock_);
  ASSERT_TRUE(pg.ok()) << pg.message();
  EXPECT_EQ(*(*pg)->List({}), *(*lite)->List({}));  // versions and times as they were
  EXPECT_TRUE((**(*pg)->Get("SEP001122AABBCC")).encrypted_config);
  EXPECT_FALSE((**(*pg)->Get("SEP001122AABBDD")).encrypted_config);
  EXPECT_EQ(*(*pg)->History("SEP001122AABBCC", 0), *(*lite)->History("SEP001122AABBCC", 0));
  EXPECT_EQ(*(*pg)->History("SEP00000000FFFF", 0), *(*lite)->History("SEP00000000FFFF", 0));
  EXPECT_EQ(*(*pg)->ListTrusted(), *(*lite)->ListTrusted());
  EXPECT_EQ(*(*pg)->ListRevocations(), *(*lite)->ListRevocations());
  EXPECT_EQ(**(*pg)->AdminPasswordHash(), "scrypt$1$2$3$salt$hash");
  EXPECT_EQ((*pg)->ListApiTokens()->size(), 1u);
  EXPECT_EQ((*pg)->ListAudit(0)->size(), 1u);
  // New rows continue after the copied ids.
  ASSERT_TRUE((*pg)->AppendEvent({.device = "SEP001122AABBCC", .result = "later"}).ok());
  auto history = (*pg)->History("SEP001122AABBCC", 0);
  ASSERT_TRUE(history.ok());
  EXPECT_GT((*history)[0].id, (*history)[1].id);

  auto twice = CopySqliteToPostgres(dir / "opencapf.db", url_);
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.message(),
              HasSubstr("holds an opencapf installation already (3 row(s) in devices"));
  EXPECT_EQ((*pg)->List({})->size(), 3u);
  std::filesystem::remove_all(dir);
}

TEST(PostgresUrlTest, TellsUrlsFromFiles) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://db.example/opencapf"));
  EXPECT_TRUE(IsPostgresUrl("postgres://a,b/opencapf?target_session_attrs=read-write"));
  EXPECT_FALSE(IsPostgresUrl("/var/lib/opencapf/opencapf.db"));
  EXPECT_FALSE(IsPostgresUrl("postgresql"));
}

}  // namespace
}  // namespace opencapf::store
