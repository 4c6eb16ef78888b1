#include "store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace opencapf::store::sqlite {

namespace {

/// A few words on what to do about the commonest failures.
std::string_view Hint(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return " (another process or connection held the database longer than the busy timeout; "
             "try again, and look for a stuck opencapf process)";
    case SQLITE_FULL:
      return " (the disk is full; free space and try again)";
    case SQLITE_NOTADB:
      return " (the file is not an SQLite database; check the path given with --data)";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return " (check that the file and its directory exist and are writable by this user)";
    case SQLITE_CORRUPT:
      return " (the database is damaged; restore it from a backup)";
    default:
      return "";
  }
}

}  // namespace

// ----- Database ------------------------------------------------------------------------------

Result<Database> Database::Open(const std::filesystem::path& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    int code = raw != nullptr ? sqlite3_extended_errcode(raw) : rc;
    sqlite3_close_v2(raw);
    return Fail(path.string() + ": cannot open the database: " + why + std::string(Hint(code)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return Database(raw, path);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      idle_(std::exchange(other.idle_, {})) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    FinalizeIdle();
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    idle_ = std::exchange(other.idle_, {});
  }
  return *this;
}

Database::~Database() {
  FinalizeIdle();
  sqlite3_close_v2(db_);
}

void Database::FinalizeIdle() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  idle_.clear();
}

void Database::Return(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  const char* sql = sqlite3_sql(stmt);
  if (sql == nullptr || db_ == nullptr) {
    sqlite3_finalize(stmt);
    return;
  }
  auto [it, added] = idle_.try_emplace(sql, stmt);
  if (!added) sqlite3_finalize(stmt);  // another copy was in use at the same time
}

Error Database::Failure(std::string_view doing) const {
  int code = sqlite3_extended_errcode(db_);
  return Fail(path_.string() + ": " + std::string(doing) + ": " + sqlite3_errmsg(db_) +
              std::string(Hint(code)));
}

int Database::ExtendedErrorCode() const { return sqlite3_extended_errcode(db_); }

Status Database::Exec(std::string_view sql, std::string_view doing) {
  if (sql.find(';') == std::string_view::npos) {
    // One statement (BEGIN, COMMIT, SAVEPOINT...): compiled once and kept.
    auto stmt = Prepare(sql, doing);
    if (!stmt.ok()) return stmt.error();
    return stmt->Run(doing);
  }
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string why = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return Fail(path_.string() + ": " + std::string(doing) + ": " + why +
              std::string(Hint(sqlite3_extended_errcode(db_))));
}

Result<Statement> Database::Prepare(std::string_view sql, std::string_view doing) {
  if (auto idle = idle_.find(sql); idle != idle_.end()) {
    sqlite3_stmt* cached = idle->second;
    idle_.erase(idle);
    return Statement(this, cached);
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Failure(doing);
  }
  return Statement(this, stmt);
}

Result<std::int64_t> Database::QueryInt(std::string_view sql, std::string_view doing) {
  auto stmt = Prepare(sql, doing);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->Step(doing);
  if (!row.ok()) return row.error();
  if (!*row) return Fail(path_.string() + ": " + std::string(doing) + ": no result");
  return stmt->Int(0);
}

std::int64_t Database::Changes() const { return sqlite3_changes64(db_); }

bool Database::AutoCommit() const { return sqlite3_get_autocommit(db_) != 0; }

// ----- Statement -----------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) db_->Return(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) db_->Return(stmt_);
}

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && !bind_error_) {
    bind_error_ = Fail("binding parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc));
  }
}

Statement& Statement::Bind(int index, std::string_view text) {
  NoteBind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Statement& Statement::BindBlob(int index, ByteView bytes) {
  static const std::uint8_t kEmpty = 0;
  NoteBind(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(), bytes.size(),
                               SQLITE_TRANSIENT),
           index);
  return *this;
}

Result<bool> Statement::Step(std::string_view doing) {
  if (bind_error_) {
    return Fail(db_->path().string() + ": " + std::string(doing) + ": " + bind_error_->message);
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Failure(doing);
}

Status Statement::Run(std::string_view doing) {
  for (;;) {
    auto row = Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_.reset();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

std::optional<std::int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

Bytes Statement::Blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return Bytes();
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  return Bytes(bytes, bytes + size);
}

// ----- Transaction ---------------------------------------------------------------------------

Result<Transaction> Transaction::Begin(Database& db, Kind kind, std::string_view doing) {
  if (!db.AutoCommit()) {
    Status begun = db.Exec("SAVEPOINT nested", doing);
    if (!begun.ok()) return begun.error();
    return Transaction(&db, true);
  }
  Status begun = db.Exec(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", doing);
  if (!begun.ok()) return begun.error();
  return Transaction(&db, false);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), nested_(other.nested_) {}

Transaction::~Transaction() {
  // SQLite rolls back by itself after some errors (full disk, I/O); only roll back what is open.
  if (db_ == nullptr || db_->AutoCommit()) return;
  if (nested_) {
    (void)db_->Exec("ROLLBACK TO nested", "rolling back");
    (void)db_->Exec("RELEASE nested", "rolling back");
  } else {
    (void)db_->Exec("ROLLBACK", "rolling back");
  }
}

Status Transaction::Commit(std::string_view doing) {
  Database* db = std::exchange(db_, nullptr);
  if (nested_) {
    if (db->AutoCommit()) {
      return Fail(db->path().string() + ": " + std::string(doing) +
                  ": the enclosing transaction was rolled back");
    }
    Status done = db->Exec("RELEASE nested", doing);
    if (!done.ok() && !db->AutoCommit()) {
      (void)db->Exec("ROLLBACK TO nested", "rolling back");
      (void)db->Exec("RELEASE nested", "rolling back");
    }
    return done;
  }
  Status done = db->Exec("COMMIT", doing);
  if (!done.ok() && !db->AutoCommit()) (void)db->Exec("ROLLBACK", "rolling back");
  return done;
}

}  // namespace opencapf::store::sqlite
