// `opencapf store migrate --data DIR --to postgresql://...`: moves a one-node installation's
// SQLite store into an empty PostgreSQL database, makes the cluster from DIR's certificates and
// switches DIR to it (see service/store_migration.h).
//
// Exit codes: 0 moved; 1 refused or failed, with nothing switched; 2 usage.
#include <iostream>
#include <memory>
#include <string>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "service/store_migration.h"

namespace opencapf::cli {

void AddStoreCommands(CLI::App& root, ExitCode& exit) {
  auto* group = root.add_subcommand("store", "Where this data directory keeps its state");
  group->require_subcommand(1);
  auto data = std::make_shared<std::string>(kDefaultDataDir);
  auto to = std::make_shared<std::string>();
  auto* cmd = group->add_subcommand(
      "migrate",
      "Copy the SQLite store into an empty PostgreSQL database, make it a cluster, switch to it "
      "(stop 'opencapf serve' on this directory first)");
  AddDataOption(*cmd, *data);
  cmd->add_option("--to", *to, "The PostgreSQL database: postgresql://USER@HOST[:PORT]/DB")
      ->type_name("URL")
      ->required()
      ->check(PostgresUrl());
  cmd->callback([data, to, &exit]() {
    const std::string who = "opencapf store migrate: ";
    auto moved =
        service::MigrateStoreToPostgres(service::DataDir(*data), *to, SystemClock::Instance());
    if (!moved.ok()) {
      std::cerr << who << moved.message() << "\n";
      exit.value = 1;
      return;
    }
    for (const auto& line : moved->lines) std::cout << line << "\n";
    std::cout << "next: start 'opencapf serve" << DataArg(*data)
              << "'; other nodes join with 'opencapf init --store URL --cluster-key FILE'\n";
  });
}

}  // namespace opencapf::cli
