#include "store/sqlite_admin.h"

#include <string>

namespace opencapf::store::sqlite {

namespace {

// Runs `body` in one write transaction named `doing`.
template <typename Body>
Status InWriteTransaction(Database& db, const std::string& doing, Body body) {
  auto tx = Transaction::Begin(db, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  if (Status st = body(); !st.ok()) return st;
  return tx->Commit(doing);
}

}  // namespace

Status SetAdminPassword(Database& db, std::string_view hash, std::time_t now) {
  const std::string doing = "setting the administrator password";
  return InWriteTransaction(db, doing, [&]() -> Status {
    auto stmt = db.Prepare(
        "INSERT INTO admin_password (id, hash, changed) VALUES (1, ?1, ?2) "
        "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, changed = excluded.changed",
        doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, hash).Bind(2, static_cast<std::int64_t>(now));
    return stmt->Run(doing);
  });
}

Result<std::optional<std::string>> AdminPasswordHash(Database& db) {
  const std::string doing = "reading the administrator password";
  auto stmt = db.Prepare("SELECT hash FROM admin_password WHERE id = 1", doing);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->Step(doing);
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->Text(0));
}

Status AddApiToken(Database& db, const ApiToken& token, std::time_t now) {
  const std::string doing = "adding API token '" + token.name + "'";
  return InWriteTransaction(db, doing, [&]() -> Status {
    auto exists = db.Prepare("SELECT count(*) FROM api_tokens WHERE name = ?1", doing);
    if (!exists.ok()) return exists.error();
    exists->Bind(1, token.name);
    auto row = exists->Step(doing);
    if (!row.ok()) return row.error();
    if (*row && exists->Int(0) > 0) {
      return Fail("there is already an API token named '" + token.name +
                  "'; choose another name, or revoke it first with 'opencapf admin token "
                  "revoke " +
                  token.name + "'");
    }
    auto stmt =
        db.Prepare("INSERT INTO api_tokens (name, sha256, created) VALUES (?1, ?2, ?3)", doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, token.name).Bind(2, token.sha256).Bind(3, static_cast<std::int64_t>(now));
    return stmt->Run(doing);
  });
}

Result<std::vector<ApiToken>> ListApiTokens(Database& db) {
  const std::string doing = "listing API tokens";
  auto stmt =
      db.Prepare("SELECT name, sha256, created, last_used FROM api_tokens ORDER BY name", doing);
  if (!stmt.ok()) return stmt.error();
  std::vector<ApiToken> out;
  for (;;) {
    auto row = stmt->Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) break;
    ApiToken t;
    t.name = stmt->Text(0);
    t.sha256 = stmt->Text(1);
    t.created = static_cast<std::time_t>(stmt->Int(2));
    if (auto used = stmt->OptionalInt(3)) t.last_used = static_cast<std::time_t>(*used);
    out.push_back(std::move(t));
  }
  return out;
}

Status RemoveApiToken(Database& db, std::string_view name) {
  const std::string doing = "revoking API token '" + std::string(name) + "'";
  return InWriteTransaction(db, doing, [&]() -> Status {
    auto stmt = db.Prepare("DELETE FROM api_tokens WHERE name = ?1", doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, name);
    if (Status st = stmt->Run(doing); !st.ok()) return st;
    if (db.Changes() == 0) {
      return Fail("there is no API token named '" + std::string(name) +
                  "'; see them with 'opencapf admin token list'");
    }
    return Status::Ok();
  });
}

Status TouchApiToken(Database& db, std::string_view name, std::time_t at) {
  const std::string doing = "noting the use of API token '" + std::string(name) + "'";
  return InWriteTransaction(db, doing, [&]() -> Status {
    auto stmt = db.Prepare("UPDATE api_tokens SET last_used = ?2 WHERE name = ?1", doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, name).Bind(2, static_cast<std::int64_t>(at));
    return stmt->Run(doing);
  });
}

Status AppendAudit(Database& db, const AuditEntry& entry, std::time_t now) {
  const std::string doing = "recording '" + entry.action + "' in the audit log";
  if (entry.action.empty()) return Fail(doing + ": the action is empty");
  return InWriteTransaction(db, doing, [&]() -> Status {
    auto stmt = db.Prepare(
        "INSERT INTO audit (at, actor, peer, action, target, detail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, static_cast<std::int64_t>(entry.at != 0 ? entry.at : now))
        .Bind(2, entry.actor)
        .Bind(3, entry.peer)
        .Bind(4, entry.action)
        .Bind(5, entry.target)
        .Bind(6, entry.detail);
    return stmt->Run(doing);
  });
}

Result<std::vector<AuditEntry>> ListAudit(Database& db, std::size_t limit) {
  const std::string doing = "reading the audit log";
  auto stmt = db.Prepare(
      "SELECT id, at, actor, peer, action, target, detail FROM audit ORDER BY id DESC LIMIT ?1",
      doing);
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = stmt->Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) break;
    AuditEntry e;
    e.id = stmt->Int(0);
    e.at = static_cast<std::time_t>(stmt->Int(1));
    e.actor = stmt->Text(2);
    e.peer = stmt->Text(3);
    e.action = stmt->Text(4);
    e.target = stmt->Text(5);
    e.detail = stmt->Text(6);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace opencapf::store::sqlite
