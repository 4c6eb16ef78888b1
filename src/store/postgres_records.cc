#include "store/postgres_records.h"

#include <algorithm>
#include <string>

#include "store/store_rules.h"

namespace opencapf::store::pg {

namespace {

#define TRUST_COLUMNS \
  "sha256, der, subject, issuer, not_before, not_after, roles, ttl, source, added"
#define REVOCATION_COLUMNS "id, serial_hex, issuer, device, reason, revoked_at, not_after, pem"

constexpr const char* kTrustAll =
    "SELECT " TRUST_COLUMNS " FROM trusted_certificates ORDER BY subject, sha256";
constexpr const char* kTrustOne =
    "SELECT " TRUST_COLUMNS " FROM trusted_certificates WHERE sha256 = $1::text";
constexpr const char* kTrustPrefix =
    "SELECT " TRUST_COLUMNS
    " FROM trusted_certificates WHERE starts_with(sha256, $1::text) ORDER BY sha256";
constexpr const char* kTrustService =
    "SELECT sha256, roles FROM trusted_certificates WHERE source = 'service'";
// An identical entry is left untouched (no row, no trigger, the generation stays); otherwise the
// row comes back, and xmax = 0 tells an insert from an update.
constexpr const char* kTrustUpsert =
    "INSERT INTO trusted_certificates (" TRUST_COLUMNS
    ") VALUES ($1::text, $2::bytea, $3::text, $4::text, $5::bigint, $6::bigint, $7::text, "
    "$8::bigint, $9::text, $10::bigint) "
    "ON CONFLICT (sha256) DO UPDATE SET roles = excluded.roles, ttl = excluded.ttl, "
    "source = excluded.source "
    "WHERE trusted_certificates.roles IS DISTINCT FROM excluded.roles "
    "OR trusted_certificates.ttl IS DISTINCT FROM excluded.ttl "
    "OR trusted_certificates.source IS DISTINCT FROM excluded.source "
    "RETURNING (xmax = 0)";
constexpr const char* kTrustDelete = "DELETE FROM trusted_certificates WHERE sha256 = $1::text";
// Two nodes replacing their service certificates at once (both starting after a regenerate)
// must not interleave: the second waits for the first, then sees its rows.
constexpr const char* kTrustLock = "LOCK TABLE trusted_certificates IN SHARE ROW EXCLUSIVE MODE";
constexpr const char* kGeneration = "SELECT value FROM generations WHERE name = $1::text";

constexpr const char* kRevokeSlots =
    "INSERT INTO revocations (serial_hex, issuer, device, reason, revoked_at, not_after, pem) "
    "SELECT serial_hex, issuer, device, $2::text, $3::bigint, not_after, pem FROM certificates "
    "WHERE device = $1::text AND slot IN ('lsc', 'pending-lsc') ORDER BY slot "
    "ON CONFLICT (issuer, serial_hex) DO NOTHING RETURNING " REVOCATION_COLUMNS;
constexpr const char* kRevocationInsert =
    "INSERT INTO revocations (serial_hex, issuer, device, reason, revoked_at, not_after, pem) "
    "VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::text) "
    "ON CONFLICT (issuer, serial_hex) DO NOTHING RETURNING " REVOCATION_COLUMNS;
constexpr const char* kRevocationAll = "SELECT " REVOCATION_COLUMNS " FROM revocations ORDER BY id";
constexpr const char* kRevocationOne = "SELECT " REVOCATION_COLUMNS
                                       " FROM revocations WHERE issuer = $1::text AND "
                                       "serial_hex = $2::text";

#undef TRUST_COLUMNS
#undef REVOCATION_COLUMNS

Result<TrustedCertificate> ReadTrusted(const Connection& conn, const Rows& rows, int r) {
  TrustedCertificate t;
  t.sha256 = rows.Text(r, 0);
  t.der = rows.Blob(r, 1);
  t.subject = rows.Text(r, 2);
  t.issuer = rows.Text(r, 3);
  t.not_before = static_cast<std::time_t>(rows.Int(r, 4));
  t.not_after = static_cast<std::time_t>(rows.Int(r, 5));
  auto roles = RolesFromText(rows.Text(r, 6));
  if (!roles.ok()) {
    return Fail(conn.where() + ": trusted certificate " + t.sha256 + ": stored " + roles.message());
  }
  t.roles = std::move(*roles);
  t.ttl = static_cast<std::uint32_t>(rows.Int(r, 7));
  auto source = ParseTrustSource(rows.Text(r, 8));
  if (!source.ok()) {
    return Fail(conn.where() + ": trusted certificate " + t.sha256 + ": stored " +
                source.message());
  }
  t.source = *source;
  t.added = static_cast<std::time_t>(rows.Int(r, 9));
  return t;
}

Result<std::vector<TrustedCertificate>> ReadAllTrusted(const Connection& conn, const Rows& rows) {
  std::vector<TrustedCertificate> out;
  for (int r = 0; r < rows.size(); ++r) {
    auto entry = ReadTrusted(conn, rows, r);
    if (!entry.ok()) return entry.error();
    out.push_back(std::move(*entry));
  }
  return out;
}

Result<TrustChange> Upsert(Connection& conn, const TrustedCertificate& e, std::time_t now,
                           const std::string& doing) {
  auto rows = conn.Query(kTrustUpsert,
                         Params()
                             .Add(e.sha256)
                             .AddBytes(e.der)
                             .Add(e.subject)
                             .Add(e.issuer)
                             .Add(static_cast<std::int64_t>(e.not_before))
                             .Add(static_cast<std::int64_t>(e.not_after))
                             .Add(RolesToText(e.roles))
                             .Add(static_cast<std::int64_t>(e.ttl))
                             .Add(ToText(e.source))
                             .Add(static_cast<std::int64_t>(now)),
                         doing);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return TrustChange::kUnchanged;
  return rows->Text(0, 0) == "t" ? TrustChange::kAdded : TrustChange::kUpdated;
}

Result<Revocation> ReadRevocation(const Connection& conn, const Rows& rows, int r) {
  Revocation out;
  out.id = rows.Int(r, 0);
  out.serial_hex = rows.Text(r, 1);
  out.issuer = rows.Text(r, 2);
  out.device = rows.Text(r, 3);
  auto reason = ParseRevocationReason(rows.Text(r, 4));
  if (!reason.ok()) {
    return Fail(conn.where() + ": revocation " + out.serial_hex + ": stored " + reason.message());
  }
  out.reason = *reason;
  out.revoked_at = static_cast<std::time_t>(rows.Int(r, 5));
  out.not_after = static_cast<std::time_t>(rows.Int(r, 6));
  out.pem = rows.Text(r, 7);
  return out;
}

Result<std::vector<Revocation>> ReadAllRevocations(const Connection& conn, const Rows& rows) {
  std::vector<Revocation> out;
  for (int r = 0; r < rows.size(); ++r) {
    auto entry = ReadRevocation(conn, rows, r);
    if (!entry.ok()) return entry.error();
    out.push_back(std::move(*entry));
  }
  return out;
}

/// Runs `body` in one write transaction named `doing`.
template <typename Body>
Status InWriteTransaction(Connection& conn, const std::string& doing, Body body) {
  auto tx = Transaction::Begin(conn, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  if (Status st = body(); !st.ok()) return st;
  return tx->Commit(doing);
}

/// A statement in its own transaction (autocommit), for writes of one statement.
Status RunOne(Connection& conn, const char* sql, const Params& params, const std::string& doing) {
  auto rows = conn.Query(sql, params, doing);
  if (!rows.ok()) return rows.error();
  return Status::Ok();
}

}  // namespace

// ----- Trusted certificates -------------------------------------------------------------------

Result<TrustChange> PutTrusted(Connection& conn, const TrustedCertificate& entry, std::time_t now) {
  Status valid = Validate(entry);
  if (!valid.ok()) return Fail("not trusted: " + valid.message());
  return Upsert(conn, entry, now, "trusting certificate " + rules::Describe(entry));
}

Result<TrustChange> ReplaceServiceTrusted(Connection& conn,
                                          const std::vector<TrustedCertificate>& entries,
                                          std::time_t now) {
  auto service = rules::CheckServiceSet(entries);
  if (!service.ok()) return service.error();
  const std::string doing = "trusting opencapf's own certificates";
  auto tx = Transaction::Begin(conn, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  if (Status locked = conn.Exec(kTrustLock, doing); !locked.ok()) return locked.error();

  auto held = conn.Query(kTrustService, doing);
  if (!held.ok()) return held.error();
  TrustChange change = TrustChange::kUnchanged;
  for (int r = 0; r < held->size(); ++r) {
    const std::string sha = held->Text(r, 0);
    auto roles = RolesFromText(held->Text(r, 1));
    if (!roles.ok()) return Fail(conn.where() + ": " + sha + ": " + roles.message());
    if (!service->Replaces(sha, *roles)) continue;
    auto del = conn.Query(kTrustDelete, Params().Add(sha),
                          doing + ": removing the replaced certificate " + sha);
    if (!del.ok()) return del.error();
    change = TrustChange::kUpdated;
  }
  for (TrustedCertificate e : entries) {
    e.source = TrustSource::kService;
    auto put = Upsert(conn, e, now, doing + ": " + rules::Describe(e));
    if (!put.ok()) return put.error();
    change = rules::Combine(change, *put);
  }
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return change;
}

Result<std::vector<TrustedCertificate>> ListTrusted(Connection& conn) {
  auto rows = conn.Query(kTrustAll, "listing trusted certificates");
  if (!rows.ok()) return rows.error();
  return ReadAllTrusted(conn, *rows);
}

Result<std::optional<TrustedCertificate>> FindTrusted(Connection& conn, std::string_view sha256) {
  auto key = rules::FullSha256(sha256);
  if (!key.ok()) return key.error();
  auto rows = conn.Query(kTrustOne, Params().Add(*key), "looking up trusted certificate " + *key);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<TrustedCertificate>();
  auto entry = ReadTrusted(conn, *rows, 0);
  if (!entry.ok()) return entry.error();
  return std::optional<TrustedCertificate>(std::move(*entry));
}

Result<TrustedCertificate> RemoveTrusted(Connection& conn, std::string_view sha256) {
  auto key = rules::Sha256Prefix(sha256);
  if (!key.ok()) return key.error();
  const std::string doing = "removing trusted certificate " + *key;
  auto tx = Transaction::Begin(conn, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  auto rows = conn.Query(kTrustPrefix, Params().Add(*key), doing);
  if (!rows.ok()) return rows.error();
  auto found = ReadAllTrusted(conn, *rows);
  if (!found.ok()) return found.error();
  if (found->size() != 1) return rules::NotOneMatch(*key, *found);
  auto del = conn.Query(kTrustDelete, Params().Add(found->front().sha256), doing);
  if (!del.ok()) return del.error();
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return std::move(found->front());
}

Result<std::int64_t> Generation(Connection& conn, std::string_view name) {
  const std::string doing = "reading the " + std::string(name) + " generation";
  auto rows = conn.Query(kGeneration, Params().Add(name), doing);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return Fail(conn.where() + ": " + doing + ": the row is missing");
  return rows->Int(0, 0);
}

// ----- Revocations ----------------------------------------------------------------------------

Result<std::vector<Revocation>> RevokeSlots(Connection& conn, const std::string& device,
                                            RevocationReason reason, std::time_t now,
                                            const std::string& doing) {
  auto rows = conn.Query(
      kRevokeSlots, Params().Add(device).Add(ToText(reason)).Add(static_cast<std::int64_t>(now)),
      doing);
  if (!rows.ok()) return rows.error();
  auto out = ReadAllRevocations(conn, *rows);
  if (!out.ok()) return out.error();
  std::sort(out->begin(), out->end(),
            [](const Revocation& a, const Revocation& b) { return a.id < b.id; });
  return out;
}

Result<std::optional<Revocation>> InsertRevocation(Connection& conn, const Revocation& r,
                                                   const std::string& doing) {
  auto rows = conn.Query(kRevocationInsert,
                         Params()
                             .Add(r.serial_hex)
                             .Add(r.issuer)
                             .Add(r.device)
                             .Add(ToText(r.reason))
                             .Add(static_cast<std::int64_t>(r.revoked_at))
                             .Add(static_cast<std::int64_t>(r.not_after))
                             .Add(r.pem),
                         doing);
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<Revocation>();  // already revoked
  auto entry = ReadRevocation(conn, *rows, 0);
  if (!entry.ok()) return entry.error();
  return std::optional<Revocation>(std::move(*entry));
}

Result<std::vector<Revocation>> ListRevocations(Connection& conn) {
  auto rows = conn.Query(kRevocationAll, "listing revocations");
  if (!rows.ok()) return rows.error();
  return ReadAllRevocations(conn, *rows);
}

Result<std::optional<Revocation>> FindRevocation(Connection& conn, std::string_view issuer,
                                                 std::string_view serial_hex) {
  auto rows = conn.Query(kRevocationOne, Params().Add(issuer).Add(serial_hex),
                         "looking up the revocation of " + std::string(serial_hex));
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<Revocation>();
  auto entry = ReadRevocation(conn, *rows, 0);
  if (!entry.ok()) return entry.error();
  return std::optional<Revocation>(std::move(*entry));
}

// ----- Administration -------------------------------------------------------------------------

Status SetAdminPassword(Connection& conn, std::string_view hash, std::time_t now) {
  return RunOne(conn,
                "INSERT INTO admin_password (id, hash, changed) VALUES (1, $1::text, $2::bigint) "
                "ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, changed = excluded.changed",
                Params().Add(hash).Add(static_cast<std::int64_t>(now)),
                "setting the administrator password");
}

Result<std::optional<std::string>> AdminPasswordHash(Connection& conn) {
  auto rows = conn.Query("SELECT hash FROM admin_password WHERE id = 1",
                         "reading the administrator password");
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->Text(0, 0));
}

Status AddApiToken(Connection& conn, const ApiToken& token, std::time_t now) {
  const std::string doing = "adding API token '" + token.name + "'";
  return InWriteTransaction(conn, doing, [&]() -> Status {
    auto inserted = conn.Query(
        "INSERT INTO api_tokens (name, sha256, created) VALUES ($1::text, $2::text, $3::bigint) "
        "ON CONFLICT (name) DO NOTHING",
        Params().Add(token.name).Add(token.sha256).Add(static_cast<std::int64_t>(now)), doing);
    if (!inserted.ok()) return inserted.error();
    if (inserted->Affected() == 0) {
      return Fail("there is already an API token named '" + token.name +
                  "'; choose another name, or revoke it first with 'opencapf admin token "
                  "revoke " +
                  token.name + "'");
    }
    return Status::Ok();
  });
}

Result<std::vector<ApiToken>> ListApiTokens(Connection& conn) {
  auto rows = conn.Query("SELECT name, sha256, created, last_used FROM api_tokens ORDER BY name",
                         "listing API tokens");
  if (!rows.ok()) return rows.error();
  std::vector<ApiToken> out;
  for (int r = 0; r < rows->size(); ++r) {
    ApiToken t;
    t.name = rows->Text(r, 0);
    t.sha256 = rows->Text(r, 1);
    t.created = static_cast<std::time_t>(rows->Int(r, 2));
    if (auto used = rows->OptionalInt(r, 3)) t.last_used = static_cast<std::time_t>(*used);
    out.push_back(std::move(t));
  }
  return out;
}

Status RemoveApiToken(Connection& conn, std::string_view name) {
  const std::string doing = "revoking API token '" + std::string(name) + "'";
  auto rows = conn.Query("DELETE FROM api_tokens WHERE name = $1::text", Params().Add(name), doing);
  if (!rows.ok()) return rows.error();
  if (rows->Affected() == 0) {
    return Fail("there is no API token named '" + std::string(name) +
                "'; see them with 'opencapf admin token list'");
  }
  return Status::Ok();
}

Status TouchApiToken(Connection& conn, std::string_view name, std::time_t at) {
  return RunOne(conn, "UPDATE api_tokens SET last_used = $2::bigint WHERE name = $1::text",
                Params().Add(name).Add(static_cast<std::int64_t>(at)),
                "noting the use of API token '" + std::string(name) + "'");
}

Status AppendAudit(Connection& conn, const AuditEntry& entry, std::time_t now) {
  const std::string doing = "recording '" + entry.action + "' in the audit log";
  if (entry.action.empty()) return Fail(doing + ": the action is empty");
  return RunOne(conn,
                "INSERT INTO audit (at, actor, peer, action, target, detail) "
                "VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text)",
                Params()
                    .Add(static_cast<std::int64_t>(entry.at != 0 ? entry.at : now))
                    .Add(entry.actor)
                    .Add(entry.peer)
                    .Add(entry.action)
                    .Add(entry.target)
                    .Add(entry.detail),
                doing);
}

Result<std::vector<AuditEntry>> ListAudit(Connection& conn, std::size_t limit) {
  Params params;
  if (limit == 0) {
    params.AddNull();  // LIMIT NULL: all of them
  } else {
    params.Add(static_cast<std::int64_t>(limit));
  }
  auto rows = conn.Query(
      "SELECT id, at, actor, peer, action, target, detail FROM audit ORDER BY id DESC "
      "LIMIT $1::bigint",
      params, "reading the audit log");
  if (!rows.ok()) return rows.error();
  std::vector<AuditEntry> out;
  for (int r = 0; r < rows->size(); ++r) {
    AuditEntry e;
    e.id = rows->Int(r, 0);
    e.at = static_cast<std::time_t>(rows->Int(r, 1));
    e.actor = rows->Text(r, 2);
    e.peer = rows->Text(r, 3);
    e.action = rows->Text(r, 4);
    e.target = rows->Text(r, 5);
    e.detail = rows->Text(r, 6);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace opencapf::store::pg
