#include "store/postgres.h"

#include <libpq-fe.h>

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace opencapf::store::pg {

namespace {

std::string Trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

std::string DescribeTarget(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "postgresql (unparsable URL)";
  }
  std::string host, port, db;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "host" || (key == "hostaddr" && host.empty())) host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  if (host.empty()) host = "localhost";
  std::string out = "postgresql " + host;  // multi-host URLs: "a,b" (each host's port omitted)
  if (!port.empty() && host.find(',') == std::string::npos) out += ":" + port;
  if (!db.empty()) out += "/" + db;
  return out;
}

namespace {

Failure Classify(const char* sqlstate) {
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";
  if (state.empty()) return Failure::kOther;
  if (state.substr(0, 2) == "08" || state.substr(0, 3) == "57P") return Failure::kConnection;
  if (state == "23505") return Failure::kUniqueViolation;
  if (state == "25006") return Failure::kReadOnly;
  return Failure::kOther;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

// ----- Params ---------------------------------------------------------------------------------

Params& Params::Add(std::string_view text) {
  values_.emplace_back(std::string(text));
  return *this;
}
Params& Params::Add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}
Params& Params::Add(const std::optional<std::string>& text) {
  values_.push_back(text);
  return *this;
}
Params& Params::Add(const std::optional<std::int64_t>& value) {
  if (value) return Add(*value);
  return AddNull();
}
Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}
Params& Params::AddBytes(ByteView bytes) {
  values_.emplace_back("\\x" + HexLower(bytes));
  return *this;
}

// ----- Rows -----------------------------------------------------------------------------------

Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}
Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

int Rows::size() const { return result_ != nullptr ? PQntuples(result_) : 0; }

std::int64_t Rows::Affected() const {
  const char* n = result_ != nullptr ? PQcmdTuples(result_) : "";
  std::int64_t out = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), out);
  return out;
}

bool Rows::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string Rows::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t Rows::Int(int row, int column) const {
  const char* text = PQgetvalue(result_, row, column);
  const int length = PQgetlength(result_, row, column);
  std::int64_t out = 0;
  std::from_chars(text, text + length, out);
  return out;
}

std::optional<std::string> Rows::OptionalText(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Text(row, column);
}

std::optional<std::int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

Bytes Rows::Blob(int row, int column) const {
  std::string_view text = PQgetvalue(result_, row, column);
  if (text.substr(0, 2) == "\\x") text.remove_prefix(2);
  auto bytes = ParseHex(text);
  return bytes.ok() ? std::move(*bytes) : Bytes{};
}

// ----- Connection -----------------------------------------------------------------------------

Connection::Connection(pg_conn* conn, std::string url, std::chrono::seconds timeout)
    : conn_(conn), url_(std::move(url)), connect_timeout_(timeout), where_(DescribeTarget(url_)) {
  if (conn_ != nullptr) PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
}

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      url_(std::move(other.url_)),
      connect_timeout_(other.connect_timeout_),
      where_(std::move(other.where_)),
      prepared_(std::move(other.prepared_)),
      last_failure_(other.last_failure_),
      commit_sent_(other.commit_sent_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
    url_ = std::move(other.url_);
    connect_timeout_ = other.connect_timeout_;
    where_ = std::move(other.where_);
    prepared_ = std::move(other.prepared_);
    last_failure_ = other.last_failure_;
    commit_sent_ = other.commit_sent_;
  }
  return *this;
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Result<Connection> Connection::Open(const std::string& url, std::chrono::seconds connect_timeout) {
  const std::string timeout = std::to_string(connect_timeout.count());
  // Keywords before dbname are defaults the URL (expanded from dbname) overrides. The keepalive
  // and user timeout make a server that vanished without closing the socket (a pulled cable, a
  // failed-over address) show as a failed call within seconds instead of a hang.
  const char* keywords[] = {
      "connect_timeout",  "application_name", "keepalives_idle", "keepalives_interval",
      "keepalives_count", "tcp_user_timeout", "dbname",          nullptr};
  const char* values[] = {timeout.c_str(), "opencapf",  "5",    "2", "3",
                          "10000",         url.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Fail(DescribeTarget(url) + ": out of memory connecting");
  Connection out(conn, url, connect_timeout);
  if (PQstatus(conn) != CONNECTION_OK) {
    return Fail(out.where_ + ": cannot connect: " + Trimmed(PQerrorMessage(conn)) +
                " (check that PostgreSQL runs there and the [store] url in opencapf.toml)");
  }
  return out;
}

bool Connection::Broken() const { return conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK; }

Status Connection::Reconnect() {
  prepared_.clear();
  auto fresh = Open(url_, connect_timeout_);
  if (!fresh.ok()) return fresh.error();
  *this = std::move(*fresh);
  return Status::Ok();
}

Error Connection::Failed(std::string_view doing, pg_result* result) {
  std::string message;
  const char* sqlstate = nullptr;
  if (result != nullptr) {
    sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    message = Trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY));
    const std::string detail = Trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL));
    if (!detail.empty()) message += " (" + detail + ")";
  }
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  last_failure_ = Broken() ? Failure::kConnection : Classify(sqlstate);
  std::string out = where_ + ": " + std::string(doing) + ": " + message;
  if (last_failure_ == Failure::kConnection) out += " (the database is unreachable)";
  if (last_failure_ == Failure::kReadOnly) {
    out +=
        " (this server is a standby; with a multi-host URL and "
        "target_session_attrs=read-write the next call reconnects to the primary)";
  }
  if (result != nullptr) PQclear(result);
  return Fail(out);
}

Status Connection::Exec(std::string_view sql, std::string_view doing) {
  last_failure_ = Failure::kNone;
  if (Broken()) {
    last_failure_ = Failure::kConnection;
    return Fail(where_ + ": " + std::string(doing) +
                ": not connected (the database is unreachable)");
  }
  const std::string text(sql);
  pg_result* result = PQexec(conn_, text.c_str());
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failed(doing, result);
  PQclear(result);
  return Status::Ok();
}

Result<Rows> Connection::Query(std::string_view sql, const Params& params, std::string_view doing) {
  last_failure_ = Failure::kNone;
  if (Broken()) {
    last_failure_ = Failure::kConnection;
    return Fail(where_ + ": " + std::string(doing) +
                ": not connected (the database is unreachable)");
  }
  const auto& values = params.values();
  std::string key(sql);
  auto found = prepared_.find(key);
  if (found == prepared_.end()) {
    const std::string name = "opencapf_" + std::to_string(prepared_.size());
    pg_result* prepared =
        PQprepare(conn_, name.c_str(), key.c_str(), static_cast<int>(values.size()), nullptr);
    if (prepared == nullptr || PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      return Failed(doing, prepared);
    }
    PQclear(prepared);
    found = prepared_.emplace(std::move(key), name).first;
  }
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v ? v->c_str() : nullptr);
  pg_result* result = PQexecPrepared(conn_, found->second.c_str(), static_cast<int>(values.size()),
                                     pointers.data(), nullptr, nullptr, /*resultFormat=*/0);
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Failed(doing, result);
  return Rows(result);
}

Result<bool> Connection::WaitForNotification(std::chrono::milliseconds timeout) {
  auto drain = [this] {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  };
  if (Broken()) return Fail(where_ + ": waiting for changes: not connected");
  if (PQconsumeInput(conn_) == 0) return Failed("waiting for changes", nullptr);
  if (drain()) return true;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return Fail(where_ + ": waiting for changes: " + std::strerror(errno));
  if (ready == 0) return false;
  if (PQconsumeInput(conn_) == 0) return Failed("waiting for changes", nullptr);
  return drain();
}

// ----- Transaction ----------------------------------------------------------------------------

Result<Transaction> Transaction::Begin(Connection& conn, Kind kind, std::string_view doing) {
  const char* begin = kind == Kind::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                                          : "BEGIN ISOLATION LEVEL READ COMMITTED";
  Status started = conn.Exec(begin, std::string(doing) + ": starting a transaction");
  if (!started.ok()) return started.error();
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() {
  if (conn_ == nullptr || conn_->Broken()) return;
  // A failed statement has aborted the transaction already; ROLLBACK ends it either way. What
  // that statement failed with stays the connection's last failure, for the caller to act on.
  const Failure failure = conn_->last_failure_;
  Status ignored = conn_->Exec("ROLLBACK", "rolling back");
  (void)ignored;
  conn_->last_failure_ = failure;
}

Status Transaction::Commit(std::string_view doing) {
  Connection* conn = std::exchange(conn_, nullptr);
  conn->NoteCommitSent();
  return conn->Exec("COMMIT", std::string(doing) + ": committing");
}

}  // namespace opencapf::store::pg
