// `opencapf init` and `opencapf serve`.
#include <filesystem>
#include <iostream>
#include <memory>

#include "base/file.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "cli/option_choices.h"
#include "opencapf_paths.h"
#include "server/serve.h"
#include "service/data_dir.h"

namespace opencapf::cli {

void AddServeCommands(CLI::App& root, ExitCode& exit) {
  {
    auto* cmd = root.add_subcommand(
        "init", "Create a data directory: CAPF and service certificates, configuration, store");
    auto data = std::make_shared<std::string>(kDefaultDataDir);
    auto capf_key = std::make_shared<std::string>("rsa:2048");
    auto store_url = std::make_shared<std::string>();
    auto cluster_key = std::make_shared<std::string>();
    auto config = std::make_shared<std::string>();
    auto print_config = std::make_shared<bool>(false);
    cmd->add_option("--data", *data, "Data directory")->capture_default_str();
    AddConfigOption(*cmd, *config);
    cmd->add_flag("--print-config", *print_config,
                  "Print the configuration init writes, every default documented, and exit");
    Choices(
        cmd->add_option("--capf-key", *capf_key, "CAPF key: rsa:2048, rsa:4096, ec:256, ec:384"),
        {"rsa:2048", "rsa:4096", "ec:256", "ec:384"})
        ->capture_default_str();
    cmd->add_option("--store", *store_url,
                    "PostgreSQL URL (postgresql://...) to keep the state in, shared by every "
                    "node on it; default: the SQLite file opencapf.db in --data")
        ->type_name("URL")
        ->check(PostgresUrl());
    auto* cluster_key_option =
        cmd->add_option("--cluster-key", *cluster_key,
                        "With --store: join the cluster that database holds, with a copy of the "
                        "cluster.key of one of its nodes")
            ->type_name("FILE")
            ->check(CLI::ExistingFile);
    cluster_key_option->needs("--store");
    cmd->callback([data, config, print_config, capf_key, store_url, cluster_key, &exit]() {
      if (*print_config) {
        std::cout << service::DefaultConfigText(*store_url);
        return;
      }
      const service::DataDir dir(*data, *config);
      if (!MayWriteDataDir(dir.root(), "init")) {
        exit.value = 2;
        return;
      }
      auto spec = pki::KeySpec::Parse(*capf_key);
      if (!spec.ok()) {
        std::cerr << "opencapf init: --capf-key: " << spec.message() << "\n";
        exit.value = 2;
        return;
      }
      service::InitOptions options;
      options.capf_key = *spec;
      options.store_url = *store_url;
      if (!cluster_key->empty()) options.cluster_key = *cluster_key;
      auto made = service::Init(dir, options, SystemClock::Instance());
      if (!made.ok()) {
        std::cerr << "opencapf init: " << made.message() << "\n";
        exit.value = 1;
        return;
      }
      std::cout << "initialised " << *data << ":\n";
      for (const auto& line : *made) {
        if (line.starts_with("administrator password:")) continue;  // shown below instead
        std::cout << "  " << line << "\n";
      }
      // Shown here once, then gone from the disk: init's output is read by the person at the
      // terminal, and no copy of the password should stay behind.
      auto password = ReadFile(dir.initial_admin_password());
      if (password.ok()) {
        std::string text(password->begin(), password->end());
        while (!text.empty() && text.back() == '\n') text.pop_back();
        std::error_code ec;
        std::filesystem::remove(dir.initial_admin_password(), ec);
        std::cout << "administrator password (shown once; log in as admin at https://<this "
                     "host>:8443/, change it with 'opencapf admin passwd'):\n"
                  << text << "\n";
      }
      std::cout << "next: opencapf serve --data " << *data << "\n";
    });
  }
  {
    auto* cmd = root.add_subcommand("serve", "Run the CAPF service (initialising --data if empty)");
    auto options = std::make_shared<server::ServeOptions>();
    auto data = std::make_shared<std::string>(kDefaultDataDir);
    auto config = std::make_shared<std::string>();
    cmd->add_option("--data", *data, "Data directory")->capture_default_str();
    AddConfigOption(*cmd, *config);
    cmd->add_option("--capf-port", options->capf_port, "CAPF TCP port (default from config: 3804)");
    cmd->add_option("--tftp-port", options->tftp_port, "TFTP UDP port (default from config: 69)");
    cmd->add_option("--tvs-port", options->tvs_port, "TVS TCP port (default from config: 2445)");
    cmd->add_option("--http-port", options->http_port,
                    "HTTP provisioning TCP port (default from config: 6970)");
    cmd->add_option("--admin-port", options->admin_port,
                    "Administration page and REST API HTTPS port (default from config: 8443)");
    cmd->add_option("--ocsp-port", options->ocsp_port,
                    "OCSP responder HTTP port; 0 = any free port (default from config [ocsp] "
                    "port, where 0 = off)");
    cmd->add_option("--listen", options->listen, "Address to listen on (default from config)");
    cmd->add_option("--threads", options->threads, "I/O threads (default: one per core)");
    cmd->callback([options, data, config, &exit]() {
      options->data = *data;
      options->config = *config;
      if (!MayWriteDataDir(options->data, "serve")) {
        exit.value = 2;
        return;
      }
      auto st = server::Serve(*options);
      if (!st.ok()) {
        std::cerr << "opencapf serve: " << st.message() << "\n";
        exit.value = 1;
      }
    });
  }
}

}  // namespace opencapf::cli
