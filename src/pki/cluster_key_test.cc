// The cluster key: what it seals only it opens, for the same name, unchanged; its file is 0600
// and a wrong one is refused with a message that says what to copy.

#include "pki/cluster_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace opencapf::pki {
namespace {

using ::testing::HasSubstr;

const std::string kPem = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n";

TEST(ClusterKeyTest, SealedIsNotTheClearAndOpensToIt) {
  const ClusterKey key = ClusterKey::Generate();
  auto sealed = key.Seal("capf.key", BytesOf(kPem));
  ASSERT_TRUE(sealed.ok()) << sealed.message();
  const std::string text(sealed->begin(), sealed->end());
  EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(sealed->size(), 4 + 12 + kPem.size() + 16);
  auto opened = key.Open("capf.key", *sealed);
  ASSERT_TRUE(opened.ok()) << opened.message();
  EXPECT_EQ(std::string(opened->begin(), opened->end()), kPem);
  // Two seals of the same bytes differ (a fresh nonce each time).
  EXPECT_NE(*key.Seal("capf.key", BytesOf(kPem)), *sealed);
}

TEST(ClusterKeyTest, AnotherKeyAnotherNameOrOneChangedByteDoNotOpen) {
  const ClusterKey key = ClusterKey::Generate();
  const ClusterKey other = ClusterKey::Generate();
  auto sealed = key.Seal("capf.key", BytesOf(kPem));
  ASSERT_TRUE(sealed.ok());
  auto wrong_key = other.Open("capf.key", *sealed);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_THAT(wrong_key.message(), HasSubstr("cannot be opened with this cluster key"));
  EXPECT_FALSE(key.Open("tvs.key", *sealed).ok());
  Bytes tampered = *sealed;
  tampered[20] ^= 1;
  EXPECT_FALSE(key.Open("capf.key", tampered).ok());
  EXPECT_FALSE(key.Open("capf.key", Bytes{1, 2, 3}).ok());
  EXPECT_THAT(key.Open("capf.key", BytesOf(kPem)).message(), HasSubstr("no OCK1 header"));
  EXPECT_NE(key.Check(), other.Check());
  EXPECT_EQ(key.Check().size(), 64u);
}

TEST(ClusterKeyTest, SavedPrivatelyAndLoadedBack) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("opencapf-cluster-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const ClusterKey key = ClusterKey::Generate();
  mode_t old = ::umask(0);
  ASSERT_TRUE(key.Save(dir / "cluster.key").ok());
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "cluster.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = ClusterKey::Load(dir / "cluster.key");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(loaded->Check(), key.Check());

  { std::ofstream(dir / "junk.key") << "hello\n"; }
  auto junk = ClusterKey::Load(dir / "junk.key");
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(junk.message(), HasSubstr("not an opencapf cluster key"));
  EXPECT_THAT(junk.message(), HasSubstr("copy cluster.key from a node of the cluster"));
  EXPECT_FALSE(ClusterKey::Load(dir / "missing.key").ok());
  std::filesystem::remove_all(dir);
}

TEST(ClusterKeyTest, DerivedKeysArePerPurposeAndTheSameOnEveryNode) {
  const ClusterKey key = ClusterKey::Generate();
  const ClusterKey other = ClusterKey::Generate();
  EXPECT_EQ(key.Derive("encrypted configuration").size(), 32u);
  EXPECT_EQ(key.Derive("encrypted configuration"), key.Derive("encrypted configuration"));
  EXPECT_NE(key.Derive("encrypted configuration"), key.Derive("something else"));
  EXPECT_NE(key.Derive("encrypted configuration"), other.Derive("encrypted configuration"));
}

}  // namespace
}  // namespace opencapf::pki
