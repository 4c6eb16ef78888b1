#include "phone/cnf.h"

#include <gtest/gtest.h>

namespace opencapf::phone {
namespace {

Result<PhoneCnf> Parse(const std::string& xml) {
  return ParseCnf(ByteView(reinterpret_cast<const std::uint8_t*>(xml.data()), xml.size()));
}

TEST(Cnf, ReadsTheCapfElementsWhereCucmPutsThem) {
  auto cnf = Parse(R"(<?xml version="1.0"?>
<device xsi:type="axl:XIPPhone" ctiid="1">
  <deviceProtocol>SIP</deviceProtocol>
  <capfAuthMode>3</capfAuthMode>
  <capfList>
    <capf><phonePort>3804</phonePort><processNodeName>pub1.example.com</processNodeName></capf>
    <capf><processNodeName> 10.0.0.2 </processNodeName><phonePort>13804</phonePort></capf>
  </capfList>
</device>)");
  ASSERT_TRUE(cnf.ok()) << cnf.message();
  EXPECT_EQ(cnf->capf_auth_mode, 3);
  ASSERT_EQ(cnf->capf.size(), 2u);
  EXPECT_EQ(cnf->capf[0], (HostPort{"pub1.example.com", 3804}));
  EXPECT_EQ(cnf->capf[1], (HostPort{"10.0.0.2", 13804}));
}

TEST(Cnf, MissingElementsAreAbsentNotErrors) {
  auto cnf = Parse("<device><loadInformation>x</loadInformation></device>");
  ASSERT_TRUE(cnf.ok()) << cnf.message();
  EXPECT_FALSE(cnf->capf_auth_mode.has_value());
  EXPECT_TRUE(cnf->capf.empty());
  auto no_port = Parse(
      "<device><capfList><capf><processNodeName>p</processNodeName></capf>"
      "</capfList></device>");
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(no_port->capf[0].port, 3804);
}

TEST(Cnf, BrokenFilesSayWhere) {
  auto broken = Parse("<device><capfAuthMode>2</device>");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.message().find("offset"), std::string::npos) << broken.message();
  auto port = Parse(
      "<device><capfList><capf><phonePort>x</phonePort><processNodeName>p"
      "</processNodeName></capf></capfList></device>");
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.message().find("phonePort"), std::string::npos) << port.message();
  EXPECT_EQ(CapfAuthModeText(2), "By Null String");
}

}  // namespace
}  // namespace opencapf::phone
