#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>

namespace opencapf::cli {

/// Where a subcommand's handler stores its exit code; main() returns it after parsing.
struct ExitCode {
  int value = 0;
};

/// Each command family adds its subcommands to the root here.
void AddItlCommands(CLI::App& root, ExitCode& exit);
void AddSgnCommands(CLI::App& root, ExitCode& exit);
void AddServeCommands(CLI::App& root, ExitCode& exit);
void AddDeviceCommands(CLI::App& root, ExitCode& exit);
void AddReportCommand(CLI::App& root, ExitCode& exit);
void AddTrustCommands(CLI::App& root, ExitCode& exit);
void AddTvsCommands(CLI::App& root, ExitCode& exit);
void AddPhoneCommands(CLI::App& root, ExitCode& exit);
void AddDoctorCommands(CLI::App& root, ExitCode& exit);
void AddCertCommands(CLI::App& root, ExitCode& exit);
void AddAdminCommands(CLI::App& root, ExitCode& exit);
void AddClusterCommands(CLI::App& root, ExitCode& exit);
void AddStoreCommands(CLI::App& root, ExitCode& exit);
void AddStatusCommand(CLI::App& root, ExitCode& exit);
/// `device revoke`: call after AddDeviceCommands.
void AddRevokeCommand(CLI::App& root, ExitCode& exit);

}  // namespace opencapf::cli
