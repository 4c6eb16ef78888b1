#pragma once

// The TVS side of the trust store: entries made from certificates, opencapf's own certificates
// put there at init and serve, and the in-memory copy a running server answers from.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "store/store.h"
#include "tvs/message.h"

namespace opencapf::tvs {

/// Lowercase hex SHA-256 of a certificate's DER: the trust store's key.
std::string Sha256Hex(ByteView der);

/// A trust-store entry for `certificate` with the given roles (ITL role codes).
store::TrustedCertificate MakeTrusted(const pki::Certificate& certificate,
                                      std::vector<std::uint16_t> roles,
                                      std::uint32_t ttl = store::kDefaultTrustTtl,
                                      store::TrustSource source = store::TrustSource::kAdmin);

/// One of opencapf's own certificates and the roles it serves in.
using ServiceCertificate = std::pair<pki::Certificate, std::vector<std::uint16_t>>;

/// Puts opencapf's own certificates in the trust store (source "service", TTL one day), as
/// `init` and `serve` do: the CallManager/TFTP certificate with CCM+TFTP, CAPF with CAPF, TVS
/// with TVS. Idempotent (the same certificates again change nothing, so a running TVS sees no
/// change); a certificate given twice has its roles merged; an older service entry for the same
/// role (a regenerated certificate) is replaced. Administrators' entries are left alone.
Status SeedServiceTrust(store::Store& store, const std::vector<ServiceCertificate>& certificates);

/// What the trust store says about one certificate, now.
struct Answer {
  VerifyResponse response;  ///< what goes on the wire
  std::string reason;       ///< for the log: "trusted (admin) until ...", "not in the trust store"
  std::string subject;      ///< the stored subject when the certificate is known, else empty
};

/// The running server's copy of the trust store. Each Check reads the store's trust generation
/// (one row) and reloads the whole list only when it moved, so `opencapf trust add/remove` in
/// another process takes effect on the next request. If the store cannot be read, answers come
/// from the last copy (and say so in `reason`); with no copy at all, every answer is invalid.
/// Safe to call from several threads.
class TrustCache {
 public:
  TrustCache(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  /// The answer for a certificate with this DER. A valid answer's TTL never reaches past the
  /// certificate's expiry.
  Answer Check(ByteView der);

  /// The generation of the copy in memory (nullopt before the first successful load).
  std::optional<std::int64_t> generation() const;

 private:
  struct Entry {
    std::vector<std::uint16_t> roles;
    std::uint32_t ttl = 0;
    std::time_t not_before = 0;
    std::time_t not_after = 0;
    std::string subject;
    store::TrustSource source = store::TrustSource::kAdmin;
  };

  /// Reloads when the generation moved; an error says the copy may be stale.
  Status RefreshLocked();

  store::Store& store_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::optional<std::int64_t> generation_;
  std::unordered_map<std::string, Entry> entries_;
  /// After the store failed, the copy answers alone until then: a database that went away (a
  /// partition that makes every call wait for its timeout) must not slow every TVS answer.
  std::chrono::steady_clock::time_point retry_after_{};
  std::string last_failure_;
};

/// "CCM, TFTP" for role codes; "none" for an empty list.
std::string RoleList(const std::vector<std::uint16_t>& roles);

}  // namespace opencapf::tvs
