#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace opencapf::cli {

// The values an option accepts, kept on the option itself so the manual pages and the shell
// completion list them from the same place the command line is defined. They travel as a CLI11
// validator that never runs and describes nothing: --help and every error message stay CLI11's.

/// The option takes one of `values`: anything else is a usage error in CLI11's words
/// ("--digest: md5 not in {sha1,sha512}"), as CLI::IsMember gives it.
CLI::Option* OneOf(CLI::Option* option, const std::vector<std::string>& values);

/// The option's usual values, for the manual and completion only: the command reads and
/// refuses the value itself (its own message, or other spellings it also accepts).
CLI::Option* Choices(CLI::Option* option, const std::vector<std::string>& values);

/// What OneOf or Choices declared for `option`, in their order; empty when neither did.
std::vector<std::string> ChoicesOf(CLI::Option& option);

}  // namespace opencapf::cli
