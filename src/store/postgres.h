#pragma once

// RAII holders for a libpq connection, a query's rows and a transaction, used only inside the
// PostgreSQL store. Every failure becomes an Error naming the server (host:port/database, never
// the password), what was being done and PostgreSQL's own message, with its SQLSTATE kept so the
// store can tell "the server is gone" from "this row was taken".

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

struct pg_conn;
struct pg_result;

namespace opencapf::store::pg {

/// "postgresql HOST:PORT/DB" from a URL or key=value string, without its password.
std::string DescribeTarget(const std::string& url);

/// Query parameters, sent as text (NULL for nullopt). Parameters are numbered $1, $2, ... in
/// the order they are added.
class Params {
 public:
  Params& Add(std::string_view text);
  Params& Add(const char* text) { return Add(std::string_view(text)); }
  Params& Add(const std::string& text) { return Add(std::string_view(text)); }
  Params& Add(std::int64_t value);
  Params& Add(int value) { return Add(static_cast<std::int64_t>(value)); }
  Params& Add(const std::optional<std::string>& text);
  Params& Add(const std::optional<std::int64_t>& value);
  Params& AddNull();
  /// A bytea value, in PostgreSQL's hex input form.
  Params& AddBytes(ByteView bytes);

  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

/// What kind of failure an Error from this layer was, so callers can react to it.
enum class Failure {
  kNone,
  kConnection,       ///< the server is unreachable or the connection broke (SQLSTATE class 08, 57P)
  kUniqueViolation,  ///< SQLSTATE 23505
  kReadOnly,         ///< SQLSTATE 25006: a standby (failover in progress)
  kOther,
};

/// The rows of one query, read as text. Row and column indexes are 0-based.
class Rows {
 public:
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  bool empty() const { return size() == 0; }
  /// Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t Affected() const;

  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  std::int64_t Int(int row, int column) const;
  std::optional<std::string> OptionalText(int row, int column) const;
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  /// A bytea column (PostgreSQL's hex output form, decoded).
  Bytes Blob(int row, int column) const;

 private:
  friend class Connection;
  explicit Rows(pg_result* result) : result_(result) {}
  pg_result* result_ = nullptr;
};

/// One connection. Not thread-safe: the owner serializes calls.
class Connection {
 public:
  /// Connects to `url` (a postgresql:// URL or a key=value string; libpq's multi-host forms and
  /// target_session_attrs work). Connecting gives up after `connect_timeout` per host unless the
  /// URL says otherwise.
  static Result<Connection> Open(const std::string& url, std::chrono::seconds connect_timeout);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Runs SQL without parameters through the simple protocol; several statements may be
  /// separated by ';' (schema steps, BEGIN/COMMIT).
  Status Exec(std::string_view sql, std::string_view doing);

  /// Runs one statement with parameters. The statement is prepared on this connection the
  /// first time it is used and reused afterwards.
  Result<Rows> Query(std::string_view sql, const Params& params, std::string_view doing);
  Result<Rows> Query(std::string_view sql, std::string_view doing) {
    return Query(sql, Params{}, doing);
  }

  /// What the last failed call was (kNone after a success).
  Failure last_failure() const { return last_failure_; }
  /// True when the connection is known to be unusable: reconnect before the next call.
  bool Broken() const;
  /// Connects again to the same URL (after a failover: to whichever host now accepts writes).
  Status Reconnect();

  /// Waits up to `timeout` for a NOTIFY on a channel this connection LISTENs to; true when one
  /// (or more) came, all of them consumed.
  Result<bool> WaitForNotification(std::chrono::milliseconds timeout);

  /// "postgresql 127.0.0.1:5432/opencapf": for messages; never holds the password.
  const std::string& where() const { return where_; }

  /// Set when a COMMIT was sent since ClearCommitSent(): a failure after that may or may not
  /// have been committed, so the caller must not blindly retry the transaction.
  bool commit_sent() const { return commit_sent_; }
  void ClearCommitSent() { commit_sent_ = false; }
  void NoteCommitSent() { commit_sent_ = true; }

  pg_conn* get() const { return conn_; }

 private:
  friend class Transaction;
  Connection(pg_conn* conn, std::string url, std::chrono::seconds timeout);
  Error Failed(std::string_view doing, pg_result* result);

  pg_conn* conn_ = nullptr;
  std::string url_;
  std::chrono::seconds connect_timeout_{5};
  std::string where_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  Failure last_failure_ = Failure::kNone;
  bool commit_sent_ = false;
};

/// An open transaction, rolled back when destroyed uncommitted.
class Transaction {
 public:
  enum class Kind {
    kRead,   ///< REPEATABLE READ, READ ONLY: one snapshot for several reads
    kWrite,  ///< READ COMMITTED: row locks and optimistic versions decide races
  };

  static Result<Transaction> Begin(Connection& conn, Kind kind, std::string_view doing);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit(std::string_view doing);

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_ = nullptr;  ///< null once committed, rolled back or moved from
};

}  // namespace opencapf::store::pg
