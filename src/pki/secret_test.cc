// Password hashing, tokens and the constant-time comparison.
#include "pki/secret.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// Cheap enough for a test, still scrypt.
constexpr ScryptCost kCheap{1u << 10, 8, 1};

TEST(SecretTest, PasswordHashVerifiesOnlyTheRightPassword) {
  auto hash = HashPassword("correct horse battery", kCheap);
  ASSERT_TRUE(hash.ok()) << hash.message();
  EXPECT_THAT(*hash, StartsWith("scrypt$1024$8$1$"));
  auto right = VerifyPassword("correct horse battery", *hash);
  ASSERT_TRUE(right.ok()) << right.message();
  EXPECT_TRUE(*right);
  EXPECT_FALSE(*VerifyPassword("correct horse batterY", *hash));
  EXPECT_FALSE(*VerifyPassword("", *hash));
  auto again = HashPassword("correct horse battery", kCheap);
  EXPECT_NE(*hash, *again) << "each hash has its own salt";
}

TEST(SecretTest, DefaultCostIsOwaspScrypt) {
  auto hash = HashPassword("a long enough password");
  ASSERT_TRUE(hash.ok()) << hash.message();
  EXPECT_THAT(*hash, StartsWith("scrypt$32768$8$3$"));
  EXPECT_TRUE(*VerifyPassword("a long enough password", *hash));
}

TEST(SecretTest, DamagedOrForeignHashesAreErrorsNotMismatches) {
  for (std::string bad : {"", "plain", "pbkdf2$1$a$b", "scrypt$1024$8$1$salt",
                          "scrypt$1000$8$1$c2FsdA$aGFzaA", "scrypt$1024$8$1$c2FsdA$short",
                          "scrypt$4294967296$8$1$c2FsdA$aGFzaA", "scrypt$1024$8$1$!!$aGFzaA"}) {
    auto r = VerifyPassword("x", bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_THAT(r.message(), HasSubstr("opencapf admin passwd")) << bad;
    }
  }
}

TEST(SecretTest, GeneratedPasswordsAreReadableAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string p = GeneratePassword();
    EXPECT_THAT(p, MatchesRegex("[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}"));
    EXPECT_TRUE(CheckNewPassword(p).ok());
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(SecretTest, TokensAndHashes) {
  EXPECT_EQ(Base64Url(Bytes{0xfb, 0xff}), "-_8");
  EXPECT_EQ(RandomToken(32).size(), 43u);
  EXPECT_NE(RandomToken(), RandomToken());
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEqual("", ""));
}

TEST(SecretTest, NewPasswordRules) {
  EXPECT_THAT(CheckNewPassword("short").message(), HasSubstr("use at least 12"));
  EXPECT_TRUE(CheckNewPassword("twelve chars").ok());
  EXPECT_FALSE(CheckNewPassword(std::string(1025, 'x')).ok());
}

}  // namespace
}  // namespace opencapf::pki
