// `opencapf report`: the CAPF report — every device's LSC state and expiry.
#include <cstdio>
#include <iostream>
#include <memory>

#include "base/clock.h"
#include "base/json.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "cli/option_choices.h"
#include "pki/certificate.h"
#include "report/report.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "service/renewal.h"
#include "store/device.h"

namespace opencapf::cli {

namespace {

struct ReportArgs {
  std::string data = kDefaultDataDir;
  std::string format = "table";
  std::string expiring_within;
  std::string lsc_status;
  bool renewals = false;
};

// `report --renewals`: the renewal plan ([renewal] in opencapf.toml) as `serve` follows it.
int RunRenewals(const ReportArgs& args) {
  const std::string who = "opencapf report --renewals: ";
  if (!args.expiring_within.empty() || !args.lsc_status.empty() || args.format == "csv") {
    std::cerr << who << "takes --format table or json only (no --expiring-within, --lsc-status)"
              << "\nRun 'opencapf report --help' for its usage.\n";
    return 2;
  }
  const service::DataDir dir(args.data);
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) {
    std::cerr << who << config.message() << "\n";
    return 1;
  }
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  const std::time_t now = SystemClock::Instance().Now();
  const auto& policy = config->renewal;
  auto capf = pki::Certificate::Load(dir.certificate(service::kCapf));
  if (!capf.ok()) {
    std::cerr << who << capf.message() << "\n";
    return 1;
  }
  auto plan = service::CurrentRenewalPlan(**store, policy, now, capf->not_after());
  if (!plan.ok()) {
    std::cerr << who << plan.message() << "\n";
    return 1;
  }
  std::size_t unreachable = 0;
  for (const auto& p : *plan) unreachable += !p.reachable;
  if (args.format == "json") {
    nlohmann::json out = nlohmann::json::object();
    out["before_days"] = policy.before_days;
    out["max_per_hour"] = policy.max_per_hour;
    out["window_hours"] = policy.window_hours;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& p : *plan) {
      rows.push_back({{"device", p.device},
                      {"lsc_serial", p.serial_hex},
                      {"lsc_expires", pki::FormatUtc(p.lsc_expires)},
                      {"state", p.scheduled ? "scheduled" : "planned"},
                      {"scheduled_at", pki::FormatUtc(p.scheduled_at)},
                      {"reachable", p.reachable},
                      {"blocked", p.blocked}});
    }
    out["renewals"] = rows;
    out["unreachable"] = unreachable;
    std::cout << DumpJson(out) << "\n";
    return 0;
  }
  if (policy.before_days <= 0) {
    std::cout << "renewal is off ([renewal] before_days = 0)\n";
    return 0;
  }
  std::cout << "renewal: LSCs ending within " << policy.before_days << " days, at most "
            << policy.max_per_hour << " an hour, each within " << policy.window_hours << " h\n";
  if (plan->empty()) {
    std::cout << "no LSC ends within " << policy.before_days << " days\n";
    return 0;
  }
  std::printf("%-16s %-34s %-24s %s\n", "DEVICE", "LSC", "LSC ENDS", "RENEWAL");
  for (const auto& p : *plan) {
    std::string what =
        p.scheduled ? "scheduled, waiting for the phone"
                    : (p.scheduled_at <= now ? "due now" : "at " + pki::FormatUtc(p.scheduled_at));
    if (!p.blocked.empty()) what = "not scheduled: " + p.blocked;
    if (!p.reachable) {
      what += "; its LSC ends first: renew it by another mode (auth string, MIC)";
    }
    std::printf("%-16s %-34s %-24s %s\n", p.device.c_str(), p.serial_hex.c_str(),
                pki::FormatUtc(p.lsc_expires).c_str(), what.c_str());
  }
  std::cout << plan->size() << (plan->size() == 1 ? " renewal" : " renewals") << ", " << unreachable
            << " the plan cannot reach before their LSC ends\n";
  return 0;
}

int RunReport(const ReportArgs& args) {
  if (args.renewals) return RunRenewals(args);
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
  OneOf(cmd->add_option("--format", args->format, "table, csv or json"), {"table", "csv", "json"})
      ->capture_default_str();
  cmd->add_option("--expiring-within", args->expiring_within,
                  "Only LSCs expiring within this span (90d, 12w, 36h); expired ones included");
  Choices(cmd->add_option("--lsc-status", args->lsc_status, "installed, not-installed or pending")
              ->type_name("STATUS"),
          store::FieldChoices("lsc_status"));
  cmd->add_flag("--renewals", args->renewals,
                "The renewal plan instead: which LSCs [renewal] renews, when, and those it cannot "
                "reach before they end");
  AddDataOption(*cmd, args->data);
  cmd->callback([args, &exit]() { exit.value = RunReport(*args); });
}

}  // namespace opencapf::cli
