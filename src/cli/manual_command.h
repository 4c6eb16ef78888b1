#pragma once

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace opencapf::cli {

/// `opencapf manual --out DIR` (the manual pages) and `opencapf completion bash` (the bash
/// completion script), both generated from `root` as it stands when they run: add them after
/// every other command, or anywhere, since they read the tree only then.
void AddManualCommands(CLI::App& root, ExitCode& exit);

}  // namespace opencapf::cli
