#include "store/sqlite_trust.h"

#include "store/store_rules.h"

#include <string>

namespace opencapf::store::sqlite {

namespace {

#define TRUST_COLUMNS \
  "sha256, der, subject, issuer, not_before, not_after, roles, ttl, source, added"

constexpr const char* kSelectAll =
    "SELECT " TRUST_COLUMNS " FROM trusted_certificates ORDER BY subject, sha256";
constexpr const char* kSelectOne =
    "SELECT " TRUST_COLUMNS " FROM trusted_certificates WHERE sha256 = ?1";
constexpr const char* kSelectPrefix = "SELECT " TRUST_COLUMNS
                                      " FROM trusted_certificates "
                                      "WHERE substr(sha256, 1, length(?1)) = ?1 ORDER BY sha256";
constexpr const char* kSelectService =
    "SELECT sha256, roles FROM trusted_certificates WHERE source = 'service'";
// Same SHA-256, same certificate: only roles, TTL and source can differ. The WHERE keeps an
// identical entry untouched, so the generation (bumped by triggers) moves only on a change.
constexpr const char* kUpsert =
    "INSERT INTO trusted_certificates (" TRUST_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT (sha256) DO UPDATE SET roles = excluded.roles, ttl = excluded.ttl, "
    "source = excluded.source "
    "WHERE roles IS NOT excluded.roles OR ttl IS NOT excluded.ttl "
    "OR source IS NOT excluded.source";
constexpr const char* kExists = "SELECT count(*) FROM trusted_certificates WHERE sha256 = ?1";
constexpr const char* kDelete = "DELETE FROM trusted_certificates WHERE sha256 = ?1";
constexpr const char* kGeneration = "SELECT value FROM trust_generation WHERE id = 1";

#undef TRUST_COLUMNS

Result<TrustedCertificate> ReadRow(const Database& db, const Statement& s) {
  TrustedCertificate t;
  t.sha256 = s.Text(0);
  t.der = s.Blob(1);
  t.subject = s.Text(2);
  t.issuer = s.Text(3);
  t.not_before = static_cast<std::time_t>(s.Int(4));
  t.not_after = static_cast<std::time_t>(s.Int(5));
  auto roles = RolesFromText(s.Text(6));
  if (!roles.ok()) {
    return Fail(db.path().string() + ": trusted certificate " + t.sha256 + ": stored " +
                roles.message());
  }
  t.roles = std::move(*roles);
  t.ttl = static_cast<std::uint32_t>(s.Int(7));
  auto source = ParseTrustSource(s.Text(8));
  if (!source.ok()) {
    return Fail(db.path().string() + ": trusted certificate " + t.sha256 + ": stored " +
                source.message());
  }
  t.source = *source;
  t.added = static_cast<std::time_t>(s.Int(9));
  return t;
}

Result<std::vector<TrustedCertificate>> ReadAll(Database& db, Statement& stmt,
                                                const std::string& doing) {
  std::vector<TrustedCertificate> out;
  for (;;) {
    auto row = stmt.Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto entry = ReadRow(db, stmt);
    if (!entry.ok()) return entry.error();
    out.push_back(std::move(*entry));
  }
  return out;
}

/// Inserts or updates one entry inside the caller's transaction.
Result<TrustChange> Upsert(Database& db, const TrustedCertificate& e, std::time_t now,
                           const std::string& doing) {
  auto exists = db.Prepare(kExists, doing);
  if (!exists.ok()) return exists.error();
  exists->Bind(1, e.sha256);
  auto row = exists->Step(doing);
  if (!row.ok()) return row.error();
  const bool held = *row && exists->Int(0) > 0;

  auto upsert = db.Prepare(kUpsert, doing);
  if (!upsert.ok()) return upsert.error();
  upsert->Bind(1, e.sha256)
      .BindBlob(2, e.der)
      .Bind(3, e.subject)
      .Bind(4, e.issuer)
      .Bind(5, static_cast<std::int64_t>(e.not_before))
      .Bind(6, static_cast<std::int64_t>(e.not_after))
      .Bind(7, RolesToText(e.roles))
      .Bind(8, static_cast<std::int64_t>(e.ttl))
      .Bind(9, ToText(e.source))
      .Bind(10, static_cast<std::int64_t>(now));
  Status ran = upsert->Run(doing);
  if (!ran.ok()) return ran.error();
  if (!held) return TrustChange::kAdded;
  return db.Changes() > 0 ? TrustChange::kUpdated : TrustChange::kUnchanged;
}

using rules::Combine;
using rules::Describe;

}  // namespace

Result<TrustChange> PutTrusted(Database& db, const TrustedCertificate& entry, std::time_t now) {
  Status valid = Validate(entry);
  if (!valid.ok()) return Fail("not trusted: " + valid.message());
  const std::string doing = "trusting certificate " + Describe(entry);
  auto tx = Transaction::Begin(db, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  auto change = Upsert(db, entry, now, doing);
  if (!change.ok()) return change.error();
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return *change;
}

Result<TrustChange> ReplaceServiceTrusted(Database& db,
                                          const std::vector<TrustedCertificate>& entries,
                                          std::time_t now) {
  auto service = rules::CheckServiceSet(entries);
  if (!service.ok()) return service.error();
  const std::string doing = "trusting opencapf's own certificates";
  auto tx = Transaction::Begin(db, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();

  std::vector<std::string> stale;
  {
    auto stmt = db.Prepare(kSelectService, doing);
    if (!stmt.ok()) return stmt.error();
    for (;;) {
      auto row = stmt->Step(doing);
      if (!row.ok()) return row.error();
      if (!*row) break;
      const std::string sha = stmt->Text(0);
      auto held = RolesFromText(stmt->Text(1));
      if (!held.ok()) return Fail(db.path().string() + ": " + sha + ": " + held.message());
      if (service->Replaces(sha, *held)) stale.push_back(sha);
    }
  }
  TrustChange change = TrustChange::kUnchanged;
  for (const std::string& sha : stale) {
    auto del = db.Prepare(kDelete, doing);
    if (!del.ok()) return del.error();
    del->Bind(1, sha);
    Status ran = del->Run(doing + ": removing the replaced certificate " + sha);
    if (!ran.ok()) return ran.error();
    change = TrustChange::kUpdated;
  }
  for (TrustedCertificate e : entries) {
    e.source = TrustSource::kService;
    auto put = Upsert(db, e, now, doing + ": " + Describe(e));
    if (!put.ok()) return put.error();
    change = Combine(change, *put);
  }
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return change;
}

Result<std::vector<TrustedCertificate>> ListTrusted(Database& db) {
  const std::string doing = "listing trusted certificates";
  auto stmt = db.Prepare(kSelectAll, doing);
  if (!stmt.ok()) return stmt.error();
  return ReadAll(db, *stmt, doing);
}

Result<std::optional<TrustedCertificate>> FindTrusted(Database& db, std::string_view sha256) {
  auto key = rules::FullSha256(sha256);
  if (!key.ok()) return key.error();
  const std::string doing = "looking up trusted certificate " + *key;
  auto stmt = db.Prepare(kSelectOne, doing);
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, *key);
  auto found = ReadAll(db, *stmt, doing);
  if (!found.ok()) return found.error();
  if (found->empty()) return std::optional<TrustedCertificate>();
  return std::optional<TrustedCertificate>(std::move(found->front()));
}

Result<TrustedCertificate> RemoveTrusted(Database& db, std::string_view sha256) {
  auto key = rules::Sha256Prefix(sha256);
  if (!key.ok()) return key.error();
  const std::string doing = "removing trusted certificate " + *key;
  auto tx = Transaction::Begin(db, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  auto stmt = db.Prepare(kSelectPrefix, doing);
  if (!stmt.ok()) return stmt.error();
  stmt->Bind(1, *key);
  auto found = ReadAll(db, *stmt, doing);
  if (!found.ok()) return found.error();
  if (found->size() != 1) return rules::NotOneMatch(*key, *found);
  auto del = db.Prepare(kDelete, doing);
  if (!del.ok()) return del.error();
  del->Bind(1, found->front().sha256);
  Status ran = del->Run(doing);
  if (!ran.ok()) return ran.error();
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return std::move(found->front());
}

Result<std::int64_t> TrustGeneration(Database& db) {
  return db.QueryInt(kGeneration, "reading the trust generation");
}

}  // namespace opencapf::store::sqlite
