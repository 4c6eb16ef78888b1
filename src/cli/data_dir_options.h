#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace opencapf::cli {

/// `--data DIR` on a command, defaulting to var/opencapf.
void AddDataOption(CLI::App& cmd, std::string& data);

/// A word as the user would type it in a shell: quoted only when it needs to be.
std::string Shell(const std::string& word);

/// " --data DIR", for commands a message suggests.
std::string DataArg(const std::string& data);

/// Records a change made from the command line in the audit log (actor "cli (USER)"), as the
/// page and the API record theirs. A failure to write it is a warning, not the command's failure.
void AuditCli(store::Store& store, const std::string& action, const std::string& target,
              const std::string& detail);

/// The same, opening the store of `data` (for commands that do not hold it open).
void AuditCli(const std::string& data, const std::string& action, const std::string& target,
              const std::string& detail);

/// The store of an initialised data directory; never creates one in a directory `init` has not
/// made, and says what to type instead.
Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data);

/// A CLI11 check for options that take a PostgreSQL URL: the usage error says what to give.
CLI::Validator PostgresUrl();

}  // namespace opencapf::cli
