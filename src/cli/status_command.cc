// `opencapf status`: what the running server listens on, from the file `serve` writes.
#include <nlohmann/json.hpp>

#include <ctime>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "pki/certificate.h"
#include "service/open_store.h"
#include "service/runtime_status.h"
#include "store/cluster.h"

namespace opencapf::cli {

namespace {

struct ServerStatusArgs {
  std::string data = kDefaultDataDir;
  std::string config;
  bool json = false;
};

// Exit codes as an init script's status action gives them (LSB): 0 running, 3 not running.
constexpr int kServerRunning = 0;
constexpr int kServerNotRunning = 3;

std::string ServerUptime(long long seconds) {
  const long long days = seconds / 86400, hours = seconds % 86400 / 3600,
                  minutes = seconds % 3600 / 60;
  if (days > 0) return std::to_string(days) + " d " + std::to_string(hours) + " h";
  if (hours > 0) return std::to_string(hours) + " h " + std::to_string(minutes) + " min";
  if (minutes > 0) return std::to_string(minutes) + " min " + std::to_string(seconds % 60) + " s";
  return std::to_string(seconds) + " s";
}

// The cluster's nodes as the store knows them; an empty list when it cannot be read (the line
// printed says why).
nlohmann::ordered_json ServerClusterNodes(const service::DataDir& dir, std::string& problem) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) {
    problem = config.message();
    return nodes;
  }
  auto store = service::OpenStore(dir, *config, SystemClock::Instance());
  if (!store.ok()) {
    problem = store.message();
    return nodes;
  }
  store::Cluster* cluster = (*store)->cluster();
  auto listed = cluster != nullptr
                    ? cluster->Nodes()
                    : Result<std::vector<store::NodeRecord>>(std::vector<store::NodeRecord>{});
  if (!listed.ok()) {
    problem = listed.message();
    return nodes;
  }
  const std::time_t now = std::time(nullptr);
  for (const auto& n : *listed) {
    nodes.push_back(nlohmann::ordered_json{{"name", n.name},
                                           {"address", n.address},
                                           {"ports", n.ports},
                                           {"version", n.version},
                                           {"seconds_since_seen", now - n.last_seen},
                                           {"answering", store::NodeAnswering(n, now)}});
  }
  return nodes;
}

int RunServerStatus(const ServerStatusArgs& args) {
  const std::string who = "opencapf status: ";
  const service::DataDir dir(args.data, args.config);
  if (!dir.Initialized()) {
    std::cerr << who << args.data
              << " is not an opencapf data directory; name the right one with --data\n";
    return 2;
  }
  auto observed = service::ReadRuntimeStatus(dir);
  if (!observed.ok()) {
    std::cerr << who << observed.message() << "\n";
    return 2;
  }
  const bool running = observed->has_value() && (*observed)->running;
  if (!running) {
    const std::string why = observed->has_value()
                                ? "not running: " + dir.runtime_status().string() + " names PID " +
                                      std::to_string((*observed)->status.pid) +
                                      ", which has ended (killed, or the machine restarted)"
                                : "not running on " + dir.root().string() + " (no " +
                                      dir.runtime_status().string() + ")";
    if (args.json) {
      std::cout << nlohmann::ordered_json{{"running", false}, {"reason", why}}.dump(2) << "\n";
    } else {
      std::cout << "opencapf serve is " << why
                << "; start it with 'systemctl start opencapf' or 'opencapf serve"
                << DataArg(args.data) << "'\n";
    }
    return kServerNotRunning;
  }
  const service::RuntimeStatus& s = (*observed)->status;
  const long long up = std::max<long long>(0, std::time(nullptr) - s.started);
  std::string nodes_problem;
  const nlohmann::ordered_json nodes =
      s.cluster.empty() ? nlohmann::ordered_json::array() : ServerClusterNodes(dir, nodes_problem);
  if (args.json) {
    nlohmann::ordered_json listeners = nlohmann::ordered_json::array();
    for (const auto& l : s.listeners) {
      listeners.push_back(nlohmann::ordered_json{{"service", l.service},
                                                 {"transport", l.transport},
                                                 {"address", l.address},
                                                 {"port", l.port}});
    }
    nlohmann::ordered_json out = {{"running", true},      {"pid", s.pid},
                                  {"version", s.version}, {"started", pki::FormatUtc(s.started)},
                                  {"uptime_seconds", up}, {"data", s.data},
                                  {"config", s.config},   {"listeners", listeners}};
    if (!s.cluster.empty()) {
      out["cluster"] = s.cluster;
      out["node"] = s.node;
      out["nodes"] = nodes;
      if (!nodes_problem.empty()) out["nodes_error"] = nodes_problem;
    }
    std::cout << out.dump(2) << "\n";
    return kServerRunning;
  }
  std::cout << "opencapf serve " << s.version << " is running: PID " << s.pid << ", up "
            << ServerUptime(up) << " (since " << pki::FormatUtc(s.started) << ")\n"
            << "  data   " << s.data << "\n"
            << "  config " << s.config << "\n";
  for (const auto& l : s.listeners) {
    std::cout << "  " << l.service
              << std::string(6 - std::min<std::size_t>(5, l.service.size()), ' ') << l.address
              << ":" << l.port << "/" << l.transport << "\n";
  }
  if (!s.cluster.empty()) {
    std::cout << "cluster " << s.cluster << ", this node " << s.node << "\n";
    if (!nodes_problem.empty()) std::cout << "  nodes cannot be listed: " << nodes_problem << "\n";
    for (const auto& n : nodes) {
      std::cout << "  " << n["name"].get<std::string>() << "  " << n["address"].get<std::string>()
                << "  " << n["ports"].get<std::string>()
                << (n["answering"].get<bool>() ? "  answering" : "  NOT ANSWERING") << "\n";
    }
  }
  return kServerRunning;
}

}  // namespace

void AddStatusCommand(CLI::App& root, ExitCode& exit) {
  auto* cmd = root.add_subcommand(
      "status", "Show whether opencapf serve runs, and where it listens (PID, ports, uptime)");
  auto args = std::make_shared<ServerStatusArgs>();
  AddDataOption(*cmd, args->data);
  AddConfigOption(*cmd, args->config);
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->footer(
      "Exit status: 0 running; 3 not running (no runtime file, or the process it names has "
      "ended); 2 not a data directory. Reads DATA/status.json, which serve writes once every "
      "listener is bound and removes when it stops.");
  cmd->callback([args, &exit]() { exit.value = RunServerStatus(*args); });
}

}  // namespace opencapf::cli
