#include "cli/bash_completion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_docs_testing.h"

namespace opencapf::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SmallCli;

// What the script does is tested by running it in bash (tests/cli/completion_cli_test.sh);
// here, that its tables say what the command line does.
std::string SmallScript() {
  SmallCli cli;
  return BashCompletion(DescribeCommand(cli.root));
}

TEST(BashCompletionTest, CommandsByPath) {
  const std::string script = SmallScript();
  EXPECT_THAT(script, HasSubstr("    '') echo 'device help' ;;\n"));
  EXPECT_THAT(script, HasSubstr("    'device') echo 'add list' ;;\n"));
  EXPECT_THAT(script, Not(HasSubstr("secret")));
}

TEST(BashCompletionTest, FlagsAndWhatTheyTake) {
  const std::string script = SmallScript();
  EXPECT_THAT(script, HasSubstr("    'device add') echo '--auth --data --cert --digest --json "
                                "--help' ;;\n"));
  EXPECT_THAT(script,
              HasSubstr("    'device add --auth') echo 'choice null-string auth-string' ;;\n"));
  EXPECT_THAT(script, HasSubstr("    'device add --digest') echo 'choice sha1 sha512' ;;\n"));
  EXPECT_THAT(script, HasSubstr("    'device add --data') echo 'dir' ;;\n"));
  EXPECT_THAT(script, HasSubstr("    'device add --cert') echo 'file' ;;\n"));
  EXPECT_THAT(script, Not(HasSubstr("'device add --json')")));
  // An untyped argument may be a path: what bash offers without completion.
  EXPECT_THAT(script, HasSubstr("    'device add 0') echo 'file' ;;\n"));
  EXPECT_THAT(script, HasSubstr("complete -F _opencapf opencapf\n"));
}

}  // namespace
}  // namespace opencapf::cli
