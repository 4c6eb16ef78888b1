#pragma once

// The PostgreSQL store's statements for trusted certificates, revocations and administration,
// each run on the caller's connection (postgres_store.cc picks it and retries after a failover).

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/admin_records.h"
#include "store/postgres.h"
#include "store/revocation.h"
#include "store/store.h"
#include "store/trusted_certificate.h"

namespace opencapf::store::pg {

Result<TrustChange> PutTrusted(Connection& conn, const TrustedCertificate& entry, std::time_t now);
Result<TrustChange> ReplaceServiceTrusted(Connection& conn,
                                          const std::vector<TrustedCertificate>& entries,
                                          std::time_t now);
Result<std::vector<TrustedCertificate>> ListTrusted(Connection& conn);
Result<std::optional<TrustedCertificate>> FindTrusted(Connection& conn, std::string_view sha256);
Result<TrustedCertificate> RemoveTrusted(Connection& conn, std::string_view sha256);
Result<std::int64_t> Generation(Connection& conn, std::string_view name);

/// Inside the caller's transaction: records the device's LSC and pending LSC as revoked, and
/// returns those newly revoked.
/// Records one revocation as given; nullopt when that certificate was revoked already.
Result<std::optional<Revocation>> InsertRevocation(Connection& conn, const Revocation& revocation,
                                                   const std::string& doing);
Result<std::vector<Revocation>> RevokeSlots(Connection& conn, const std::string& device,
                                            RevocationReason reason, std::time_t now,
                                            const std::string& doing);
Result<std::vector<Revocation>> ListRevocations(Connection& conn);
Result<std::optional<Revocation>> FindRevocation(Connection& conn, std::string_view issuer,
                                                 std::string_view serial_hex);

Status SetAdminPassword(Connection& conn, std::string_view hash, std::time_t now);
Result<std::optional<std::string>> AdminPasswordHash(Connection& conn);
Status AddApiToken(Connection& conn, const ApiToken& token, std::time_t now);
Result<std::vector<ApiToken>> ListApiTokens(Connection& conn);
Status RemoveApiToken(Connection& conn, std::string_view name);
Status TouchApiToken(Connection& conn, std::string_view name, std::time_t at);
Status AppendAudit(Connection& conn, const AuditEntry& entry, std::time_t now);
Result<std::vector<AuditEntry>> ListAudit(Connection& conn, std::size_t limit);

}  // namespace opencapf::store::pg
