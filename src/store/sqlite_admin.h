#pragma once

// The SQLite store's administration statements (schema version 4): password, API tokens, audit.
// Callers hold the store's lock; each function runs its own transaction.

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/admin_records.h"
#include "store/sqlite.h"

namespace opencapf::store::sqlite {

Status SetAdminPassword(Database& db, std::string_view hash, std::time_t now);
Result<std::optional<std::string>> AdminPasswordHash(Database& db);
Status AddApiToken(Database& db, const ApiToken& token, std::time_t now);
Result<std::vector<ApiToken>> ListApiTokens(Database& db);
Status RemoveApiToken(Database& db, std::string_view name);
Status TouchApiToken(Database& db, std::string_view name, std::time_t at);
Status AppendAudit(Database& db, const AuditEntry& entry, std::time_t now);
Result<std::vector<AuditEntry>> ListAudit(Database& db, std::size_t limit);

}  // namespace opencapf::store::sqlite
