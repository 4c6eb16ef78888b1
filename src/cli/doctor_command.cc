// `opencapf doctor`: the troubleshooting checks.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "doctor/doctor.h"
#include "opencapf_paths.h"

namespace opencapf::cli {

namespace {

struct DoctorArgs {
  std::string data = kDefaultDataDir;
  std::string device;
  std::vector<std::string> tftp;
  std::string capf;
  std::string tvs;
  int expiry_days = 60;
  int timeout = 5;
  bool json = false;
};

int RunDoctorCommand(const DoctorArgs& args) {
  const std::string who = "opencapf doctor: ";
  doctor::DoctorOptions options;
  options.data = args.data;
  if (!args.device.empty()) options.device = args.device;
  for (const auto& text : args.tftp) {
    auto server = phone::ParseHostPort(text, 69);
    if (!server.ok()) {
      std::cerr << who << "--tftp: " << server.message() << "\n";
      return 2;
    }
    options.tftp.push_back(*server);
  }
  for (auto [text, port, slot] :
       {std::tuple{&args.capf, 3804, &options.capf}, std::tuple{&args.tvs, 2445, &options.tvs}}) {
    if (text->empty()) continue;
    auto server = phone::ParseHostPort(*text, static_cast<std::uint16_t>(port));
    if (!server.ok()) {
      std::cerr << who << server.message() << "\n";
      return 2;
    }
    *slot = *server;
  }
  if (args.expiry_days < 0 || args.timeout < 1) {
    std::cerr << who << "--expiry-days must not be negative and --timeout at least 1\n";
    return 2;
  }
  options.expiry_warn_days = args.expiry_days;
  options.timeout = std::chrono::seconds(args.timeout);
  auto report = doctor::RunDoctor(options, SystemClock::Instance());
  if (!report.ok()) {
    std::cerr << who << report.message() << "\n";
    return 2;
  }
  std::cout << (args.json ? doctor::ReportJson(*report) : doctor::ReportText(*report));
  return report->ExitCode();
}

}  // namespace

void AddDoctorCommands(CLI::App& root, ExitCode& exit) {
  auto* cmd = root.add_subcommand(
      "doctor",
      "Check everything the LSC procedure's troubleshooting covers: certificates, CAPF, TVS and "
      "TFTP as phones reach them, the ITL each TFTP server serves, host names, every device");
  auto args = std::make_shared<DoctorArgs>();
  cmd->add_option("--data", args->data, "Data directory made by 'opencapf init'")
      ->type_name("DIR")
      ->capture_default_str();
  cmd->add_option("--device", args->device,
                  "Check this phone only, listing every check (OK ones too)");
  cmd->add_option("--tftp", args->tftp,
                  "A TFTP server whose ITLFile.tlv to check, HOST[:PORT]; repeat for each one "
                  "(default: the local server from opencapf.toml)");
  cmd->add_option("--capf", args->capf, "Where CAPF is, HOST[:PORT] (default: from the config)");
  cmd->add_option("--tvs", args->tvs, "Where TVS is, HOST[:PORT] (default: from the config)");
  cmd->add_option("--expiry-days", args->expiry_days,
                  "Certificates expiring within this many days are a WARN")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Seconds to wait for each network check")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->footer(
      "Exit status: 0 every check OK; 1 at least one FAIL; 3 warnings only; 2 the checks could "
      "not run (not a data directory, a flag value that cannot be used).");
  cmd->callback([args, &exit]() { exit.value = RunDoctorCommand(*args); });
}

}  // namespace opencapf::cli
