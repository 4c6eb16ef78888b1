#include "cli/command_doc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cli/cli_docs_testing.h"

namespace opencapf::cli {
namespace {

using ::testing::ElementsAre;
using testing::SmallCli;

const OptionDoc& OptionNamed(const std::vector<OptionDoc>& options, const std::string& flag) {
  for (const auto& option : options) {
    if (!option.flags.empty() && option.flags.back() == flag) return option;
  }
  throw std::runtime_error("no " + flag);
}

TEST(CommandDocTest, WalksVisibleCommandsInOrder) {
  SmallCli cli;
  const CommandDoc root = DescribeCommand(cli.root);
  ASSERT_EQ(root.subcommands.size(), 2u);  // "secret" is hidden
  const CommandDoc& device = root.subcommands[0];
  EXPECT_TRUE(device.needs_subcommand);
  ASSERT_EQ(device.subcommands.size(), 2u);
  EXPECT_EQ(device.subcommands[0].Name(), "tool device add");
  EXPECT_EQ(root.Leaves().size(), 3u);  // device add, device list, help
  // "add" inherited its family's footer: it is said once, on the family.
  EXPECT_EQ(device.footer, "Exit status: 0 done.");
  EXPECT_EQ(device.subcommands[0].footer, "");
  EXPECT_EQ(device.subcommands[1].footer, "Lists all.");
}

TEST(CommandDocTest, DescribesOptions) {
  SmallCli cli;
  const CommandDoc root = DescribeCommand(cli.root);
  const CommandDoc& add = root.subcommands[0].subcommands[0];
  ASSERT_EQ(add.positionals.size(), 1u);
  EXPECT_EQ(add.positionals[0].value_name, "NAME");
  EXPECT_TRUE(add.positionals[0].required);

  const OptionDoc& auth = OptionNamed(add.options, "--auth");
  EXPECT_EQ(auth.kind, ValueKind::kChoice);
  EXPECT_EQ(auth.value_name, "MODE");
  EXPECT_THAT(auth.choices, ElementsAre("null-string", "auth-string"));

  const OptionDoc& data = OptionNamed(add.options, "--data");
  EXPECT_EQ(data.kind, ValueKind::kDirectory);
  EXPECT_EQ(data.default_value, "var/tool");

  const OptionDoc& cert = OptionNamed(add.options, "--cert");
  EXPECT_EQ(cert.kind, ValueKind::kFile);
  EXPECT_EQ(cert.value_name, "TEXT");  // not "TEXT:FILE", as --help shows it

  const OptionDoc& digest = OptionNamed(add.options, "--digest");
  EXPECT_EQ(digest.kind, ValueKind::kChoice);
  EXPECT_EQ(digest.value_name, "TEXT");

  const OptionDoc& json = OptionNamed(add.options, "--json");
  EXPECT_EQ(json.kind, ValueKind::kNone);
  EXPECT_TRUE(json.value_name.empty());
  for (const auto& option : add.options) EXPECT_NE(option.flags.back(), "--help");
}

}  // namespace
}  // namespace opencapf::cli
