// `opencapf report`: the CAPF report — every device's LSC state and expiry.
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "base/json.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "report/report.h"

namespace opencapf::cli {

namespace {

struct ReportArgs {
  std::string data = "var/opencapf";
  std::string format = "table";
  std::string expiring_within;
  std::string lsc_status;
};

int RunReport(const ReportArgs& args) {
  const std::string who = "opencapf report: ";
  auto read = report::ReadQuery(args.lsc_status, args.expiring_within);
  if (const auto* bad = std::get_if<report::QueryError>(&read)) {
    std::cerr << who << (bad->field == "lsc_status" ? "--lsc-status: " : "--expiring-within: ")
              << bad->message << "\n";
    return 2;
  }
  const report::Query& query = std::get<report::Query>(read);
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  const std::time_t now = SystemClock::Instance().Now();
  auto built = report::Build(**store, query.filter, now, query.window);
  if (!built.ok()) {
    std::cerr << who << built.message() << "\n";
    return 1;
  }
  if (args.format == "csv") {
    std::cout << report::RenderCsv(*built);
  } else if (args.format == "json") {
    std::cout << DumpJson(report::RenderJson(*built)) << "\n";
  } else {
    std::cout << report::RenderTable(*built, now);
  }
  return 0;
}

}  // namespace

void AddReportCommand(CLI::App& root, ExitCode& exit) {
  auto* cmd = root.add_subcommand(
      "report",
      "The CAPF report: each device's LSC status, operation, LSC expiry, MIC and last "
      "session, with a summary");
  auto args = std::make_shared<ReportArgs>();
  cmd->add_option("--format", args->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--expiring-within", args->expiring_within,
                  "Only LSCs expiring within this span (90d, 12w, 36h); expired ones included");
  cmd->add_option("--lsc-status", args->lsc_status, "installed, not-installed or pending")
      ->type_name("STATUS");
  AddDataOption(*cmd, args->data);
  cmd->callback([args, &exit]() { exit.value = RunReport(*args); });
}

}  // namespace opencapf::cli
