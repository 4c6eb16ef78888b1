// `opencapf cluster status [--json]`: the nodes that share this data directory's store, as each
// last reported itself — address, ports, version, when it was last seen, the certificate
// generation it serves and whether its ITLFile.tlv is the one the cluster's current nodes serve.
// `opencapf cluster forget NODE`: takes a node that was retired off the list.
//
// Exit codes: 0 listed (status: and every node seen lately serves the cluster's ITL); 1 a node
// is stale or serves another ITL, or the store is not a cluster's; 2 usage.
#include <algorithm>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "pki/certificate.h"
#include "store/cluster.h"
#include "store/store.h"

namespace opencapf::cli {

namespace {

struct ClusterStatusArgs {
  std::string data = kDefaultDataDir;
  bool json = false;
};

int RunClusterStatus(const ClusterStatusArgs& args) {
  const std::string who = "opencapf cluster status: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  store::Cluster* cluster = (*store)->cluster();
  if (cluster == nullptr) {
    std::cerr << who << args.data
              << " keeps its state in its own SQLite file: it is one node, not a cluster (a "
                 "cluster shares a PostgreSQL store: opencapf init --store postgresql://...)\n";
    return 1;
  }
  auto record = cluster->Record();
  auto generation = cluster->CertificatesGeneration();
  auto nodes = cluster->Nodes();
  for (const Status& st : {record.ok() ? Status::Ok() : Status(record.error()),
                           generation.ok() ? Status::Ok() : Status(generation.error()),
                           nodes.ok() ? Status::Ok() : Status(nodes.error())}) {
    if (!st.ok()) {
      std::cerr << who << st.message() << "\n";
      return 1;
    }
  }
  if (!*record) {
    std::cerr << who
              << "the store holds no cluster yet: the first 'opencapf serve' or 'opencapf "
                 "init --store' on it makes one\n";
    return 1;
  }
  const std::time_t now = std::time(nullptr);
  const std::string reference = store::ClusterItlSha256(*nodes, *generation, now);
  bool all_well = true;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& n : *nodes) {
    const bool fresh = store::NodeAnswering(n, now);
    const bool matches = !reference.empty() && n.itl_sha256 == reference;
    if (fresh && !matches) all_well = false;
    list.push_back({{"name", n.name},
                    {"address", n.address},
                    {"ports", n.ports},
                    {"version", n.version},
                    {"started", pki::FormatUtc(n.started)},
                    {"last_seen", pki::FormatUtc(n.last_seen)},
                    {"seconds_since_seen", now - n.last_seen},
                    {"answering", fresh},
                    {"generation", n.generation},
                    {"itl_sha256", n.itl_sha256},
                    {"itl_matches", matches},
                    {"capf_sha256", n.capf_sha256}});
  }
  if (args.json) {
    nlohmann::ordered_json out = {{"cluster", (*record)->id},
                                  {"created", pki::FormatUtc((*record)->created)},
                                  {"certificate_generation", *generation},
                                  {"itl_sha256", reference},
                                  {"nodes", list}};
    std::cout << out.dump(2) << "\n";
    return all_well ? 0 : 1;
  }
  std::cout << "cluster " << (*record)->id << ", certificate generation " << *generation << ", "
            << nodes->size() << " node(s)\n";
  if (nodes->empty()) std::cout << "  no node has reported yet: start 'opencapf serve'\n";
  for (const auto& j : list) {
    const long ago = j["seconds_since_seen"].get<long>();
    std::cout << "  " << j["name"].get<std::string>() << "  " << j["address"].get<std::string>()
              << "  " << j["ports"].get<std::string>() << "  version "
              << j["version"].get<std::string>() << "\n"
              << "    last seen " << ago << " s ago"
              << (j["answering"].get<bool>() ? ""
                                             : " (NOT ANSWERING: stopped, or cannot reach "
                                               "the database)")
              << ", generation " << j["generation"].get<std::int64_t>() << ", ITL "
              << j["itl_sha256"].get<std::string>().substr(0, 16)
              << (j["itl_matches"].get<bool>() ? " (the cluster's)"
                                               : " (NOT the cluster's: it serves another ITL)")
              << "\n";
  }
  return all_well ? 0 : 1;
}

int RunClusterForget(const std::string& data, const std::string& node) {
  const std::string who = "opencapf cluster forget: ";
  auto store = OpenStore(data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  store::Cluster* cluster = (*store)->cluster();
  if (cluster == nullptr) {
    std::cerr << who << data << " is one node with its own SQLite store; it has no node list\n";
    return 1;
  }
  if (Status st = cluster->RemoveNode(node); !st.ok()) {
    std::cerr << who << st.message() << "\n";
    return 1;
  }
  AuditCli(**store, "cluster.forget", node, "taken off the node list");
  std::cout << "node " << node
            << " is off the list (it comes back if its 'opencapf serve' still runs)\n";
  return 0;
}

}  // namespace

void AddClusterCommands(CLI::App& root, ExitCode& exit) {
  auto* cluster =
      root.add_subcommand("cluster", "The nodes that share this data directory's PostgreSQL store");
  cluster->require_subcommand(1);
  {
    auto args = std::make_shared<ClusterStatusArgs>();
    auto* cmd = cluster->add_subcommand(
        "status", "Every node: address, ports, version, last seen, and whether its ITL matches");
    AddDataOption(*cmd, args->data);
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([args, &exit]() { exit.value = RunClusterStatus(*args); });
  }
  {
    auto data = std::make_shared<std::string>(kDefaultDataDir);
    auto node = std::make_shared<std::string>();
    auto* cmd = cluster->add_subcommand("forget", "Take a retired node off the cluster's list");
    cmd->add_option("NODE", *node, "The node, as 'cluster status' names it")->required();
    AddDataOption(*cmd, *data);
    cmd->callback([data, node, &exit]() { exit.value = RunClusterForget(*data, *node); });
  }
}

}  // namespace opencapf::cli
