#include "store/device_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/time_text.h"

namespace opencapf::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::time_t kNow = 1'796'119'200;  // 2026-12-01T10:00:00Z

class DeviceCsvTest : public ::testing::Test {
 protected:
  DeviceCsv Parse(std::string_view text) { return ParseDeviceCsv(text, clock_); }

  /// The only error of a file that must have exactly one.
  std::string OneError(std::string_view text) {
    DeviceCsv csv = Parse(text);
    EXPECT_EQ(csv.errors.size(), 1u) << ::testing::PrintToString(csv.errors);
    EXPECT_TRUE(csv.devices.empty());
    return csv.errors.empty() ? std::string() : csv.errors.front();
  }

  FakeClock clock_{kNow};
};

TEST_F(DeviceCsvTest, ReadsAGoodFile) {
  DeviceCsv csv = Parse(
      "name,operation,auth,auth_string,key_order,rsa_bits,ec_curve,complete_by\n"
      "SEP001122AABBCC,install,null-string,,rsa,2048,256,2026-12-02T10:00:00Z\n"
      "sep001122aabbcd,install,auth-string,12345678,ec-preferred-rsa-backup,4096,384,+2d\n"
      "CSFjsmith,troubleshoot,existing-mic,,,,,+90s\n"
      "SEP001122AABBCE,none,,,,,,\n");
  ASSERT_TRUE(csv.ok()) << ::testing::PrintToString(csv.errors);
  ASSERT_EQ(csv.devices.size(), 4u);
  EXPECT_TRUE(csv.notes.empty());

  const Device& a = csv.devices[0];
  EXPECT_EQ(a.name, "SEP001122AABBCC");
  EXPECT_EQ(a.operation, Operation::kInstall);
  EXPECT_EQ(a.auth, AuthMode::kNullString);
  EXPECT_FALSE(a.auth_string.has_value());
  EXPECT_EQ(a.complete_by, kNow + 86400);
  EXPECT_EQ(a.operation_status, "Operation Pending");

  const Device& b = csv.devices[1];
  EXPECT_EQ(b.name, "SEP001122AABBCD");
  EXPECT_EQ(b.auth, AuthMode::kAuthString);
  EXPECT_EQ(b.auth_string, "12345678");
  EXPECT_EQ(b.key_order, KeyOrder::kEcPreferredRsaBackup);
  EXPECT_EQ(b.rsa_bits, 4096);
  EXPECT_EQ(b.ec_curve, 384);
  EXPECT_EQ(b.complete_by, kNow + 2 * 86400);

  const Device& c = csv.devices[2];
  EXPECT_EQ(c.name, "CSFJSMITH");
  EXPECT_EQ(c.operation, Operation::kTroubleshoot);
  EXPECT_EQ(c.auth, AuthMode::kExistingMic);
  EXPECT_EQ(c.key_order, KeyOrder::kRsa);
  EXPECT_EQ(c.rsa_bits, 2048);
  EXPECT_EQ(c.complete_by, kNow + 90);

  const Device& d = csv.devices[3];
  EXPECT_EQ(d.operation, Operation::kNone);
  EXPECT_FALSE(d.complete_by.has_value());
  EXPECT_EQ(d.operation_status, "None");
}

TEST_F(DeviceCsvTest, AnySubsetOfColumnsInAnyOrderAndDefaultDeadline) {
  DeviceCsv csv = Parse(
      "Name, Complete-By ,OPERATION\r\n"
      "\r\n"
      "SEP001122AABBCC,,install\r\n"
      "   \r\n"
      "SEP001122AABBCD,+3h,delete\r\n"
      "SEP001122AABBCE,,install");  // no final newline
  ASSERT_TRUE(csv.ok()) << ::testing::PrintToString(csv.errors);
  ASSERT_EQ(csv.devices.size(), 3u);
  EXPECT_EQ(csv.devices[0].complete_by, kNow + 3600);
  EXPECT_EQ(csv.devices[1].complete_by, kNow + 3 * 3600);
  EXPECT_EQ(csv.devices[1].operation, Operation::kDelete);
  EXPECT_EQ(csv.devices[2].complete_by, kNow + 3600);
  ASSERT_EQ(csv.notes.size(), 1u);
  EXPECT_EQ(csv.notes[0],
            "2 scheduled devices have no complete_by; using 2026-12-01T11:00:00Z (one hour "
            "from now), as the procedure asks for at least an hour");

  DeviceCsv names_only = Parse("\xEF\xBB\xBFname\nSEP001122AABBCC\n");
  ASSERT_TRUE(names_only.ok()) << ::testing::PrintToString(names_only.errors);
  EXPECT_EQ(names_only.devices.size(), 1u);
}

TEST_F(DeviceCsvTest, QuotedFieldsFollowRfc4180) {
  DeviceCsv csv = Parse(
      "name,operation,complete_by\n"
      "\"SEP001122AABBCC\", \"install\" ,\"2026-12-01 20:00+09:00\"\n"
      "\"\",\"none\",\"\"\n");
  ASSERT_EQ(csv.errors.size(), 1u) << ::testing::PrintToString(csv.errors);
  EXPECT_THAT(csv.errors[0], HasSubstr("line 3: device name is empty"));

  DeviceCsv ok = Parse(
      "name,operation,complete_by\n"
      "\"SEP001122AABBCC\", \"install\" ,\"2026-12-01 20:00+09:00\"\n");
  ASSERT_TRUE(ok.ok()) << ::testing::PrintToString(ok.errors);
  EXPECT_EQ(ok.devices[0].complete_by, kNow + 3600);

  // A comma and a doubled quote stay inside the field; a line break inside quotes moves the
  // following line numbers on.
  DeviceCsv quoted = Parse(
      "name,operation\n"
      "SEP001122AABBCC,\"install, please\"\n"
      "\"SEP\"\"X\",none\n"
      "SEP001122AABBCD,\"in\nstall\"\n"
      "SEP001122AABBCE,bogus\n");
  EXPECT_THAT(quoted.errors,
              ElementsAre(HasSubstr("line 2: operation 'install, please' is not one of"),
                          HasSubstr("line 3: device name 'SEP\"X'"),
                          HasSubstr("line 4: operation 'in\nstall' is not one of"),
                          HasSubstr("line 6: operation 'bogus' is not one of")));
}

TEST_F(DeviceCsvTest, HeaderErrors) {
  EXPECT_THAT(OneError(""), HasSubstr("line 1: the file has no header"));
  EXPECT_THAT(OneError("\n\n  \n"), HasSubstr("line 1: the file has no header"));
  EXPECT_EQ(OneError("name,operation,colour\nSEP001122AABBCC,none,red\n"),
            "line 1: unknown column 'colour'; columns are: name, operation, auth, auth_string, "
            "key_order, rsa_bits, ec_curve, complete_by, encrypted_config");
  EXPECT_THAT(OneError("name,auth,Auth\n"), HasSubstr("line 1: column 'auth' is named twice"));
  EXPECT_THAT(OneError("operation,name\ninstall,SEP001122AABBCC\n"),
              HasSubstr("line 1: the first column must be 'name' (found 'operation')"));
  EXPECT_THAT(OneError("name,,auth\n"), HasSubstr("line 1: column 2 has no name"));
  EXPECT_THAT(OneError("\nname,operation\n\n"),
              HasSubstr("line 2: the header is not followed by any device row"));
}

TEST_F(DeviceCsvTest, EachRowErrorNamesItsLine) {
  DeviceCsv csv = Parse(
      "name,operation,auth,auth_string,key_order,rsa_bits,ec_curve,complete_by\n"  // 1
      "SEP000000000001,install,null-string,,rsa,2048,256,+1h\n"                    // 2 good
      "SEP000000000002,instal,,,,,,\n"                                             // 3
      "SEP000000000003,install,auth-string,12ab,,,,\n"                             // 4
      "SEP000000000004,install,auth-string,,,,,\n"                                 // 5
      "SEP000000000005,none,null-string,1234,,,,\n"                                // 6
      "SEP000000000006,,,,dsa,,,\n"                                                // 7
      "SEP000000000007,,,,,2000,,\n"                                               // 8
      "SEP000000000008,,,,,big,,\n"                                                // 9
      "SEP000000000009,,,,,,255,\n"                                                // 10
      "SEP00000000000A,install,,,,,,tomorrow\n"                                    // 11
      "SEP00000000000B,install,,,,,,2020-01-01T00:00:00Z\n"                        // 12
      "SEP12,,,,,,,\n"                                                             // 13
      "sep000000000001,,,,,,,\n"                                                   // 14
      "SEP00000000000C,none\n"                                                     // 15
      "SEP00000000000D,none,null-string,,rsa,2048,256,,extra\n");                  // 16
  EXPECT_TRUE(csv.devices.empty());
  EXPECT_THAT(
      csv.errors,
      ElementsAre(
          "line 3: operation 'instal' is not one of: none, install, delete, troubleshoot",
          "line 4: auth_string '12ab' must be 4-10 digits (0-9), e.g. 12345678",
          HasSubstr("line 5: auth auth-string needs an auth_string of 4-10 digits"),
          HasSubstr("line 6: auth_string is only used with auth auth-string"),
          HasSubstr("line 7: key_order 'dsa' is not one of: rsa, ec, ec-preferred-rsa-backup"),
          HasSubstr("line 8: rsa_bits 2000 is not a key size phones generate"),
          "line 9: rsa_bits 'big' is not a number; use 1024, 2048, 3072 or 4096",
          HasSubstr("line 10: ec_curve 255 is not a supported curve"),
          HasSubstr("line 11: complete_by: time 'tomorrow': expected a date as YYYY-MM-DD"),
          HasSubstr("line 12: complete_by 2020-01-01T00:00:00Z has already passed"),
          HasSubstr("line 13: device name 'SEP12': SEP must be followed by exactly 12 hex"),
          "line 14: SEP000000000001 is already on line 2; give each device once",
          HasSubstr("line 15: 2 fields, but the header on line 1 names 8 columns"),
          HasSubstr("line 16: 9 fields, but the header on line 1 names 8 columns")));
}

TEST_F(DeviceCsvTest, SyntaxErrorsNameTheirLine) {
  EXPECT_THAT(OneError("name,operation\nSEP001122AABBCC,\"install\n\nSEP001122AABBCD,none\n"),
              HasSubstr("line 2: a quoted field is never closed"));
  DeviceCsv after_quote = Parse(
      "name,operation\n"
      "SEP001122AABBCC,\"install\"x\n"
      "SEP00112233AABB,bogus\n");
  EXPECT_THAT(after_quote.errors,
              ElementsAre(HasSubstr("line 2: text after the closing quote of field 2"),
                          HasSubstr("line 3: operation 'bogus'")));
  EXPECT_THAT(OneError("name,operation\nSEP001122AABBCC,in\"stall\n"),
              HasSubstr("line 2: a '\"' inside unquoted field 2; put the whole field in quotes"));
}

TEST_F(DeviceCsvTest, EncryptedConfigTakesOnOffTrueFalseYesNoOneZeroInAnyCase) {
  DeviceCsv csv = Parse(
      "name,encrypted_config\n"
      "SEP000000000001,on\n"
      "SEP000000000002,OFF\n"
      "SEP000000000003,True\n"
      "SEP000000000004,false\n"
      "SEP000000000005,YES\n"
      "SEP000000000006,no\n"
      "SEP000000000007,1\n"
      "SEP000000000008,0\n"
      "SEP000000000009,\n");
  ASSERT_TRUE(csv.ok()) << ::testing::PrintToString(csv.errors);
  std::vector<bool> on;
  for (const Device& d : csv.devices) on.push_back(d.encrypted_config);
  EXPECT_EQ(on, (std::vector<bool>{true, false, true, false, true, false, true, false, false}));

  EXPECT_EQ(OneError("name,Encrypted-Config\nSEP000000000001,maybe\n"),
            "line 2: encrypted_config 'maybe' is not one of: on, off (true, false, yes, no, 1 "
            "and 0 work too)");
}

TEST_F(DeviceCsvTest, SeveralProblemsInOneRowAreAllReported) {
  DeviceCsv csv = Parse(
      "name,operation,auth,rsa_bits,ec_curve\n"
      "SEP001122AABBCC,install,auth-string,1,2\n");
  EXPECT_THAT(csv.errors,
              ElementsAre(HasSubstr("line 2: auth auth-string needs an auth_string"),
                          HasSubstr("line 2: rsa_bits 1 "), HasSubstr("line 2: ec_curve 2 ")));
}

}  // namespace
}  // namespace opencapf::store
