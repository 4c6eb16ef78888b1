#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "cli/option_choices.h"

namespace opencapf::cli::testing {

/// A small command line in the shape main() builds, for the generators' tests.
struct SmallCli {
  CLI::App root{"tool: does things.\nAnd more.", "tool"};
  std::string name, auth, data = "var/tool", cert, digest;
  bool json = false;

  SmallCli() {
    root.set_version_flag("--version", "tool 1");
    auto* family = root.add_subcommand("device", "Devices");
    family->require_subcommand(1);
    family->footer("Exit status: 0 done.");
    auto* add = family->add_subcommand("add", "Add one");
    add->add_option("NAME", name, "The device")->required();
    Choices(add->add_option("--auth", auth, "How it proves itself")->type_name("MODE"),
            {"null-string", "auth-string"});
    add->add_option("--data", data, "Data directory")->type_name("DIR")->capture_default_str();
    add->add_option("--cert", cert, "A certificate")->check(CLI::ExistingFile);
    OneOf(add->add_option("--digest", digest, "Hash"), {"sha1", "sha512"});
    add->add_flag("--json", json, "JSON");
    family->add_subcommand("list", "List them")->footer("Lists all.");
    root.add_subcommand("help", "Help");
    root.add_subcommand("secret", "Hidden")->group("");
  }
};

}  // namespace opencapf::cli::testing
