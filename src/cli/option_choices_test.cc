#include "cli/option_choices.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace opencapf::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<const char*> Argv(std::initializer_list<const char*> words) { return words; }

TEST(OptionChoicesTest, OneOfRejectsOtherValuesInCliElevensWords) {
  CLI::App app{"test", "test"};
  std::string digest;
  auto* option = OneOf(app.add_option("--digest", digest), {"sha1", "sha512"});
  EXPECT_THAT(ChoicesOf(*option), ElementsAre("sha1", "sha512"));

  auto good = Argv({"test", "--digest", "sha512"});
  app.parse(static_cast<int>(good.size()), good.data());
  EXPECT_EQ(digest, "sha512");
  auto bad = Argv({"test", "--digest", "md5"});
  try {
    app.parse(static_cast<int>(bad.size()), bad.data());
    FAIL() << "md5 was accepted";
  } catch (const CLI::ValidationError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("--digest: md5 not in {sha1,sha512}"));
  }
}

TEST(OptionChoicesTest, ChoicesOnlyRecordsAndLeavesHelpAlone) {
  CLI::App app{"test", "test"};
  std::string auth;
  auto* option = Choices(app.add_option("--auth", auth)->type_name("MODE"), {"a-b", "c"});
  EXPECT_THAT(ChoicesOf(*option), ElementsAre("a-b", "c"));
  EXPECT_EQ(option->get_type_name(), "MODE");

  // The command reads the value itself: anything passes CLI11.
  auto argv = Argv({"test", "--auth", "other"});
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(auth, "other");
}

TEST(OptionChoicesTest, AnOptionWithoutChoicesHasNone) {
  CLI::App app{"test", "test"};
  std::string file;
  auto* option = app.add_option("--file", file)->check(CLI::ExistingFile);
  EXPECT_THAT(ChoicesOf(*option), IsEmpty());
}

}  // namespace
}  // namespace opencapf::cli
