#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/admin_records.h"
#include "store/cluster.h"
#include "store/device.h"
#include "store/revocation.h"
#include "store/trusted_certificate.h"

namespace opencapf::store {

/// One thing that happened to a device: a CAPF session (or a session from a phone the store
/// does not know), recorded for `device show` and audits.
struct Event {
  std::int64_t id = 0;           ///< assigned by the store; ignored when writing
  std::string device{};          ///< device name; may name a device the store does not hold
  std::time_t at = 0;            ///< when it started; 0 means "now" by the store's clock
  std::string peer{};            ///< the phone's address, "192.0.2.10:51234"
  std::string operation{};       ///< "install", "delete", "troubleshoot", "none", ...
  std::string result{};          ///< "success", "failure", "refused", ...
  std::string reason{};          ///< why, in words: "deadline passed", "REASON 9: unknown device"
  std::int64_t duration_ms = 0;  ///< must not be negative

  bool operator==(const Event&) const = default;
};

/// What `device list` selects by; every field that is set must match.
/// Members have default initializers so designated initializers may name any subset.
struct DeviceFilter {
  std::optional<LscStatus> lsc_status{};
  /// Compared case-insensitively, either with the whole status or with the part before ": "
  /// — "Upgrade Failed" finds every upgrade failure.
  std::optional<std::string> operation_status{};
  std::optional<std::string> auth_string{};
  std::optional<bool> encrypted_config{};
};

/// What writing trusted certificates did.
enum class TrustChange {
  kAdded,      ///< at least one certificate was not trusted before
  kUpdated,    ///< roles, TTL or source changed, or certificates were replaced
  kUnchanged,  ///< the store already held exactly this (the trust generation did not move)
};

class Store;

/// One store call among several made durable together (Store::RunBatch).
class BatchedCall {
 public:
  virtual ~BatchedCall();
  /// Makes the call on `store`, keeping what it returned.
  virtual void Run(Store& store) = 0;
  /// The batch's shared commit failed (or the batch never ran): what Run kept is void; `why`
  /// stands in for it.
  virtual void Abandon(const Error& why) = 0;
};

/// Devices, their certificates and their event history. The only code that knows SQL sits
/// behind this interface (see sqlite_store.h).
///
/// Every method that changes state does it in one transaction: either all of it is written or
/// none of it. Names given to Get/Remove/History are matched case-insensitively ("sep..." finds
/// "SEP..."). Devices written are checked with Validate() first.
///
/// Implementations are safe to call from several threads at once (the SQLite one serializes
/// calls on a mutex). Calls may block on disk writes; see sqlite_store.h for the bound.
class Store {
 public:
  virtual ~Store();

  /// The device, or nullopt when there is none by that name. An error only when the store
  /// itself fails.
  virtual Result<std::optional<Device>> Get(std::string_view name) = 0;

  /// Adds a new device; fails if one by that name exists. The stored copy gets version 1 and
  /// created = updated = now; the caller's `version`, `created` and `updated` are ignored.
  virtual Status Add(const Device& device) = 0;

  /// Writes the device's new state, and `event` if given, in ONE transaction. Refused, with
  /// nothing written, when the stored version is not `device.version` (someone changed the
  /// device since this copy was read: read it again and retry) or when anything fails. On
  /// success the stored version is device.version + 1 and `updated` is now; `created` is kept.
  /// An event with an empty `device` gets this device's name; another name is an error.
  virtual Status Save(const Device& device, const std::optional<Event>& event) = 0;

  /// Removes a device and its certificates; its events stay (they are history). Its LSC (and
  /// an issued but unconfirmed one) is recorded as revoked (cessation-of-operation) in the same
  /// transaction. Fails when there is no such device.
  virtual Status Remove(std::string_view name) = 0;

  /// Devices matching `filter`, ordered by name.
  virtual Result<std::vector<Device>> List(const DeviceFilter& filter) = 0;

  /// Adds many new devices (bulk import): all of them or, on any problem, none. Every invalid
  /// device, duplicate and already existing name is reported in the one error.
  virtual Status AddAll(const std::vector<Device>& devices) = 0;

  /// Records an event on its own, e.g. a session from a device the store does not know.
  virtual Status AppendEvent(const Event& event) = 0;

  /// The newest `limit` events of a device, newest first; limit 0 means all of them.
  virtual Result<std::vector<Event>> History(std::string_view device, std::size_t limit) = 0;

  // ----- Trusted certificates (what TVS answers from; see trusted_certificate.h) -----------

  /// Adds a trusted certificate or, when one with the same SHA-256 is held, replaces its roles,
  /// TTL and source (its `added` time stays). Checked with Validate() first.
  virtual Result<TrustChange> PutTrusted(const TrustedCertificate& entry) = 0;

  /// Puts opencapf's own certificates (init and serve), in ONE transaction: each entry is put
  /// as by PutTrusted with source "service", and every other "service" entry that shares a
  /// role with one of them is removed (a regenerated CAPF certificate replaces the old one).
  /// Entries must have distinct SHA-256s. Idempotent: the same entries again change nothing.
  virtual Result<TrustChange> ReplaceServiceTrusted(
      const std::vector<TrustedCertificate>& entries) = 0;

  /// Every trusted certificate, ordered by subject then SHA-256.
  virtual Result<std::vector<TrustedCertificate>> ListTrusted() = 0;

  /// The certificate with this SHA-256 (64 hex digits, any case, ':' allowed), or nullopt.
  virtual Result<std::optional<TrustedCertificate>> FindTrusted(std::string_view sha256) = 0;

  /// Removes the certificate whose SHA-256 is `sha256` or starts with it: a prefix must have at
  /// least 8 hex digits and match exactly one certificate (any case, ':' allowed). Returns what
  /// was removed.
  virtual Result<TrustedCertificate> RemoveTrusted(std::string_view sha256) = 0;

  /// A number that changes in the same transaction as every change to trusted certificates,
  /// whichever process makes it (a running server compares it to notice `opencapf trust`).
  virtual Result<std::int64_t> TrustGeneration() = 0;

  // ----- Revoked LSCs (what CRLs are built from; see revocation.h) --------------------------

  /// Records the device's LSC, and an issued but unconfirmed one, as revoked for `reason`,
  /// together with `event` when given (its empty `device` becomes this device's name), in ONE
  /// transaction. Returns the certificates newly revoked (one already revoked is not repeated;
  /// none when the device holds no LSC). Fails when there is no such device.
  virtual Result<std::vector<Revocation>> RevokeDeviceCertificates(
      std::string_view name, RevocationReason reason, const std::optional<Event>& event) = 0;

  /// Records `revocation` (its serial, issuer, device, reason, not_after and pem; the id is
  /// assigned) as revoked from `revocation.revoked_at` — or from now when that is earlier: a
  /// revocation never takes effect in the past —, together with `event` when given, in ONE
  /// transaction. For an LSC a device no longer holds, replaced by a new one: CRLs and OCSP list
  /// it once its time has come. Returns what was recorded, nullopt when it was revoked already.
  virtual Result<std::optional<Revocation>> RevokeCertificate(
      const Revocation& revocation, const std::optional<Event>& event) = 0;

  /// Every revocation, oldest first.
  virtual Result<std::vector<Revocation>> ListRevocations() = 0;

  /// The revocation of the certificate with this issuer name and serial (upper-case hex), or
  /// nullopt.
  virtual Result<std::optional<Revocation>> FindRevocation(std::string_view issuer,
                                                           std::string_view serial_hex) = 0;

  /// A number that grows with every revocation recorded, whichever process records it (a
  /// running server compares it to know when to rebuild its CRLs).
  virtual Result<std::int64_t> RevocationGeneration() = 0;

  // ----- Administration (see admin_records.h) -----------------------------------------------

  /// Replaces the administrator's password hash (admin/password.h writes it).
  virtual Status SetAdminPassword(std::string_view hash) = 0;
  /// The administrator's password hash, or nullopt when none was ever set.
  virtual Result<std::optional<std::string>> AdminPasswordHash() = 0;
  /// Adds an API token; refused when one by that name exists. `created` is set by the store.
  virtual Status AddApiToken(const ApiToken& token) = 0;
  /// Every API token, ordered by name.
  virtual Result<std::vector<ApiToken>> ListApiTokens() = 0;
  /// Removes the token by that name; fails when there is none.
  virtual Status RemoveApiToken(std::string_view name) = 0;
  /// Notes that the token was used at `at`.
  virtual Status TouchApiToken(std::string_view name, std::time_t at) = 0;
  /// Appends one entry to the audit log (its `at` 0 means now).
  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  /// The newest `limit` audit entries, newest first; 0 means all of them.
  virtual Result<std::vector<AuditEntry>> ListAudit(std::size_t limit) = 0;

  // ----- Batches ---------------------------------------------------------------------------

  /// Runs `calls` one after another and makes their writes durable together when the store can:
  /// SQLite runs them in one transaction — each call's own transaction a savepoint inside it, so
  /// a call that fails undoes only its own writes — and commits once, one fdatasync for the lot
  /// instead of one each (group commit). What a call returned stands only once that commit
  /// succeeded; when it fails every call is Abandon()ed with why, so nothing is reported written
  /// that a crash could lose. The default runs each call on its own, each committing by itself.
  virtual void RunBatch(std::span<BatchedCall* const> calls);
  /// How many calls RunBatch usefully takes at once (1: batching gains nothing here), and how
  /// many threads may call the store at the same time to some gain (its connections).
  virtual std::size_t batch_limit() const { return 1; }
  virtual int parallel_callers() const { return 1; }

  // ----- Cluster (see cluster.h) -----------------------------------------------------------

  /// What the nodes sharing this store share besides the above, or null when the store is
  /// one node's own (SQLite).
  virtual Cluster* cluster() { return nullptr; }
};

}  // namespace opencapf::store
