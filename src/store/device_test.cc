#include "store/device.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace opencapf::store {
namespace {

using ::testing::HasSubstr;

Device Scheduled() {
  Device d;
  d.name = "SEP001122AABBCC";
  d.operation = Operation::kInstall;
  d.complete_by = 1'800'000'000;
  return d;
}

TEST(Device, EnumsSpellAsTheCli) {
  EXPECT_EQ(ToText(Operation::kNone), "none");
  EXPECT_EQ(ToText(Operation::kInstall), "install");
  EXPECT_EQ(ToText(Operation::kDelete), "delete");
  EXPECT_EQ(ToText(Operation::kTroubleshoot), "troubleshoot");
  EXPECT_EQ(ToText(AuthMode::kNullString), "null-string");
  EXPECT_EQ(ToText(AuthMode::kAuthString), "auth-string");
  EXPECT_EQ(ToText(AuthMode::kExistingLsc), "existing-lsc");
  EXPECT_EQ(ToText(AuthMode::kExistingMic), "existing-mic");
  EXPECT_EQ(ToText(KeyOrder::kRsa), "rsa");
  EXPECT_EQ(ToText(KeyOrder::kEc), "ec");
  EXPECT_EQ(ToText(KeyOrder::kEcPreferredRsaBackup), "ec-preferred-rsa-backup");
  EXPECT_EQ(ToText(LscStatus::kInstalled), "installed");
  EXPECT_EQ(ToText(LscStatus::kNotInstalled), "not-installed");
  EXPECT_EQ(ToText(LscStatus::kPending), "pending");
  EXPECT_EQ(DisplayText(LscStatus::kInstalled), "Installed");
  EXPECT_EQ(DisplayText(LscStatus::kNotInstalled), "Not Installed");
  EXPECT_EQ(DisplayText(LscStatus::kPending), "Pending");
  EXPECT_EQ(DisplayText(AuthMode::kExistingLsc), "By Existing Certificate (Precedence to LSC)");
  EXPECT_EQ(DisplayText(Operation::kInstall), "Install/Upgrade");
}

TEST(Device, EnumsRoundTrip) {
  for (Operation v :
       {Operation::kNone, Operation::kInstall, Operation::kDelete, Operation::kTroubleshoot}) {
    auto back = ParseOperation(ToText(v));
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, v);
  }
  for (AuthMode v : {AuthMode::kNullString, AuthMode::kAuthString, AuthMode::kExistingLsc,
                     AuthMode::kExistingMic}) {
    auto back = ParseAuthMode(ToText(v));
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, v);
  }
  for (KeyOrder v : {KeyOrder::kRsa, KeyOrder::kEc, KeyOrder::kEcPreferredRsaBackup}) {
    auto back = ParseKeyOrder(ToText(v));
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, v);
  }
  for (LscStatus v : {LscStatus::kInstalled, LscStatus::kNotInstalled, LscStatus::kPending}) {
    auto back = ParseLscStatus(ToText(v));
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, v);
    auto shown = ParseLscStatus(DisplayText(v));
    ASSERT_TRUE(shown.ok()) << shown.message();
    EXPECT_EQ(*shown, v);
  }
}

TEST(Device, ParsingIsForgivingAboutCaseAndSeparators) {
  EXPECT_EQ(*ParseKeyOrder("EC_Preferred_RSA_Backup"), KeyOrder::kEcPreferredRsaBackup);
  EXPECT_EQ(*ParseAuthMode(" Null-String "), AuthMode::kNullString);
  EXPECT_EQ(*ParseLscStatus("not installed"), LscStatus::kNotInstalled);
}

TEST(Device, ParseErrorsListTheAcceptedValues) {
  auto op = ParseOperation("instal");
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.message(), "operation 'instal' is not one of: none, install, delete, troubleshoot");
  auto auth = ParseAuthMode("string");
  ASSERT_FALSE(auth.ok());
  EXPECT_THAT(auth.message(), HasSubstr("null-string, auth-string, existing-lsc, existing-mic"));
  auto order = ParseKeyOrder("dsa");
  ASSERT_FALSE(order.ok());
  EXPECT_THAT(order.message(), HasSubstr("rsa, ec, ec-preferred-rsa-backup"));
  auto lsc = ParseLscStatus("maybe");
  ASSERT_FALSE(lsc.ok());
  EXPECT_THAT(lsc.message(), HasSubstr("installed, not-installed, pending"));
}

TEST(Device, EncryptedConfigReadsAsASwitch) {
  EXPECT_EQ(OnOffText(true), "on");
  EXPECT_EQ(OnOffText(false), "off");
  for (std::string_view on : {"on", "ON", "true", "True", "yes", "Yes", "1", " on "}) {
    auto v = ParseEncryptedConfig(on);
    ASSERT_TRUE(v.ok()) << on << ": " << v.message();
    EXPECT_TRUE(*v) << on;
  }
  for (std::string_view off : {"off", "Off", "false", "FALSE", "no", "NO", "0"}) {
    auto v = ParseEncryptedConfig(off);
    ASSERT_TRUE(v.ok()) << off << ": " << v.message();
    EXPECT_FALSE(*v) << off;
  }
  for (std::string_view bad : {"", "2", "enabled", "onn"}) {
    auto v = ParseEncryptedConfig(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.message(), "encrypted_config '" + std::string(bad) +
                               "' is not one of: on, off (true, false, yes, no, 1 and 0 work too)");
  }
  EXPECT_FALSE(Device{}.encrypted_config);
}

TEST(Device, StatusTextsAreCucms) {
  EXPECT_EQ(FailedStatus(Operation::kInstall, FailureReason::kLate),
            "Upgrade Failed: User Initiated Request Late/Timedout");
  EXPECT_EQ(FailedStatus(Operation::kInstall, FailureReason::kLate), kStatusUpgradeLate);
  EXPECT_EQ(FailedStatus(Operation::kInstall, FailureReason::kAuthenticationFailed),
            kStatusUpgradeAuthenticationFailed);
  EXPECT_EQ(FailedStatus(Operation::kInstall, FailureReason::kKeyGenerationFailed),
            kStatusUpgradeKeyGenerationFailed);
  EXPECT_EQ(FailedStatus(Operation::kDelete, FailureReason::kAuthenticationFailed),
            "Delete Failed: Authentication Failed");
  EXPECT_EQ(FailedStatus(Operation::kTroubleshoot, FailureReason::kNoCertificate),
            "Troubleshoot Failed: No Certificate On Phone");
  EXPECT_EQ(FailedStatus(Operation::kDelete, FailureReason::kPhoneRefused),
            "Delete Failed: Phone Could Not Delete Certificate");
  EXPECT_EQ(SuccessStatus(Operation::kInstall), "Upgrade Success");
  EXPECT_EQ(SuccessStatus(Operation::kDelete), "Delete Success");
  EXPECT_EQ(SuccessStatus(Operation::kTroubleshoot), "Troubleshoot Success");

  auto all = AllOperationStatuses();
  EXPECT_THAT(all, ::testing::Contains("Operation Pending"));
  EXPECT_THAT(all, ::testing::Contains(std::string(kStatusUpgradeLate)));
  EXPECT_THAT(all, ::testing::Contains("Troubleshoot Success"));
  // A key is generated only in an install.
  EXPECT_THAT(all, ::testing::Not(::testing::Contains("Delete Failed: Key Generation Failed")));
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size());
}

TEST(Device, PhoneNamesAreNormalizedToUpperCase) {
  EXPECT_EQ(*NormalizeDeviceName("SEP001122AABBCC"), "SEP001122AABBCC");
  EXPECT_EQ(*NormalizeDeviceName("sep001122aabbcc"), "SEP001122AABBCC");
  EXPECT_EQ(*NormalizeDeviceName("csfjsmith"), "CSFJSMITH");
  EXPECT_EQ(*NormalizeDeviceName("BOTj.smith_2-x"), "BOTJ.SMITH_2-X");
  EXPECT_EQ(*NormalizeDeviceName("TCTabcdefghijkl"), "TCTABCDEFGHIJKL");  // 15 characters
  EXPECT_EQ(*NormalizeDeviceName("TABuser1"), "TABUSER1");
}

TEST(Device, BadNamesSayWhatToType) {
  struct Case {
    const char* name;
    const char* says;
  };
  for (const Case& c : {
           Case{"", "is empty"},
           Case{"SEP0011", "exactly 12 hex digits"},
           Case{"SEP00:11:22:AA:BB:CC", "without separators"},
           Case{"SEP001122AABBCG", "'G' is not a hex digit"},
           Case{"SEP001122AABBCC0", "not 13 characters"},
           Case{"CSF", "user id of 1-12"},
           Case{"CSFabcdefghijklm", "user id of 1-12"},
           Case{"CSFj smith", "' ' is not allowed"},
           Case{"ATA001122334455", "is not a phone name"},
           Case{"phone1", "e.g. SEP001122AABBCC"},
       }) {
    auto r = NormalizeDeviceName(c.name);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_THAT(r.message(), HasSubstr(c.says)) << c.name;
  }
}

TEST(Device, DefaultDeviceIsValid) {
  Device d;
  d.name = "SEP001122AABBCC";
  EXPECT_TRUE(Problems(d).empty());
  EXPECT_TRUE(Validate(d).ok());
  EXPECT_EQ(d.operation_status, "None");
}

TEST(Device, ValidateRequiresCanonicalName) {
  Device d;
  d.name = "sep001122aabbcc";
  auto s = Validate(d);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("must be written in upper case: SEP001122AABBCC"));
}

TEST(Device, AuthStringRules) {
  Device d = Scheduled();
  d.auth = AuthMode::kAuthString;
  EXPECT_THAT(Validate(d).message(), HasSubstr("needs an auth_string of 4-10 digits"));
  d.auth_string = "1234";
  EXPECT_TRUE(Validate(d).ok());
  d.auth_string = "1234567890";
  EXPECT_TRUE(Validate(d).ok());
  for (const char* bad : {"123", "12345678901", "12ab", "", "12 34"}) {
    d.auth_string = bad;
    EXPECT_THAT(Validate(d).message(),
                HasSubstr("auth_string '" + std::string(bad) + "' must be 4-10 digits"))
        << bad;
  }
  // Once used (single use) the string is cleared and the operation done: still valid.
  d.operation = Operation::kNone;
  d.auth_string.reset();
  EXPECT_TRUE(Validate(d).ok());
  // A string with another mode is a mistake worth saying.
  d.auth = AuthMode::kNullString;
  d.auth_string = "1234";
  EXPECT_THAT(Validate(d).message(),
              HasSubstr("auth_string is only used with auth auth-string (this device has auth "
                        "null-string)"));
}

TEST(Device, KeySizes) {
  Device d = Scheduled();
  for (int bits : {1024, 2048, 3072, 4096}) {
    d.rsa_bits = bits;
    EXPECT_TRUE(Validate(d).ok()) << bits;
  }
  d.rsa_bits = 2000;
  EXPECT_THAT(Validate(d).message(),
              HasSubstr("rsa_bits 2000 is not a key size phones generate; use 1024, 2048, 3072 "
                        "or 4096"));
  d.rsa_bits = 2048;
  for (int curve : {256, 384, 521}) {
    d.ec_curve = curve;
    EXPECT_TRUE(Validate(d).ok()) << curve;
  }
  d.ec_curve = 512;
  EXPECT_THAT(Validate(d).message(), HasSubstr("ec_curve 512 is not a supported curve; use 256"));
}

TEST(Device, ScheduledOperationNeedsCompleteBy) {
  for (Operation op : {Operation::kInstall, Operation::kDelete, Operation::kTroubleshoot}) {
    Device d = Scheduled();
    d.operation = op;
    d.complete_by.reset();
    EXPECT_THAT(Validate(d).message(),
                HasSubstr("operation " + std::string(ToText(op)) + " needs complete_by"));
  }
  Device none;
  none.name = "SEP001122AABBCC";
  EXPECT_TRUE(Validate(none).ok());
}

TEST(Device, InstalledNeedsTheCertificate) {
  Device d = Scheduled();
  d.lsc_status = LscStatus::kInstalled;
  EXPECT_THAT(Validate(d).message(), HasSubstr("lsc_status installed needs"));
  d.lsc = StoredCertificate{"pem", "01", "CN=SEP001122AABBCC", "CN=CAPF-1", 1, 2};
  EXPECT_TRUE(Validate(d).ok());
}

TEST(Device, ValidateListsEveryProblem) {
  Device d;
  d.name = "SEP1";
  d.operation = Operation::kInstall;
  d.rsa_bits = 1;
  auto problems = Problems(d);
  EXPECT_EQ(problems.size(), 3u);
  auto s = Validate(d);
  EXPECT_THAT(s.message(), ::testing::StartsWith("SEP1: device name 'SEP1'"));
  EXPECT_THAT(s.message(), HasSubstr("; rsa_bits 1"));
  EXPECT_THAT(s.message(), HasSubstr("; operation install needs complete_by"));
}

TEST(Device, ScheduleMustBeAhead) {
  Device d = Scheduled();
  EXPECT_TRUE(CheckScheduleAhead(d, *d.complete_by - 1).ok());
  auto late = CheckScheduleAhead(d, *d.complete_by);
  ASSERT_FALSE(late.ok());
  EXPECT_THAT(late.message(), HasSubstr("has already passed"));
  EXPECT_THAT(late.message(), HasSubstr("Upgrade Failed: User Initiated Request Late/Timedout"));
  d.operation = Operation::kNone;
  EXPECT_TRUE(CheckScheduleAhead(d, *d.complete_by + 100).ok());
}

// The choices the manual and the completion offer are exactly what the store reads.
TEST(DeviceTest, FieldChoicesAreWhatTheParsersAccept) {
  EXPECT_EQ(FieldChoices("auth"), (std::vector<std::string>{"null-string", "auth-string",
                                                            "existing-lsc", "existing-mic"}));
  for (const auto& v : FieldChoices("operation")) EXPECT_TRUE(ParseOperation(v).ok()) << v;
  for (const auto& v : FieldChoices("auth")) EXPECT_TRUE(ParseAuthMode(v).ok()) << v;
  for (const auto& v : FieldChoices("key_order")) EXPECT_TRUE(ParseKeyOrder(v).ok()) << v;
  for (const auto& v : FieldChoices("lsc_status")) EXPECT_TRUE(ParseLscStatus(v).ok()) << v;
  for (const auto& v : FieldChoices("encrypted_config")) {
    EXPECT_TRUE(ParseEncryptedConfig(v).ok()) << v;
  }
  EXPECT_EQ(FieldChoices("rsa_bits"), (std::vector<std::string>{"1024", "2048", "3072", "4096"}));
  EXPECT_EQ(FieldChoices("ec_curve"), (std::vector<std::string>{"256", "384", "521"}));
  EXPECT_TRUE(FieldChoices("name").empty());
}

}  // namespace
}  // namespace opencapf::store
