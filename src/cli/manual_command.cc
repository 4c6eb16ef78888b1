// `opencapf manual` and `opencapf completion`: the manual pages and the shell completion, written
// from the command definitions themselves so that they say what the binary accepts.
//
// Exit codes: 0 written; 1 a file could not be written; 2 a usage error.
#include "cli/manual_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>

#include "cli/bash_completion.h"
#include "cli/command_doc.h"
#include "cli/man_page.h"
#include "opencapf_version.h"

namespace opencapf::cli {

namespace {

/// Writes `text` to `path`; false (with the reason on stderr) when it cannot.
bool WriteTextFile(const std::filesystem::path& path, const std::string& text,
                   const std::string& who) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << who << "cannot write " << path.string() << ": " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

int RunManual(CLI::App& root, const std::filesystem::path& dir) {
  const std::string who = "opencapf manual: ";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    std::cerr << who << "cannot create " << dir.string() << ": " << error.message() << "\n";
    return 1;
  }
  const auto pages = ManPages(DescribeCommand(root), std::string("opencapf ") + kVersion);
  for (const auto& page : pages) {
    if (!WriteTextFile(dir / page.file_name, page.source, who)) return 1;
  }
  std::cout << "wrote " << pages.size() << " manual pages to " << dir.string() << " ("
            << pages.front().file_name << ", " << pages[1].file_name
            << ", ...); read one with: man -l " << (dir / pages.front().file_name).string() << "\n";
  return 0;
}

int RunBashCompletion(CLI::App& root, const std::string& out) {
  const std::string script = BashCompletion(DescribeCommand(root));
  if (out.empty()) {
    std::cout << script;
    return 0;
  }
  return WriteTextFile(out, script, "opencapf completion bash: ") ? 0 : 1;
}

}  // namespace

void AddManualCommands(CLI::App& root, ExitCode& exit) {
  {
    auto* cmd = root.add_subcommand(
        "manual", "Write the manual pages (opencapf.1, opencapf-device.1, ...) into a directory");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("--out", *dir, "Directory to write them in (made if missing)")
        ->type_name("DIR")
        ->required();
    cmd->footer("Read a page without installing it: man -l DIR/opencapf-device.1");
    cmd->callback([&root, dir, &exit]() { exit.value = RunManual(root, *dir); });
  }
  {
    auto* completion =
        root.add_subcommand("completion", "Print a shell completion script for opencapf");
    completion->require_subcommand(1);
    auto* cmd = completion->add_subcommand(
        "bash",
        "The bash completion script: commands, flags, and the values of flags that have "
        "choices");
    auto out = std::make_shared<std::string>();
    cmd->add_option("--out", *out, "Write it here instead of standard output")->type_name("FILE");
    cmd->footer(
        "Use it in this shell: source <(opencapf completion bash); for every shell, install it as "
        "/usr/share/bash-completion/completions/opencapf.");
    cmd->callback([&root, out, &exit]() { exit.value = RunBashCompletion(root, *out); });
  }
}

}  // namespace opencapf::cli
