#include "cli/data_dir_options.h"

#include <cstdlib>
#include <iostream>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "base/clock.h"
#include "service/data_dir.h"
#include "service/open_store.h"
#include "store/postgres_store.h"

namespace opencapf::cli {

void AddDataOption(CLI::App& cmd, std::string& data) {
  cmd.add_option("--data", data, "Data directory made by 'opencapf init'")
      ->type_name("DIR")
      ->capture_default_str();
}

std::string Shell(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_./:+=@%,-").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string DataArg(const std::string& data) { return " --data " + Shell(data); }

CLI::Validator PostgresUrl() {
  return CLI::Validator(
      [](std::string& url) -> std::string {
        if (store::IsPostgresUrl(url)) return "";
        return "'" + url + "' is not a PostgreSQL URL; give postgresql://USER@HOST[:PORT]/DB";
      },
      "URL");
}

Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data) {
  const service::DataDir dir(data);
  if (!dir.Initialized()) {
    return Fail(data + " is not an opencapf data directory (there is no " + dir.config().string() +
                "); create it with 'opencapf init" + DataArg(data) + "' (or 'opencapf serve" +
                DataArg(data) +
                "', which initialises an empty directory), or name the right one with --data");
  }
  auto opened = service::OpenStore(dir, SystemClock::Instance());
  if (!opened.ok()) return opened.error();
  return std::move(*opened);
}

}  // namespace opencapf::cli

namespace opencapf::cli {

namespace {

// Who ran the command: the login behind sudo when there is one.
std::string CliActor() {
  const char* user = std::getenv("SUDO_USER");
  if (user == nullptr || *user == '\0') user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? "cli (" + std::string(user) + ")" : "cli";
}

}  // namespace

void AuditCli(store::Store& store, const std::string& action, const std::string& target,
              const std::string& detail) {
  store::AuditEntry e{.actor = CliActor(), .action = action, .target = target, .detail = detail};
  if (Status st = store.AppendAudit(e); !st.ok()) {
    std::cerr << "warning: the audit log could not be written: " << st.message() << "\n";
  }
}

void AuditCli(const std::string& data, const std::string& action, const std::string& target,
              const std::string& detail) {
  auto store = OpenStore(data);
  if (!store.ok()) {
    std::cerr << "warning: the audit log could not be written: " << store.message() << "\n";
    return;
  }
  AuditCli(**store, action, target, detail);
}

}  // namespace opencapf::cli
