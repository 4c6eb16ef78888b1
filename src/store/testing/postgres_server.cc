#include "store/testing/postgres_server.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include <libpq-fe.h>

extern char** environ;

namespace opencapf::store::testing {
namespace {

constexpr std::string_view kUrlPrefix = "postgresql://opencapf@127.0.0.1:";

std::string ErrnoText(int error) { return std::strerror(error); }

/// Runs tests/pg-server with `args` and returns what it printed on stdout; its stderr is ours.
/// PG_SERVER_OWNER tells it to stop the server should this process die without doing so.
Result<std::string> RunPgServer(const std::vector<std::string>& args) {
  std::string what = "tests/pg-server";
  for (const auto& arg : args) what += " " + arg;

  std::vector<std::string> argv_storage = {"bash", OPENCAPF_PG_SERVER};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with("PG_SERVER_OWNER=")) continue;
    env_storage.emplace_back(*entry);
  }
  env_storage.push_back("PG_SERVER_OWNER=" + std::to_string(getpid()));
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Fail(what + ": pipe: " + ErrnoText(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "bash", &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return Fail(what + ": cannot run bash: " + ErrnoText(spawned));
  }

  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fds[0]);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Fail(what + ": waitpid: " + ErrnoText(errno));
  }
  if (WIFSIGNALED(status)) {
    return Fail(what + ": killed by signal " + std::to_string(WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) != 0) {
    return Fail(what + ": failed with exit status " + std::to_string(WEXITSTATUS(status)) +
                " (its messages are on stderr above)");
  }
  return out;
}

/// The port in pg-server's one line of output, postgresql://opencapf@127.0.0.1:PORT/postgres.
Result<int> ParsePort(const std::string& out) {
  std::string_view line = out;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  int port = 0;
  if (line.starts_with(kUrlPrefix)) {
    const std::string_view rest = line.substr(kUrlPrefix.size());
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
    if (error == std::errc() && std::string_view(end, rest.data() + rest.size()) == "/postgres" &&
        port > 0 && port < 65536) {
      return port;
    }
  }
  return Fail("tests/pg-server printed \"" + std::string(line) + "\", not " +
              std::string(kUrlPrefix) + "PORT/postgres");
}

/// A new directory of our own under the system's temporary directory.
Result<std::string> MakeDirectory() {
  std::error_code error;
  const auto base = std::filesystem::temp_directory_path(error);
  if (error) return Fail("no temporary directory: " + error.message());
  std::string pattern = (base / "opencapf-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Fail("cannot create a directory like " + pattern + ": " + ErrnoText(errno));
  }
  return pattern;
}

void RemoveDirectory(const std::string& directory) {
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
}

/// Starts a server in a new directory with `command` DIR (start, or standby PRIMARY); the
/// directory and the port.
Result<std::pair<std::string, int>> StartIn(std::vector<std::string> command) {
  auto directory = MakeDirectory();
  if (!directory.ok()) return directory.error();
  command.push_back(*directory);
  const auto out = RunPgServer(command);
  const Result<int> port = out.ok() ? ParsePort(*out) : Result<int>(out.error());
  if (!port.ok()) {
    (void)RunPgServer({"stop", *directory});
    RemoveDirectory(*directory);
    return port.error();
  }
  return std::make_pair(std::move(*directory), *port);
}

/// Closes a libpq connection and result when they go out of scope.
struct Connection {
  PGconn* conn = nullptr;
  ~Connection() {
    if (conn != nullptr) PQfinish(conn);
  }
};
struct QueryResult {
  PGresult* result = nullptr;
  ~QueryResult() {
    if (result != nullptr) PQclear(result);
  }
};

std::string Trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

PostgresServer::PostgresServer(std::string directory, int port)
    : directory_(std::move(directory)), port_(port), owner_(getpid()) {}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  auto started = StartIn({"start"});
  if (!started.ok()) return Context("PostgreSQL test server", started.error());
  return std::unique_ptr<PostgresServer>(
      new PostgresServer(std::move(started->first), started->second));
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::StartStandby(
    const PostgresServer& primary) {
  auto started = StartIn({"standby", primary.directory_});
  if (!started.ok()) return Context("PostgreSQL test standby", started.error());
  return std::unique_ptr<PostgresServer>(
      new PostgresServer(std::move(started->first), started->second));
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Attach(const std::string& directory) {
  std::ifstream in(directory + "/port");
  int port = 0;
  if (!(in >> port) || port <= 0) return Fail(directory + ": no running test server there");
  std::unique_ptr<PostgresServer> server(new PostgresServer(directory, port));
  server->attached_ = true;
  auto alive = server->Query("SELECT 1");
  if (!alive.ok()) return alive.error();
  return server;
}

PostgresServer::~PostgresServer() {
  // A forked child (a death test) that exits must not stop its parent's server.
  if (getpid() != owner_ || attached_) return;
  (void)RunPgServer({"stop", directory_});
  RemoveDirectory(directory_);
}

std::string PostgresServer::Url(std::string_view database) const {
  return std::string(kUrlPrefix) + std::to_string(port_) + "/" + std::string(database);
}

Result<std::string> PostgresServer::CreateDatabase() {
  const std::string name =
      "opencapf_test_" + std::to_string(getpid()) + "_" + std::to_string(++next_database_);
  auto created = Query("CREATE DATABASE " + name);
  if (!created.ok()) return created.error();
  return Url(name);
}

Result<std::string> PostgresServer::Query(std::string_view sql, std::string_view database) {
  const std::string url = Url(database);
  // Plain TCP, whatever PGSSLMODE and friends say: the server has neither TLS nor GSSAPI.
  const char* keywords[] = {"dbname", "connect_timeout", "sslmode", "gssencmode", nullptr};
  const char* values[] = {url.c_str(), "10", "disable", "disable", nullptr};
  Connection connection{PQconnectdbParams(keywords, values, /*expand_dbname=*/1)};
  if (connection.conn == nullptr) return Fail(url + ": out of memory");
  if (PQstatus(connection.conn) != CONNECTION_OK) {
    return Fail(url + ": cannot connect: " + Trimmed(PQerrorMessage(connection.conn)));
  }
  const std::string statement(sql);
  QueryResult result{PQexec(connection.conn, statement.c_str())};
  const ExecStatusType status = PQresultStatus(result.result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(url + ": " + statement + ": " + Trimmed(PQerrorMessage(connection.conn)));
  }
  if (status == PGRES_TUPLES_OK && PQntuples(result.result) > 0 && PQnfields(result.result) > 0) {
    return std::string(PQgetvalue(result.result, 0, 0));
  }
  return std::string();
}

Status PostgresServer::Stop() {
  if (attached_)
    return Fail(directory_ + ": this test server was started by someone else; not stopping it");
  auto stopped = RunPgServer({"stop", directory_});
  if (!stopped.ok()) return stopped.error();
  return Status::Ok();
}

Status PostgresServer::Restart() {
  auto out = RunPgServer({"start", directory_});
  if (!out.ok()) return out.error();
  auto port = ParsePort(*out);
  if (!port.ok()) return port.error();
  if (*port != port_) {
    return Fail("tests/pg-server restarted the server in " + directory_ + " on port " +
                std::to_string(*port) + ", not " + std::to_string(port_));
  }
  return Status::Ok();
}

Status PostgresServer::Promote() {
  auto promoted = RunPgServer({"promote", directory_});
  if (!promoted.ok()) return promoted.error();
  return Status::Ok();
}

Result<PostgresServer*> SharedPostgresServer() {
  // Destroyed (the server stopped, its directory removed) when the process exits.
  static const auto shared = [] {
    struct Shared {
      std::unique_ptr<PostgresServer> server;
      Error error;
    };
    Shared result;
#ifdef OPENCAPF_SHARED_POSTGRES
    if (auto attached = PostgresServer::Attach(OPENCAPF_SHARED_POSTGRES); attached.ok()) {
      result.server = std::move(*attached);
      return result;
    }
#endif
    auto started = PostgresServer::Start();
    if (started.ok()) {
      result.server = std::move(*started);
    } else {
      result.error = started.error();
    }
    return result;
  }();
  if (shared.server == nullptr) return shared.error;
  return shared.server.get();
}

}  // namespace opencapf::store::testing
