#include "store/sqlite_revocation.h"

#include <string>

namespace opencapf::store::sqlite {

namespace {

#define REVOCATION_COLUMNS "id, serial_hex, issuer, device, reason, revoked_at, not_after, pem"

constexpr const char* kSelectSlots =
    "SELECT serial_hex, issuer, not_after, pem FROM certificates "
    "WHERE device = ?1 AND slot IN ('lsc', 'pending-lsc') ORDER BY slot";
constexpr const char* kInsert =
    "INSERT OR IGNORE INTO revocations (serial_hex, issuer, device, reason, revoked_at, "
    "not_after, pem) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kSelectAll = "SELECT " REVOCATION_COLUMNS " FROM revocations ORDER BY id";
constexpr const char* kSelectOne =
    "SELECT " REVOCATION_COLUMNS " FROM revocations WHERE issuer = ?1 AND serial_hex = ?2";
constexpr const char* kGeneration = "SELECT coalesce(max(id), 0) FROM revocations";

#undef REVOCATION_COLUMNS

Result<Revocation> ReadRow(const Database& db, const Statement& s) {
  Revocation r;
  r.id = s.Int(0);
  r.serial_hex = s.Text(1);
  r.issuer = s.Text(2);
  r.device = s.Text(3);
  auto reason = ParseRevocationReason(s.Text(4));
  if (!reason.ok()) {
    return Fail(db.path().string() + ": revocation " + r.serial_hex + ": stored " +
                reason.message());
  }
  r.reason = *reason;
  r.revoked_at = static_cast<std::time_t>(s.Int(5));
  r.not_after = static_cast<std::time_t>(s.Int(6));
  r.pem = s.Text(7);
  return r;
}

Result<std::vector<Revocation>> ReadAll(Database& db, Statement& stmt, const std::string& doing) {
  std::vector<Revocation> out;
  for (;;) {
    auto row = stmt.Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto r = ReadRow(db, stmt);
    if (!r.ok()) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace

Result<std::vector<Revocation>> RevokeSlots(Database& db, const std::string& device,
                                            RevocationReason reason, std::time_t now,
                                            const std::string& doing) {
  struct Held {
    std::string serial, issuer, pem;
    std::int64_t not_after;
  };
  std::vector<Held> held;
  {
    auto stmt = db.Prepare(kSelectSlots, doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, device);
    for (;;) {
      auto row = stmt->Step(doing);
      if (!row.ok()) return row.error();
      if (!*row) break;
      held.push_back({stmt->Text(0), stmt->Text(1), stmt->Text(3), stmt->Int(2)});
    }
  }
  std::vector<Revocation> out;
  for (const Held& h : held) {
    auto ins = db.Prepare(kInsert, doing);
    if (!ins.ok()) return ins.error();
    ins->Bind(1, h.serial)
        .Bind(2, h.issuer)
        .Bind(3, device)
        .Bind(4, ToText(reason))
        .Bind(5, static_cast<std::int64_t>(now))
        .Bind(6, h.not_after)
        .Bind(7, h.pem);
    Status ran = ins->Run(doing + ": revoking " + h.serial);
    if (!ran.ok()) return ran.error();
    if (db.Changes() == 0) continue;  // already revoked
    auto got = FindRevocation(db, h.issuer, h.serial);
    if (!got.ok()) return got.error();
    if (*got) out.push_back(std::move(**got));
  }
  return out;
}

Result<std::optional<Revocation>> InsertRevocation(Database& db, const Revocation& r,
                                                   const std::string& doing) {
  auto ins = db.Prepare(kInsert, doing);
  if (!ins.ok()) return ins.error();
  ins->Bind(1, r.serial_hex)
      .Bind(2, r.issuer)
      .Bind(3, r.device)
      .Bind(4, ToText(r.reason))
      .Bind(5, static_cast<std::int64_t>(r.revoked_at))
      .Bind(6, static_cast<std::int64_t>(r.not_after))
      .Bind(7, r.pem);
  Status ran = ins->Run(doing);
  if (!ran.ok()) return ran.error();
  if (db.Changes() == 0) return std::optional<Revocation>();  // already revoked
  return FindRevocation(db, r.issuer, r.serial_hex);
}

Result<std::vector<Revocation>> ListRevocations(Database& db) {
  const std::string doing = "listing revocations";
  auto stmt = db.Prepare(kSelectAll, doing);
  if (!stmt.ok()) return stmt.error();
  return ReadAll(db, *stmt, doing);
}

Result<std::optional<Revocation>> FindRevocation(Database& db, std::string_view issuer,
                                                 std::string_view serial_hex) {
  const std::string doing = "looking up the revocation of " + std::string(serial_hex);
  auto stmt = db.Prepare(kSelectOne, doing);
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, issuer).Bind(2, serial_hex);
  auto found = ReadAll(db, *stmt, doing);
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<Revocation>();
  return std::optional<Revocation>(std::move(found->front()));
}

Result<std::int64_t> RevocationGeneration(Database& db) {
  return db.QueryInt(kGeneration, "reading the revocation generation");
}

}  // namespace opencapf::store::sqlite
