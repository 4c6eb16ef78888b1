#include "phone/address.h"

#include <gtest/gtest.h>

namespace opencapf::phone {
namespace {

TEST(HostPort, ParsesTheFormsPeopleType) {
  EXPECT_EQ(*ParseHostPort("pub1", 69), (HostPort{"pub1", 69}));
  EXPECT_EQ(*ParseHostPort("127.0.0.1:6969", 69), (HostPort{"127.0.0.1", 6969}));
  EXPECT_EQ(*ParseHostPort("[::1]:3804", 1), (HostPort{"::1", 3804}));
  EXPECT_EQ(*ParseHostPort("[::1]", 3804), (HostPort{"::1", 3804}));
  EXPECT_EQ(*ParseHostPort("fe80::1", 69), (HostPort{"fe80::1", 69}));
  EXPECT_EQ((HostPort{"::1", 5}).ToString(), "[::1]:5");
  EXPECT_EQ((HostPort{"pub1", 5}).ToString(), "pub1:5");
}

TEST(HostPort, RefusesWhatIsNotAnAddress) {
  EXPECT_FALSE(ParseHostPort("", 69).ok());
  EXPECT_FALSE(ParseHostPort("pub1:", 69).ok());
  EXPECT_FALSE(ParseHostPort("pub1:70000", 69).ok());
  EXPECT_FALSE(ParseHostPort("pub1:0", 69).ok());
  EXPECT_FALSE(ParseHostPort(":69", 69).ok());
  EXPECT_FALSE(ParseHostPort("[::1", 69).ok());
  auto bad = ParseHostPort("pub1:tftp", 69);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("not a number"), std::string::npos) << bad.message();
}

TEST(HostPort, TellsAddressesFromNames) {
  EXPECT_TRUE(IsAddressLiteral("127.0.0.1"));
  EXPECT_TRUE(IsAddressLiteral("::1"));
  EXPECT_FALSE(IsAddressLiteral("pub1.example.com"));
}

}  // namespace
}  // namespace opencapf::phone
