#include "service/phone_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/file.h"

namespace opencapf::service {
namespace {

std::filesystem::path Temp(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("opencapf-cnf-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

store::Device Phone(store::AuthMode mode) {
  store::Device d;
  d.name = "SEP001122334455";
  d.auth = mode;
  return d;
}

TEST(PhoneConfig, ElementsCarryTheAuthModeAndWhereCapfIs) {
  std::string xml = CnfElements(Phone(store::AuthMode::kNullString), {"pub1.example.com", 3804});
  EXPECT_NE(xml.find("<capfAuthMode>2</capfAuthMode>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<phonePort>3804</phonePort>"), std::string::npos);
  EXPECT_NE(xml.find("<processNodeName>pub1.example.com</processNodeName>"), std::string::npos);
  EXPECT_EQ(CapfAuthModeCode(store::AuthMode::kAuthString), 1);
  EXPECT_EQ(CapfAuthModeCode(store::AuthMode::kExistingLsc), 3);
  EXPECT_EQ(CapfAuthModeCode(store::AuthMode::kExistingMic), 4);
}

TEST(PhoneConfig, ApplyKeepsEveryOtherElementAndReplacesOurs) {
  auto path = Temp("SEP001122334455.cnf.xml");
  std::ofstream(path) << R"(<?xml version="1.0" encoding="UTF-8"?>
<device xsi:type="axl:XIPPhone" ctiid="42">
  <!-- written by the call server -->
  <fullConfig>true</fullConfig>
  <deviceProtocol>SIP</deviceProtocol>
  <capfAuthMode>0</capfAuthMode>
  <capfList><capf><phonePort>9999</phonePort><processNodeName>old</processNodeName></capf></capfList>
  <sipProfile><sipProxies><registerWithProxy>true</registerWithProxy></sipProxies></sipProfile>
  <loadInformation>sip88xx.14-2-1-0001-14</loadInformation>
</device>
)";
  ASSERT_TRUE(ApplyCnf(path, Phone(store::AuthMode::kAuthString), {"capf.example.com", 3804}).ok());
  std::string after = Read(path);
  for (const char* kept :
       {"ctiid=\"42\"", "<!-- written by the call server -->", "<fullConfig>true</fullConfig>",
        "<deviceProtocol>SIP</deviceProtocol>", "<registerWithProxy>true</registerWithProxy>",
        "<loadInformation>sip88xx.14-2-1-0001-14</loadInformation>"}) {
    EXPECT_NE(after.find(kept), std::string::npos) << kept << " lost:\n" << after;
  }
  EXPECT_NE(after.find("<capfAuthMode>1</capfAuthMode>"), std::string::npos) << after;
  EXPECT_NE(after.find("<phonePort>3804</phonePort>"), std::string::npos);
  EXPECT_NE(after.find("<processNodeName>capf.example.com</processNodeName>"), std::string::npos);
  EXPECT_EQ(after.find("9999"), std::string::npos);
  EXPECT_EQ(after.find("capfAuthMode>0<"), std::string::npos);

  // Applying twice changes nothing more.
  ASSERT_TRUE(ApplyCnf(path, Phone(store::AuthMode::kAuthString), {"capf.example.com", 3804}).ok());
  EXPECT_EQ(Read(path), after);
}

TEST(PhoneConfig, CreatesAMissingFileAndRefusesBrokenXml) {
  auto path = Temp("SEP00AABBCCDDEE.cnf.xml");
  std::filesystem::remove(path);
  ASSERT_TRUE(ApplyCnf(path, Phone(store::AuthMode::kNullString), {"h", 3804}).ok());
  EXPECT_NE(Read(path).find("<device>"), std::string::npos);

  std::ofstream(path) << "<device><unclosed></device>";
  auto broken = ApplyCnf(path, Phone(store::AuthMode::kNullString), {"h", 3804});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.message().find("not well-formed XML"), std::string::npos);
  EXPECT_EQ(Read(path), "<device><unclosed></device>") << "a refused apply changes nothing";
}

}  // namespace
}  // namespace opencapf::service
