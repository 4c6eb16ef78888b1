#pragma once

#include <string>

#include "cli/command_doc.h"

namespace opencapf::cli {

/// A bash completion script for `root` (the whole command line): commands and subcommands, the
/// flags of the command being typed, the values of flags and arguments that have a fixed set of
/// choices (`opencapf device add --auth <TAB>`), file and directory names for those that take
/// one. Self-contained: it needs bash only, not the bash-completion package's helpers.
std::string BashCompletion(const CommandDoc& root);

}  // namespace opencapf::cli
