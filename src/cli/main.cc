// The opencapf command line: one binary, subcommands per concern. Handlers live in
// *_command.cc; this file only builds the tree, parses and returns the exit code.
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/logging.h"
#include "cli/manual_command.h"
#include "opencapf_version.h"

namespace {

// `opencapf help [COMMAND...]`: the help of the root or of the named subcommand.
void AddHelpCommand(CLI::App& root) {
  auto* help = root.add_subcommand("help", "Show help for opencapf or for a command");
  auto topics = std::make_shared<std::vector<std::string>>();
  help->add_option("command", *topics, "Command to explain, e.g. 'itl build'");
  help->callback([&root, help, topics]() {
    CLI::App* app = &root;
    std::string path = root.get_name();
    for (const auto& name : *topics) {
      CLI::App* next = nullptr;
      try {
        next = app->get_subcommand(name);
      } catch (const CLI::OptionNotFound&) {
      }
      if (!next || next == help) {
        throw CLI::ValidationError(
            "help", "'" + name + "' is not an opencapf command; try 'opencapf help'");
      }
      app = next;
      path += " " + name;
    }
    // App::help() would describe the selected subcommand (help itself); format the named app.
    std::cout << app->get_formatter()->make_help(app, path, CLI::AppFormatMode::Normal);
  });
}

// The deepest subcommand the parser had reached ("opencapf device set"), so a usage error can
// say which --help to read, and the arguments it could not place.
struct Reached {
  std::string path;
  std::vector<std::string> unplaced;
};
Reached ReachedCommand(CLI::App& root) {
  Reached out{root.get_name(), {}};
  CLI::App* app = &root;
  while (true) {
    auto chosen = app->get_subcommands();
    if (chosen.empty()) break;
    app = chosen.front();
    out.path += " " + app->get_name();
  }
  out.unplaced = app->remaining();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  opencapf::cli::ConfigureLogging();
  CLI::App root{
      "opencapf: Locally Significant Certificates for Cisco IP phones.\n"
      "CAPF, TVS and TFTP services and the tools to schedule, track and troubleshoot LSCs.",
      "opencapf"};
  root.set_version_flag("--version", std::string("opencapf ") + opencapf::kVersion);
  root.require_subcommand(1);
  root.fallthrough(false);

  opencapf::cli::ExitCode exit;
  AddHelpCommand(root);
  opencapf::cli::AddItlCommands(root, exit);
  opencapf::cli::AddSgnCommands(root, exit);
  opencapf::cli::AddServeCommands(root, exit);
  opencapf::cli::AddStatusCommand(root, exit);
  opencapf::cli::AddDeviceCommands(root, exit);
  opencapf::cli::AddReportCommand(root, exit);
  opencapf::cli::AddTrustCommands(root, exit);
  opencapf::cli::AddTvsCommands(root, exit);
  opencapf::cli::AddPhoneCommands(root, exit);
  opencapf::cli::AddDoctorCommands(root, exit);
  opencapf::cli::AddCertCommands(root, exit);
  opencapf::cli::AddAdminCommands(root, exit);
  opencapf::cli::AddClusterCommands(root, exit);
  opencapf::cli::AddStoreCommands(root, exit);
  opencapf::cli::AddRevokeCommand(root, exit);
  opencapf::cli::AddManualCommands(root, exit);

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "errors" with exit code 0: CLI11 prints them.
    if (e.get_exit_code() == 0) return root.exit(e);
    // CLI11's own codes (105 to 114) mean nothing to a script: every usage error is 2, as each
    // --help and the README say, with CLI11's words and the help that explains the command.
    const Reached reached = ReachedCommand(root);
    std::cerr << "opencapf: " << e.what() << "\n";
    // A missing subcommand or option is reported before a word CLI11 could not place, which is
    // usually the real mistake (a misspelt command or flag): name it too.
    if (!reached.unplaced.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr) {
      std::cerr << "opencapf: '" << reached.unplaced.front() << "' is not an option or command of '"
                << reached.path << "'\n";
    }
    std::cerr << "Run '" << reached.path << " --help' for its usage.\n";
    return 2;
  }
  return exit.value;
}
