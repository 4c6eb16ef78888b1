#pragma once

// RAII holders for SQLite's connection, statement and transaction, used only inside the store.
// Every failure becomes an Error naming the database file, what was being done and
// sqlite3_errmsg, with a hint when the cause is a common one (locked, full disk, not a
// database, read-only).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace opencapf::store::sqlite {

class Statement;

/// One open connection. Not thread-safe: the owner serializes calls.
class Database {
 public:
  /// Opens (creating when missing) a database file for reading and writing. Sets extended
  /// result codes and the busy timeout; pragmas are the caller's business.
  static Result<Database> Open(const std::filesystem::path& path, int busy_timeout_ms);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Runs SQL that takes no parameters (schema steps, pragmas, BEGIN/COMMIT); several
  /// statements may be separated by ';'. `doing` describes the step for the error message.
  Status Exec(std::string_view sql, std::string_view doing);

  /// Compiles one statement, or takes the one compiled for the same text earlier: a Statement
  /// returns its compiled form to this connection's cache when it is destroyed (reset, bindings
  /// cleared), so the store's few statements are parsed once per connection, not once per call.
  Result<Statement> Prepare(std::string_view sql, std::string_view doing);

  /// Runs a query that yields one integer (e.g. "PRAGMA user_version").
  Result<std::int64_t> QueryInt(std::string_view sql, std::string_view doing);

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t Changes() const;

  /// True when no transaction is open.
  bool AutoCommit() const;

  /// The Error for the call that just failed on this connection: "<file>: <doing>: <errmsg>".
  Error Failure(std::string_view doing) const;

  /// The extended result code of the last failed call.
  int ExtendedErrorCode() const;

  const std::filesystem::path& path() const { return path_; }
  sqlite3* get() const { return db_; }

 private:
  friend class Statement;
  Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  /// Takes back a statement Prepare gave out; keeps one idle statement per SQL text.
  void Return(sqlite3_stmt* stmt);
  void FinalizeIdle();

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  std::map<std::string, sqlite3_stmt*, std::less<>> idle_;
};

/// One compiled statement. Parameters are bound by 1-based index; columns read by 0-based
/// index. A failed Bind is remembered and reported by the next Step/Run.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& BindNull(int index);
  /// NULL when empty.
  Statement& Bind(int index, const std::optional<std::string>& text);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);
  /// Binds bytes as a BLOB (an empty span binds a zero-length blob, not NULL).
  Statement& BindBlob(int index, ByteView bytes);

  /// Advances once: true when a row is ready to read, false when the statement is done.
  Result<bool> Step(std::string_view doing);
  /// Steps to the end, for statements that return no rows.
  Status Run(std::string_view doing);
  /// Makes the statement ready to run again, with all parameters cleared.
  void Reset();

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const;
  /// A BLOB column's bytes (a TEXT column's bytes as they are stored).
  Bytes Blob(int column) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void NoteBind(int rc, int index);

  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::optional<Error> bind_error_;
};

/// An open transaction, rolled back when destroyed uncommitted. Begun while another is open on
/// the connection (a batch of writes, see SqliteStore::WriteBatch), it is a SAVEPOINT inside
/// it: committing releases the savepoint, and a failure rolls back to it, undoing only its own
/// writes; the outer transaction's COMMIT makes them durable.
class Transaction {
 public:
  enum class Kind {
    kRead,   ///< BEGIN DEFERRED: a consistent snapshot for several reads
    kWrite,  ///< BEGIN IMMEDIATE: takes the write lock now (waiting up to the busy timeout), so
             ///< the transaction cannot fail later for lack of it
  };

  static Result<Transaction> Begin(Database& db, Kind kind, std::string_view doing);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit(std::string_view doing);

 private:
  Transaction(Database* db, bool nested) : db_(db), nested_(nested) {}
  Database* db_ = nullptr;  ///< null once committed, rolled back or moved from
  bool nested_ = false;     ///< a savepoint inside an open transaction
};

}  // namespace opencapf::store::sqlite
