#include "cli/man_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_docs_testing.h"

namespace opencapf::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SmallCli;

std::vector<ManPage> SmallPages() {
  SmallCli cli;
  return ManPages(DescribeCommand(cli.root), "tool 1");
}

TEST(ManPageTest, OnePageForTheProgramAndEachFamilyButHelp) {
  const auto pages = SmallPages();
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].file_name, "tool.1");
  EXPECT_EQ(pages[1].file_name, "tool-device.1");
}

TEST(ManPageTest, TheProgramPageListsFamiliesAndExitStatus) {
  const std::string page = SmallPages()[0].source;
  EXPECT_THAT(page, HasSubstr(".TH \"TOOL\" 1 \"\" \"tool 1\""));
  EXPECT_THAT(page, HasSubstr(".SH NAME\ntool \\- does things\n"));
  EXPECT_THAT(page, HasSubstr("\\fBtool device\\fR \\fBadd\\fR, \\fBlist\\fR\nDevices. See "
                              "\\fBtool\\-device\\fR(1)."));
  EXPECT_THAT(page, HasSubstr("\\fB\\-\\-version\\fR"));
  EXPECT_THAT(page, HasSubstr(".SH EXIT STATUS"));
  EXPECT_THAT(page, HasSubstr(".TP\n2\nA usage error"));
  EXPECT_THAT(page, Not(HasSubstr("secret")));
}

TEST(ManPageTest, AFamilyPageHasEachCommandsSynopsisAndOptions) {
  const std::string page = SmallPages()[1].source;
  EXPECT_THAT(page, HasSubstr(".SH NAME\ntool\\-device \\- Devices\n"));
  EXPECT_THAT(page, HasSubstr(".SY \"tool device add\"\n[\\fB\\-\\-auth\\fR\\ \\fIMODE\\fR]\n"));
  EXPECT_THAT(page, HasSubstr("\\fINAME\\fR\n.YS\n"));
  EXPECT_THAT(page, HasSubstr(".SS \"tool device add\"\n.PP\nAdd one.\n"));
  EXPECT_THAT(page, HasSubstr(".TP\n\\fB\\-\\-auth\\fR \\fIMODE\\fR\nHow it proves itself. "
                              "Values: \\fBnull\\-string\\fR, \\fBauth\\-string\\fR.\n"));
  EXPECT_THAT(page, HasSubstr("Data directory. Default: \\fBvar/tool\\fR."));
  // A footer's exit codes are gathered under EXIT STATUS; the rest stays with its command.
  EXPECT_THAT(page, HasSubstr("which \\-\\-help to read.\n.PP\n\\fBtool device\\fR: 0 done.\n"));
  EXPECT_THAT(page, HasSubstr(".SS \"tool device list\"\n.PP\nList them.\n.PP\nLists all.\n"));
  EXPECT_THAT(page, Not(HasSubstr(".SH NOTES")));
  EXPECT_THAT(page, HasSubstr(".SH SEE ALSO\n.PP\n\\fBtool\\fR(1)"));
}

}  // namespace
}  // namespace opencapf::cli
