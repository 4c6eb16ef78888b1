#pragma once

// The SQLite store's trusted-certificate statements (schema version 2), kept apart from the
// device statements. Callers hold the store's lock; each function runs its own transaction.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "store/trusted_certificate.h"

namespace opencapf::store::sqlite {

Result<TrustChange> PutTrusted(Database& db, const TrustedCertificate& entry, std::time_t now);
Result<TrustChange> ReplaceServiceTrusted(Database& db,
                                          const std::vector<TrustedCertificate>& entries,
                                          std::time_t now);
Result<std::vector<TrustedCertificate>> ListTrusted(Database& db);
Result<std::optional<TrustedCertificate>> FindTrusted(Database& db, std::string_view sha256);
Result<TrustedCertificate> RemoveTrusted(Database& db, std::string_view sha256);
Result<std::int64_t> TrustGeneration(Database& db);

}  // namespace opencapf::store::sqlite
