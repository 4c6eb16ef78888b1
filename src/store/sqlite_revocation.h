#pragma once

// The SQLite store's revocation statements (schema version 3). Callers hold the store's lock.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/revocation.h"
#include "store/sqlite.h"

namespace opencapf::store::sqlite {

/// Inside the caller's write transaction: records the device's lsc and pending-lsc
/// certificates as revoked; returns the ones newly recorded.
Result<std::vector<Revocation>> RevokeSlots(Database& db, const std::string& device,
                                            RevocationReason reason, std::time_t now,
                                            const std::string& doing);
/// Inside the caller's write transaction: records one revocation as given (revoked_at
/// included); nullopt when that certificate was revoked already.
Result<std::optional<Revocation>> InsertRevocation(Database& db, const Revocation& revocation,
                                                   const std::string& doing);
Result<std::vector<Revocation>> ListRevocations(Database& db);
Result<std::optional<Revocation>> FindRevocation(Database& db, std::string_view issuer,
                                                 std::string_view serial_hex);
Result<std::int64_t> RevocationGeneration(Database& db);

}  // namespace opencapf::store::sqlite
