#include "cli/roff.h"

#include <gtest/gtest.h>

namespace opencapf::cli {
namespace {

TEST(RoffTest, HyphensAreTypedMinusSigns) {
  EXPECT_EQ(RoffText("--auth existing-lsc"), "\\-\\-auth existing\\-lsc");
}

TEST(RoffTest, BackslashesArePrinted) { EXPECT_EQ(RoffText("C:\\certs"), "C:\\ecerts"); }

TEST(RoffTest, ALineStartingWithADotOrQuoteIsNoRequest) {
  EXPECT_EQ(RoffText(".cnf.xml"), "\\&.cnf.xml");
  EXPECT_EQ(RoffText("'quoted'"), "\\&'quoted'");
  EXPECT_EQ(RoffText("one\n.two"), "one\n\\&.two");
  EXPECT_EQ(RoffText("a.b 'c'"), "a.b 'c'");
}

TEST(RoffTest, NonAsciiBecomesGroffEscapes) {
  EXPECT_EQ(RoffText("a \xE2\x80\x94 b"), "a \\[u2014] b");  // em dash
  EXPECT_EQ(RoffText("\xC3\xA9"), "\\[u00E9]");
}

TEST(RoffTest, ArgumentsAreQuotedOnOneLine) {
  EXPECT_EQ(RoffArgument("say \"hi\"\nthere"), "\"say \\(dqhi\\(dq there\"");
}

TEST(RoffTest, Fonts) {
  EXPECT_EQ(RoffBold("--data"), "\\fB\\-\\-data\\fR");
  EXPECT_EQ(RoffItalic("DIR"), "\\fIDIR\\fR");
}

}  // namespace
}  // namespace opencapf::cli
