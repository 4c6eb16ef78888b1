// A node's certs/ and the cluster's set: collected with keys sealed, written back exactly (keys
// 0600), the page's own certificate left alone, files the set dropped removed, and nothing
// written when a sealed key does not open.

#include "service/cluster_certificates.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/file.h"

namespace opencapf::service {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ClusterCertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("opencapf-cluster-certs-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    a_ = DataDir(root_ / "a");
    b_ = DataDir(root_ / "b");
    fs::create_directories(root_ / "a" / "certs" / "previous");
    fs::create_directories(root_ / "b" / "certs");
    Write(a_, "capf.pem", "CAPF CERT");
    Write(a_, "capf.key", "-----BEGIN PRIVATE KEY-----\nCAPF\n-----END PRIVATE KEY-----\n");
    Write(a_, "previous/capf-01.pem", "OLD CAPF");
    Write(a_, "admin.pem", "A'S PAGE");
    Write(a_, "admin.key", "A'S PAGE KEY");
    Write(a_, ".updating", "");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const DataDir& dir, const std::string& name, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(dir.certs() / name, BytesOf(text), 0600).ok());
  }
  static std::string Read(const DataDir& dir, const std::string& name) {
    auto bytes = ReadFile(dir.certs() / name);
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "<missing>";
  }

  fs::path root_;
  DataDir a_{""};
  DataDir b_{""};
  const pki::ClusterKey key_ = pki::ClusterKey::Generate();
};

TEST_F(ClusterCertificatesTest, CollectedSealedAndWrittenBackExactly) {
  auto files = CollectCertificateFiles(a_, key_);
  ASSERT_TRUE(files.ok()) << files.message();
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(f.name + (f.sealed ? " (sealed)" : ""));
  EXPECT_EQ(names,
            (std::vector<std::string>{"capf.key (sealed)", "capf.pem", "previous/capf-01.pem"}));
  const std::string sealed((*files)[0].content.begin(), (*files)[0].content.end());
  EXPECT_EQ(sealed.find("PRIVATE KEY"), std::string::npos);

  Write(b_, "admin.pem", "B'S PAGE");
  Write(b_, "stale.pem", "GONE FROM THE CLUSTER");
  store::CertificateSet set{1, 0, *files};
  auto written = MaterializeCertificateFiles(b_, key_, set);
  ASSERT_TRUE(written.ok()) << written.message();
  EXPECT_EQ(*written, 4u);  // three written, one removed
  EXPECT_EQ(Read(b_, "capf.key"), Read(a_, "capf.key"));
  EXPECT_EQ(Read(b_, "previous/capf-01.pem"), "OLD CAPF");
  EXPECT_EQ(Read(b_, "admin.pem"), "B'S PAGE");
  EXPECT_EQ(Read(b_, "stale.pem"), "<missing>");
  struct stat st {};
  ASSERT_EQ(::stat((b_.certs() / "capf.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The same set again changes nothing (a running server reloads only on a real change).
  EXPECT_EQ(*MaterializeCertificateFiles(b_, key_, set), 0u);
}

TEST_F(ClusterCertificatesTest, AWrongKeyOrAPathOutOfCertsWritesNothing) {
  auto files = CollectCertificateFiles(a_, key_);
  ASSERT_TRUE(files.ok());
  const pki::ClusterKey other = pki::ClusterKey::Generate();
  auto wrong = MaterializeCertificateFiles(b_, other, {1, 0, *files});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.message(), HasSubstr("cannot be opened with this cluster key"));
  EXPECT_EQ(Read(b_, "capf.pem"), "<missing>");

  auto escape =
      MaterializeCertificateFiles(b_, key_, {1, 0, {{"../../escaped.pem", BytesOf("x"), false}}});
  ASSERT_FALSE(escape.ok());
  EXPECT_THAT(escape.message(), HasSubstr("not a path under certs/"));
  EXPECT_FALSE(fs::exists(root_ / "escaped.pem"));
}

TEST_F(ClusterCertificatesTest, ANodeWithoutTheClustersKeyIsRefused) {
  const store::ClusterRecord cluster{"c-1234", key_.Check(), 0};
  auto missing = LoadClusterKey(a_, cluster);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.message(), HasSubstr("has no " + ClusterKeyPath(a_).string()));
  ASSERT_TRUE(pki::ClusterKey::Generate().Save(ClusterKeyPath(a_)).ok());
  auto other = LoadClusterKey(a_, cluster);
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(other.message(), HasSubstr("is not the key of cluster c-1234"));
  ASSERT_TRUE(key_.Save(ClusterKeyPath(a_)).ok());
  EXPECT_TRUE(LoadClusterKey(a_, cluster).ok());
}

}  // namespace
}  // namespace opencapf::service
