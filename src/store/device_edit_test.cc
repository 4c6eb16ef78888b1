#include "store/device_edit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace opencapf::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::time_t kEditNow = 1'796'119'200;  // 2026-12-01T10:00:00Z

class DeviceEditTest : public ::testing::Test {
 protected:
  /// Reads `text` and applies it to `d`; the error's message, or empty.
  std::string Edit(const DeviceFieldText& text, Device& d) {
    DeviceChanges changes;
    if (auto e = ReadDeviceChanges(text, clock_, ApiFieldName, changes)) return e->message;
    if (auto e = ApplyDeviceChanges(changes, d, kEditNow, ApiFieldName, notes_)) return e->message;
    return "";
  }

  FakeClock clock_{kEditNow};
  std::vector<std::string> notes_;
};

TEST_F(DeviceEditTest, EncryptedConfigIsReadAppliedAndShownAsAChange) {
  Device d{.name = "SEP001122AABBCC"};
  const Device before = d;
  DeviceFieldText text;
  text.encrypted_config = "On";
  EXPECT_TRUE(text.any());
  ASSERT_EQ(Edit(text, d), "");
  EXPECT_TRUE(d.encrypted_config);
  EXPECT_TRUE(notes_.empty());  // RSA Only, the default key order
  EXPECT_THAT(DeviceDifferences(before, d), ElementsAre("Encrypted Configuration: off -> on"));
  EXPECT_EQ(DifferencesText(d, before), "Encrypted Configuration: on -> off");

  text.encrypted_config = "0";
  ASSERT_EQ(Edit(text, d), "");
  EXPECT_FALSE(d.encrypted_config);
  EXPECT_TRUE(DeviceDifferences(before, d).empty());
}

TEST_F(DeviceEditTest, AnEncryptedConfigValueThatIsNotASwitchIsAUsageError) {
  DeviceFieldText text;
  text.encrypted_config = "sometimes";
  DeviceChanges changes;
  auto e = ReadDeviceChanges(text, clock_, ApiFieldName, changes);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, EditError::Kind::kUsage);
  EXPECT_EQ(e->field, "encrypted_config");
  EXPECT_EQ(e->message,
            "encrypted_config: encrypted_config 'sometimes' is not one of: on, off (true, false, "
            "yes, no, 1 and 0 work too)");
  EXPECT_FALSE(changes.any());
}

TEST_F(DeviceEditTest, AKeyOrderThatGivesAnEcLscWithEncryptedConfigIsNoted) {
  Device d{.name = "SEP001122AABBCC"};
  DeviceFieldText text;
  text.encrypted_config = "on";
  text.key_order = "ec";
  ASSERT_EQ(Edit(text, d), "");
  ASSERT_EQ(notes_.size(), 1u);
  EXPECT_THAT(notes_[0], HasSubstr("encrypted_config needs an RSA key, and Key Order EC Only"));
  EXPECT_THAT(notes_[0], HasSubstr("give key_order rsa"));

  // Changing something else says nothing again; going back to RSA Only says nothing.
  notes_.clear();
  DeviceFieldText other;
  other.rsa_bits = "3072";
  ASSERT_EQ(Edit(other, d), "");
  EXPECT_TRUE(notes_.empty());
  DeviceFieldText rsa;
  rsa.key_order = "rsa";
  ASSERT_EQ(Edit(rsa, d), "");
  EXPECT_TRUE(notes_.empty());
}

}  // namespace
}  // namespace opencapf::store
