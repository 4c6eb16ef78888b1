// `opencapf admin passwd | token create|list|revoke | audit`: the administration server's
// credentials and its audit log, kept in the store under --data.
//
// Exit codes: 0 done; 1 refused (no such token, name taken, store failure, password rejected);
// 2 the command line itself is wrong.
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "admin/auth.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "pki/secret.h"
#include "service/data_dir.h"
#include "store/device_json.h"
#include "store/time_text.h"

namespace opencapf::cli {

namespace {

/// One line from the terminal without echoing it.
std::optional<std::string> ReadHidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!got) return std::nullopt;
  return line;
}

struct PasswdArgs {
  std::string data = kDefaultDataDir;
  bool from_stdin = false;
};

int RunPasswd(const PasswdArgs& args) {
  const std::string who = "opencapf admin passwd: ";
  std::string password;
  if (args.from_stdin) {
    if (!std::getline(std::cin, password)) {
      std::cerr << who
                << "--password-stdin: nothing on standard input; pipe the password in, "
                   "e.g. printf '%s\\n' \"$PASSWORD\" | opencapf admin passwd "
                   "--password-stdin\n";
      return 2;
    }
  } else {
    if (::isatty(STDIN_FILENO) == 0) {
      std::cerr << who
                << "standard input is not a terminal; to set the password from a script, "
                   "give --password-stdin and pipe it in\n";
      return 2;
    }
    auto first = ReadHidden("New administrator password: ");
    auto second = first ? ReadHidden("Type it again: ") : std::nullopt;
    if (!first || !second) {
      std::cerr << who << "no password read; nothing changed\n";
      return 1;
    }
    if (*first != *second) {
      std::cerr << who << "the two passwords differ; nothing changed. Run it again\n";
      return 1;
    }
    password = *first;
  }
  if (Status ok = pki::CheckNewPassword(password); !ok.ok()) {
    std::cerr << who << ok.message() << "; nothing changed\n";
    return 1;
  }
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  auto hash = pki::HashPassword(password);
  if (!hash.ok()) {
    std::cerr << who << hash.message() << "\n";
    return 1;
  }
  if (Status set = (*store)->SetAdminPassword(*hash); !set.ok()) {
    std::cerr << who << set.message() << "\n";
    return 1;
  }
  AuditCli(**store, "password.change", std::string(admin::kAdminUser), "");
  const service::DataDir dir(args.data);
  std::error_code ec;
  const bool had_initial = std::filesystem::remove(dir.initial_admin_password(), ec);
  std::cout << "the administrator password is changed; every login session ends at its next "
               "request (log in again as "
            << admin::kAdminUser << ")\n";
  if (had_initial) {
    std::cout << "removed " << dir.initial_admin_password().string()
              << " (the generated first password)\n";
  }
  return 0;
}

struct TokenArgs {
  std::string data = kDefaultDataDir;
  std::string name;
};

int RunTokenCreate(const TokenArgs& args) {
  const std::string who = "opencapf admin token create: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  auto token = admin::CreateApiToken(**store, args.name);
  if (!token.ok()) {
    std::cerr << who << token.message() << "\n";
    return 1;
  }
  AuditCli(**store, "token.create", args.name, "");
  // The token alone on the last line, so a script can take it with `tail -n 1`.
  std::cout << "API token '" << args.name
            << "' created. It is shown only now: keep it in your script's secret store.\n"
               "Use it as 'Authorization: Bearer TOKEN' (see docs/api.md); revoke it with "
               "'opencapf admin token revoke "
            << args.name << "'.\n"
            << *token << "\n";
  return 0;
}

int RunTokenList(const TokenArgs& args) {
  const std::string who = "opencapf admin token list: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  auto tokens = (*store)->ListApiTokens();
  if (!tokens.ok()) {
    std::cerr << who << tokens.message() << "\n";
    return 1;
  }
  if (tokens->empty()) {
    std::cout << "no API tokens; make one with 'opencapf admin token create NAME'\n";
    return 0;
  }
  std::size_t width = 4;
  for (const auto& t : *tokens) width = std::max(width, t.name.size());
  auto pad = [&](const std::string& s) { return s + std::string(width + 2 - s.size(), ' '); };
  std::cout << pad("NAME") << "CREATED               LAST USED\n";
  for (const auto& t : *tokens) {
    std::cout << pad(t.name) << store::FormatTime(t.created) << "  "
              << (t.last_used ? store::FormatTime(*t.last_used) : std::string("never")) << "\n";
  }
  return 0;
}

int RunTokenRevoke(const TokenArgs& args) {
  const std::string who = "opencapf admin token revoke: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  if (Status removed = (*store)->RemoveApiToken(args.name); !removed.ok()) {
    std::cerr << who << removed.message() << "\n";
    return 1;
  }
  AuditCli(**store, "token.revoke", args.name, "");
  std::cout << "API token '" << args.name << "' revoked: requests with it get 401 from now on\n";
  return 0;
}

struct AuditArgs {
  std::string data = kDefaultDataDir;
  std::size_t limit = 50;
  bool json = false;
};

int RunAudit(const AuditArgs& args) {
  const std::string who = "opencapf admin audit: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) {
    std::cerr << who << store.message() << "\n";
    return 1;
  }
  auto entries = (*store)->ListAudit(args.limit);
  if (!entries.ok()) {
    std::cerr << who << entries.message() << "\n";
    return 1;
  }
  if (args.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : *entries) out.push_back(store::AuditJson(e));
    std::cout << out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return 0;
  }
  if (entries->empty()) {
    std::cout << "the audit log is empty\n";
    return 0;
  }
  for (const auto& e : *entries) {
    std::cout << store::FormatTime(e.at) << "  " << e.actor
              << (e.peer.empty() ? "" : " from " + e.peer) << "  " << e.action << " " << e.target
              << (e.detail.empty() ? "" : ": " + e.detail) << "\n";
  }
  return 0;
}

}  // namespace

void AddAdminCommands(CLI::App& root, ExitCode& exit) {
  auto* admin =
      root.add_subcommand("admin", "The administration page's password, API tokens and audit log");
  admin->require_subcommand(1);
  {
    auto* cmd = admin->add_subcommand(
        "passwd", "Set the administrator password (asked twice on the terminal)");
    auto args = std::make_shared<PasswdArgs>();
    cmd->add_flag("--password-stdin", args->from_stdin,
                  "Read the password from the first line of standard input (for scripts)");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunPasswd(*args); });
  }
  {
    auto* token = admin->add_subcommand("token", "API tokens for scripts (Authorization: Bearer)");
    token->require_subcommand(1);
    auto add = [&](const char* name, const char* what, int (*run)(const TokenArgs&),
                   bool needs_name) {
      auto* cmd = token->add_subcommand(name, what);
      auto args = std::make_shared<TokenArgs>();
      if (needs_name) {
        cmd->add_option("NAME", args->name, "The token's name (what it is for: ci-script)")
            ->required();
      }
      AddDataOption(*cmd, args->data);
      cmd->callback([args, run, &exit]() { exit.value = run(*args); });
    };
    add("create", "Make a token; it is printed once, alone on the last line", RunTokenCreate, true);
    add("list", "The tokens, when each was made and last used", RunTokenList, false);
    add("revoke", "Remove a token: requests with it are refused from then on", RunTokenRevoke,
        true);
  }
  {
    auto* cmd = admin->add_subcommand(
        "audit", "Every change made through the page, the API and these commands, newest first");
    auto args = std::make_shared<AuditArgs>();
    cmd->add_option("--limit", args->limit, "How many entries (0: all)")->capture_default_str();
    cmd->add_flag("--json", args->json, "JSON instead of text");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunAudit(*args); });
  }
}

}  // namespace opencapf::cli
