#include "cli/data_dir_options.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <algorithm>
#include <cctype>
#include <optional>
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

void AddConfigOption(CLI::App& cmd, std::string& config) {
  cmd.add_option("--config", config,
                 "Configuration file (default: opencapf.toml in the data directory; the package's "
                 "/etc/opencapf/opencapf.toml with its default data directory)")
      ->type_name("FILE");
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

namespace {

// The owner of `data` when this process is root and that owner is another user.
std::optional<struct stat> OtherOwnerAsRoot(const std::filesystem::path& data) {
  struct stat st {};
  if (geteuid() != 0 || ::stat(data.c_str(), &st) != 0 || st.st_uid == 0) return std::nullopt;
  return st;
}

std::string UserName(uid_t uid) {
  const passwd* pw = getpwuid(uid);
  return pw != nullptr ? std::string(pw->pw_name) : std::to_string(uid);
}

}  // namespace

bool MayWriteDataDir(const std::filesystem::path& data, const std::string& command) {
  const auto owner = OtherOwnerAsRoot(data);
  if (!owner) return true;
  const std::string user = UserName(owner->st_uid);
  std::cerr << "opencapf " << command << ": " << data.string() << " belongs to " << user
            << ", and root would leave files there that " << user << " cannot read. ";
  if (command == "serve") {
    std::cerr << "Start the service instead (systemctl start opencapf: it runs as " << user
              << " with only the right to bind ports below 1024), or give another --data\n";
  } else {
    std::cerr << "Run it as that user (sudo -u " << user << " opencapf " << command
              << " ...), or give another --data\n";
  }
  return false;
}

Status ActAsDataDirOwner(const std::filesystem::path& data) {
  const auto owner = OtherOwnerAsRoot(data);
  if (!owner) return Status::Ok();
  const passwd* pw = getpwuid(owner->st_uid);
  const std::string user = UserName(owner->st_uid);
  const gid_t gid = pw != nullptr ? pw->pw_gid : owner->st_gid;
  // Groups first, then the group, then the user: after setuid nothing else may change.
  const bool switched =
      (pw != nullptr ? initgroups(pw->pw_name, gid) == 0 : setgroups(0, nullptr) == 0) &&
      setgid(gid) == 0 && setuid(owner->st_uid) == 0;
  if (!switched) {
    return Fail("cannot act as " + user + ", the owner of " + data.string() + ": " +
                std::strerror(errno) + "; run the command as that user (sudo -u " + user + ")");
  }
  return Status::Ok();
}

Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data) {
  if (Status st = ActAsDataDirOwner(data); !st.ok()) return st.error();
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
