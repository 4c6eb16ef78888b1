#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace opencapf::cli {

/// `--data DIR` on a command, defaulting to kDefaultDataDir (var/opencapf; the package:
/// /var/lib/opencapf).
void AddDataOption(CLI::App& cmd, std::string& data);

/// `--config FILE`: the configuration, when it is not the data directory's own (or the
/// package's /etc/opencapf/opencapf.toml with the default data directory).
void AddConfigOption(CLI::App& cmd, std::string& config);

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

/// False, with a message saying what to run instead, when root would write a data directory that
/// belongs to another user (the package's opencapf): the service could not read what it wrote.
/// For serve and init, which must not change user (serve would lose the right to bind port 69).
bool MayWriteDataDir(const std::filesystem::path& data, const std::string& command);

/// Run as root on a data directory that belongs to another user (the package's opencapf), the
/// command becomes that user, groups included, as Debian's pg_ctlcluster does for PostgreSQL's:
/// what `sudo opencapf device add` writes stays the service's. Otherwise nothing changes.
Status ActAsDataDirOwner(const std::filesystem::path& data);

/// The store of an initialised data directory (as its owner: ActAsDataDirOwner); never creates one
/// in a directory `init` has not made, and says what to type instead.
Result<std::unique_ptr<store::Store>> OpenStore(const std::string& data);

/// A CLI11 check for options that take a PostgreSQL URL: the usage error says what to give.
CLI::Validator PostgresUrl();

}  // namespace opencapf::cli
