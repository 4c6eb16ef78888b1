#include "store/postgres_store.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/postgres.h"
#include "store/postgres_cluster.h"
#include "store/postgres_records.h"
#include "store/postgres_schema.h"
#include "store/store_rules.h"

namespace opencapf::store {

// Inside pg:: so that a unity build may put this file beside the SQLite store's.
namespace pg {
namespace {

using rules::kSlots;
using rules::Slot;
using rules::StoredName;

#define DEVICE_COLUMNS                                                               \
  "name, operation, auth, auth_string, key_order, rsa_bits, ec_curve, complete_by, " \
  "operation_status, lsc_status, encrypted_config, created, updated, version"
#define CERTIFICATE_COLUMNS "device, slot, pem, serial_hex, subject, issuer, not_before, not_after"

// $1 lsc_status, $2 operation_status, $3 auth_string, $4 encrypted_config; a NULL parameter
// matches everything.
#define DEVICE_FILTER                                                                            \
  " WHERE ($1::text IS NULL OR lsc_status = $1::text)"                                           \
  " AND ($2::text IS NULL OR lower(operation_status) = lower($2::text)"                          \
  "      OR lower(substr(operation_status, 1, length($2::text) + 2)) = lower($2::text) || ': ')" \
  " AND ($3::text IS NULL OR auth_string = $3::text)"                                            \
  " AND ($4::boolean IS NULL OR encrypted_config = $4::boolean)"

constexpr const char* kSelectDevice =
    "SELECT " DEVICE_COLUMNS " FROM devices WHERE name = $1::text";
constexpr const char* kSelectCertificates =
    "SELECT " CERTIFICATE_COLUMNS " FROM certificates WHERE device = $1::text";
constexpr const char* kListDevices =
    "SELECT " DEVICE_COLUMNS " FROM devices" DEVICE_FILTER " ORDER BY name";
constexpr const char* kListCertificates =
    "SELECT " CERTIFICATE_COLUMNS
    " FROM certificates WHERE device IN (SELECT name FROM devices" DEVICE_FILTER ")";
constexpr const char* kInsertDevice =
    "INSERT INTO devices (" DEVICE_COLUMNS
    ") VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::integer, $7::integer, "
    "$8::bigint, $9::text, $10::text, $11::boolean, $12::bigint, $12::bigint, 1)";
constexpr const char* kUpdateDevice =
    "UPDATE devices SET operation = $2::text, auth = $3::text, auth_string = $4::text, "
    "key_order = $5::text, rsa_bits = $6::integer, ec_curve = $7::integer, "
    "complete_by = $8::bigint, operation_status = $9::text, lsc_status = $10::text, "
    "encrypted_config = $11::boolean, updated = $12::bigint, version = version + 1 "
    "WHERE name = $1::text AND version = $13::bigint";
constexpr const char* kSelectVersion = "SELECT version FROM devices WHERE name = $1::text";
constexpr const char* kDeleteDevice = "DELETE FROM devices WHERE name = $1::text";
constexpr const char* kDeleteCertificates = "DELETE FROM certificates WHERE device = $1::text";
constexpr const char* kInsertCertificate =
    "INSERT INTO certificates (" CERTIFICATE_COLUMNS
    ") VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bigint, "
    "$8::bigint)";
constexpr const char* kInsertEvent =
    "INSERT INTO events (device, at, peer, operation, result, reason, duration_ms) "
    "VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::text, $7::bigint)";
constexpr const char* kHistory =
    "SELECT id, device, at, peer, operation, result, reason, duration_ms FROM events "
    "WHERE device = $1::text ORDER BY at DESC, id DESC LIMIT $2::bigint";

#undef DEVICE_COLUMNS
#undef CERTIFICATE_COLUMNS
#undef DEVICE_FILTER

/// Parameters 1-11 of kInsertDevice and kUpdateDevice, in DEVICE_COLUMNS order.
Params DeviceFields(const Device& d) {
  Params p;
  p.Add(d.name)
      .Add(ToText(d.operation))
      .Add(ToText(d.auth))
      .Add(d.auth_string)
      .Add(ToText(d.key_order))
      .Add(d.rsa_bits)
      .Add(d.ec_curve);
  if (d.complete_by) {
    p.Add(static_cast<std::int64_t>(*d.complete_by));
  } else {
    p.AddNull();
  }
  p.Add(d.operation_status).Add(ToText(d.lsc_status)).Add(d.encrypted_config ? "true" : "false");
  return p;
}

Params Filter(const DeviceFilter& f) {
  Params p;
  if (f.lsc_status) {
    p.Add(ToText(*f.lsc_status));
  } else {
    p.AddNull();
  }
  p.Add(f.operation_status).Add(f.auth_string);
  if (f.encrypted_config) {
    p.Add(*f.encrypted_config ? "true" : "false");
  } else {
    p.AddNull();
  }
  return p;
}

/// Up to `connections` open connections, handed out one caller at a time.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->Return(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Pool(std::string url, const PostgresOptions& options, Connection first)
      : url_(std::move(url)), options_(options) {
    idle_.push_back(std::make_unique<Connection>(std::move(first)));
    open_ = 1;
  }

  /// A connection for one call: an idle one, a new one while fewer than the limit are open, or
  /// the next one returned.
  Result<Lease> Acquire() {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.connections; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;
    lock.unlock();
    auto conn = Open();
    if (!conn.ok()) {
      std::lock_guard relock(mu_);
      --open_;
      available_.notify_one();
      return conn.error();
    }
    return Lease(this, std::make_unique<Connection>(std::move(*conn)));
  }

  std::size_t connections() const { return options_.connections; }

  /// A new connection to the store's database, outside the pool (its owner keeps it).
  Result<Connection> Open() const { return Connection::Open(url_, options_.connect_timeout); }

 private:
  void Return(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    available_.notify_one();
  }

  const std::string url_;
  const PostgresOptions options_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

class PostgresStore final : public Store, public Cluster {
 public:
  PostgresStore(std::string url, const PostgresOptions& options, Connection first,
                const Clock& clock)
      : pool_(std::move(url), options, std::move(first)), clock_(clock) {}

  Result<std::optional<Device>> Get(std::string_view name) override {
    const std::string key = StoredName(name);
    return Run([&](Connection& c) -> Result<std::optional<Device>> {
      const std::string doing = "reading device " + key;
      auto tx = Transaction::Begin(c, Transaction::Kind::kRead, doing);
      if (!tx.ok()) return tx.error();
      auto rows = c.Query(kSelectDevice, Params().Add(key), doing);
      if (!rows.ok()) return rows.error();
      if (rows->empty()) return std::optional<Device>();
      auto device = ReadDevice(c, *rows, 0);
      if (!device.ok()) return device.error();
      auto certs = c.Query(kSelectCertificates, Params().Add(key), doing);
      if (!certs.ok()) return certs.error();
      for (int r = 0; r < certs->size(); ++r) {
        Status placed = PlaceCertificate(c, *certs, r, *device);
        if (!placed.ok()) return placed.error();
      }
      Status done = tx->Commit(doing);
      if (!done.ok()) return done.error();
      return std::optional<Device>(std::move(*device));
    });
  }

  Status Add(const Device& device) override { return AddAll({device}); }

  Status Save(const Device& device, const std::optional<Event>& event) override {
    Status valid = rules::CheckSave(device, event);
    if (!valid.ok()) return valid;
    return Run([&](Connection& c) -> Status {
      const std::string doing = "saving device " + device.name;
      const std::time_t now = clock_.Now();
      auto tx = Transaction::Begin(c, Transaction::Kind::kWrite, doing);
      if (!tx.ok()) return tx.error();
      // The row lock this UPDATE takes makes a second node's Save of the same device wait for
      // this transaction, then find the version moved: one of two racing sessions wins.
      auto updated = c.Query(
          kUpdateDevice,
          DeviceFields(device).Add(static_cast<std::int64_t>(now)).Add(device.version), doing);
      if (!updated.ok()) return updated.error();
      if (updated->Affected() == 0) {
        auto stored = StoredVersion(c, device.name, doing);
        if (!stored.ok()) return stored.error();
        return rules::NotSaved(device, *stored);
      }
      Status certs = WriteCertificates(c, device, doing, /*replace=*/true);
      if (!certs.ok()) return certs;
      if (event) {
        Event e = *event;
        e.device = device.name;
        Status recorded = InsertEvent(c, e, now, doing + ": recording the event");
        if (!recorded.ok()) return recorded;
      }
      return tx->Commit(doing);
    });
  }

  Status Remove(std::string_view name) override {
    const std::string key = StoredName(name);
    return Run([&](Connection& c) -> Status {
      const std::string doing = "removing device " + key;
      auto tx = Transaction::Begin(c, Transaction::Kind::kWrite, doing);
      if (!tx.ok()) return tx.error();
      // Its LSC is revoked before its certificates go: a removed phone's LSC must stop opening
      // ports as soon as the CRLs are refreshed.
      auto revoked =
          RevokeSlots(c, key, RevocationReason::kCessationOfOperation, clock_.Now(), doing);
      if (!revoked.ok()) return revoked.error();
      auto deleted = c.Query(kDeleteDevice, Params().Add(key), doing);
      if (!deleted.ok()) return deleted.error();
      if (deleted->Affected() == 0) return Fail("there is no device " + key + " to remove");
      return tx->Commit(doing);  // its certificates go with it (ON DELETE CASCADE)
    });
  }

  Result<std::vector<Device>> List(const DeviceFilter& filter) override {
    return Run([&](Connection& c) -> Result<std::vector<Device>> {
      const std::string doing = "listing devices";
      auto tx = Transaction::Begin(c, Transaction::Kind::kRead, doing);
      if (!tx.ok()) return tx.error();
      auto rows = c.Query(kListDevices, Filter(filter), doing);
      if (!rows.ok()) return rows.error();
      std::vector<Device> out;
      std::unordered_map<std::string, std::size_t> index;
      for (int r = 0; r < rows->size(); ++r) {
        auto device = ReadDevice(c, *rows, r);
        if (!device.ok()) return device.error();
        index.emplace(device->name, out.size());
        out.push_back(std::move(*device));
      }
      auto certs = c.Query(kListCertificates, Filter(filter), doing);
      if (!certs.ok()) return certs.error();
      for (int r = 0; r < certs->size(); ++r) {
        auto it = index.find(certs->Text(r, 0));
        if (it == index.end()) continue;  // cannot happen inside one snapshot
        Status placed = PlaceCertificate(c, *certs, r, out[it->second]);
        if (!placed.ok()) return placed.error();
      }
      Status done = tx->Commit(doing);
      if (!done.ok()) return done.error();
      return out;
    });
  }

  Status AddAll(const std::vector<Device>& devices) override {
    Status valid = rules::CheckAddAll(devices);
    if (!valid.ok()) return valid;
    if (devices.empty()) return Status::Ok();
    return Run([&](Connection& c) -> Status {
      const std::string doing = rules::AddAllDoing(devices);
      const std::time_t now = clock_.Now();
      auto tx = Transaction::Begin(c, Transaction::Kind::kWrite, doing);
      if (!tx.ok()) return tx.error();
      std::vector<std::string> existing;
      for (const Device& device : devices) {
        auto stored = StoredVersion(c, device.name, doing);
        if (!stored.ok()) return stored.error();
        if (*stored) existing.push_back(device.name);
      }
      if (!existing.empty()) return rules::AlreadyExist(devices, existing);
      for (const Device& device : devices) {
        auto inserted =
            c.Query(kInsertDevice, DeviceFields(device).Add(static_cast<std::int64_t>(now)),
                    doing + ": " + device.name);
        if (!inserted.ok()) {
          // Another node added it after the check above.
          if (c.last_failure() == Failure::kUniqueViolation) {
            return rules::AlreadyExist(devices, {device.name});
          }
          return inserted.error();
        }
        Status certs = WriteCertificates(c, device, doing, /*replace=*/false);
        if (!certs.ok()) return certs;
      }
      return tx->Commit(doing);
    });
  }

  Status AppendEvent(const Event& event) override {
    Event e = event;
    e.device = StoredName(event.device);
    return Run([&](Connection& c) {
      return InsertEvent(c, e, clock_.Now(), "recording an event for " + e.device);
    });
  }

  Result<std::vector<Event>> History(std::string_view device, std::size_t limit) override {
    const std::string key = StoredName(device);
    Params params;
    params.Add(key);
    if (limit == 0) {
      params.AddNull();  // LIMIT NULL: all of them
    } else {
      params.Add(static_cast<std::int64_t>(limit));
    }
    return Run([&](Connection& c) -> Result<std::vector<Event>> {
      auto rows = c.Query(kHistory, params, "reading the history of " + key);
      if (!rows.ok()) return rows.error();
      std::vector<Event> out;
      for (int r = 0; r < rows->size(); ++r) {
        Event e;
        e.id = rows->Int(r, 0);
        e.device = rows->Text(r, 1);
        e.at = static_cast<std::time_t>(rows->Int(r, 2));
        e.peer = rows->Text(r, 3);
        e.operation = rows->Text(r, 4);
        e.result = rows->Text(r, 5);
        e.reason = rows->Text(r, 6);
        e.duration_ms = rows->Int(r, 7);
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  // Trusted certificates, revocations and administration: the statements live in
  // postgres_records.cc.
  Result<TrustChange> PutTrusted(const TrustedCertificate& entry) override {
    return Run([&](Connection& c) { return pg::PutTrusted(c, entry, clock_.Now()); });
  }
  Result<TrustChange> ReplaceServiceTrusted(
      const std::vector<TrustedCertificate>& entries) override {
    return Run([&](Connection& c) { return pg::ReplaceServiceTrusted(c, entries, clock_.Now()); });
  }
  Result<std::vector<TrustedCertificate>> ListTrusted() override {
    return Run([&](Connection& c) { return pg::ListTrusted(c); });
  }
  Result<std::optional<TrustedCertificate>> FindTrusted(std::string_view sha256) override {
    return Run([&](Connection& c) { return pg::FindTrusted(c, sha256); });
  }
  Result<TrustedCertificate> RemoveTrusted(std::string_view sha256) override {
    return Run([&](Connection& c) { return pg::RemoveTrusted(c, sha256); });
  }
  Result<std::int64_t> TrustGeneration() override {
    return Run([&](Connection& c) { return pg::Generation(c, "trust"); });
  }

  Result<std::vector<Revocation>> RevokeDeviceCertificates(
      std::string_view name, RevocationReason reason, const std::optional<Event>& event) override {
    const std::string key = StoredName(name);
    return Run([&](Connection& c) -> Result<std::vector<Revocation>> {
      const std::string doing = "revoking the LSC of " + key;
      const std::time_t now = clock_.Now();
      auto tx = Transaction::Begin(c, Transaction::Kind::kWrite, doing);
      if (!tx.ok()) return tx.error();
      auto stored = StoredVersion(c, key, doing);
      if (!stored.ok()) return stored.error();
      if (!*stored) return Fail("there is no device " + key);
      auto revoked = RevokeSlots(c, key, reason, now, doing);
      if (!revoked.ok()) return revoked.error();
      if (event) {
        Event e = *event;
        e.device = key;
        Status recorded = InsertEvent(c, e, now, doing + ": recording the event");
        if (!recorded.ok()) return recorded.error();
      }
      Status done = tx->Commit(doing);
      if (!done.ok()) return done.error();
      return std::move(*revoked);
    });
  }
  Result<std::optional<Revocation>> RevokeCertificate(const Revocation& revocation,
                                                      const std::optional<Event>& event) override {
    Revocation r = revocation;
    r.device = StoredName(revocation.device);
    return Run([&](Connection& c) -> Result<std::optional<Revocation>> {
      const std::string doing = "revoking certificate " + r.serial_hex + " of " + r.device;
      const std::time_t now = clock_.Now();
      Revocation row = r;
      row.revoked_at = std::max(r.revoked_at, now);
      auto tx = Transaction::Begin(c, Transaction::Kind::kWrite, doing);
      if (!tx.ok()) return tx.error();
      auto recorded = pg::InsertRevocation(c, row, doing);
      if (!recorded.ok()) return recorded.error();
      if (event) {
        Event e = *event;
        if (e.device.empty()) e.device = row.device;
        Status appended = InsertEvent(c, e, now, doing + ": recording the event");
        if (!appended.ok()) return appended.error();
      }
      Status done = tx->Commit(doing);
      if (!done.ok()) return done.error();
      return std::move(*recorded);
    });
  }
  Result<std::vector<Revocation>> ListRevocations() override {
    return Run([&](Connection& c) { return pg::ListRevocations(c); });
  }
  Result<std::optional<Revocation>> FindRevocation(std::string_view issuer,
                                                   std::string_view serial_hex) override {
    return Run([&](Connection& c) { return pg::FindRevocation(c, issuer, serial_hex); });
  }
  Result<std::int64_t> RevocationGeneration() override {
    return Run([&](Connection& c) { return pg::Generation(c, "revocation"); });
  }

  Status SetAdminPassword(std::string_view hash) override {
    return Run([&](Connection& c) { return pg::SetAdminPassword(c, hash, clock_.Now()); });
  }
  Result<std::optional<std::string>> AdminPasswordHash() override {
    return Run([&](Connection& c) { return pg::AdminPasswordHash(c); });
  }
  Status AddApiToken(const ApiToken& token) override {
    return Run([&](Connection& c) { return pg::AddApiToken(c, token, clock_.Now()); });
  }
  Result<std::vector<ApiToken>> ListApiTokens() override {
    return Run([&](Connection& c) { return pg::ListApiTokens(c); });
  }
  Status RemoveApiToken(std::string_view name) override {
    return Run([&](Connection& c) { return pg::RemoveApiToken(c, name); });
  }
  Status TouchApiToken(std::string_view name, std::time_t at) override {
    return Run([&](Connection& c) { return pg::TouchApiToken(c, name, at); });
  }
  Status AppendAudit(const AuditEntry& entry) override {
    return Run([&](Connection& c) { return pg::AppendAudit(c, entry, clock_.Now()); });
  }
  Result<std::vector<AuditEntry>> ListAudit(std::size_t limit) override {
    return Run([&](Connection& c) { return pg::ListAudit(c, limit); });
  }

  // Each call commits on the server, which batches its own WAL flushes; callers gain from
  // running as many at once as the pool has connections.
  int parallel_callers() const override { return static_cast<int>(pool_.connections()); }

  // The cluster (store/cluster.h): the statements live in postgres_cluster.cc.
  Cluster* cluster() override { return this; }
  Result<std::optional<ClusterRecord>> Record() override {
    return Run([&](Connection& c) { return ClusterRecordOf(c); });
  }
  Status Create(const ClusterRecord& record, const std::vector<SharedFile>& files) override {
    return Run([&](Connection& c) { return CreateCluster(c, record, files, clock_.Now()); });
  }
  Result<std::int64_t> CertificatesGeneration() override {
    return Run([&](Connection& c) { return pg::CertificatesGeneration(c); });
  }
  Result<CertificateSet> Certificates() override {
    return Run([&](Connection& c) { return pg::Certificates(c); });
  }
  Result<std::int64_t> PutCertificates(const std::vector<SharedFile>& files) override {
    return Run([&](Connection& c) { return pg::PutCertificates(c, files, clock_.Now()); });
  }
  Status Heartbeat(const NodeRecord& node) override {
    return Run([&](Connection& c) { return pg::Heartbeat(c, node, clock_.Now()); });
  }
  Result<std::vector<NodeRecord>> Nodes() override {
    return Run([&](Connection& c) { return pg::Nodes(c); });
  }
  Status RemoveNode(std::string_view name) override {
    return Run([&](Connection& c) { return pg::RemoveNode(c, name); });
  }
  Result<bool> WaitForChange(std::chrono::milliseconds timeout) override {
    // A connection of its own that only listens: the pool's are for calls.
    if (!listener_ || listener_->Broken()) {
      listener_.reset();
      auto conn = pool_.Open();
      if (!conn.ok()) return conn.error();
      if (Status st = conn->Exec("LISTEN opencapf", "listening for changes"); !st.ok()) {
        return st.error();
      }
      listener_ = std::make_unique<Connection>(std::move(*conn));
    }
    return listener_->WaitForNotification(timeout);
  }

 private:
  /// Runs `body` on a pooled connection. A body that failed because the connection broke, or
  /// because the server turned out to be a standby, runs once more on a fresh connection — but
  /// only when no COMMIT had been sent, so a change is never applied twice.
  template <typename Body>
  auto Run(Body&& body) -> std::invoke_result_t<Body&, Connection&> {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.error();
    Connection& c = **lease;
    for (int attempt = 0;; ++attempt) {
      if (c.Broken()) {
        Status reconnected = c.Reconnect();
        if (!reconnected.ok()) return reconnected.error();
      }
      c.ClearCommitSent();
      auto out = body(c);
      if (out.ok()) return out;
      const pg::Failure failure = c.last_failure();
      const bool retry = failure == Failure::kConnection || failure == Failure::kReadOnly;
      if (!retry || attempt > 0) return out;
      if (c.commit_sent()) {
        return Fail(out.error().message +
                    " — the connection was lost while committing, so whether this change was "
                    "saved is unknown; look before doing it again");
      }
      Status reconnected = c.Reconnect();
      if (!reconnected.ok()) return out;
    }
  }

  /// A row of kSelectDevice/kListDevices. Enum texts the CHECKs should have kept out are
  /// reported, not guessed at.
  static Result<Device> ReadDevice(const Connection& c, const Rows& s, int r) {
    Device d;
    d.name = s.Text(r, 0);
    auto where = [&](const Error& e) {
      return Fail(c.where() + ": device " + d.name + ": stored " + e.message);
    };
    auto operation = ParseOperation(s.Text(r, 1));
    if (!operation.ok()) return where(operation.error());
    auto auth = ParseAuthMode(s.Text(r, 2));
    if (!auth.ok()) return where(auth.error());
    auto key_order = ParseKeyOrder(s.Text(r, 4));
    if (!key_order.ok()) return where(key_order.error());
    auto lsc_status = ParseLscStatus(s.Text(r, 9));
    if (!lsc_status.ok()) return where(lsc_status.error());
    d.operation = *operation;
    d.auth = *auth;
    d.auth_string = s.OptionalText(r, 3);
    d.key_order = *key_order;
    d.rsa_bits = static_cast<int>(s.Int(r, 5));
    d.ec_curve = static_cast<int>(s.Int(r, 6));
    if (auto t = s.OptionalInt(r, 7)) d.complete_by = static_cast<std::time_t>(*t);
    d.operation_status = s.Text(r, 8);
    d.lsc_status = *lsc_status;
    d.encrypted_config = s.Text(r, 10) == "t";  // a boolean's text form: "t" or "f"
    d.created = static_cast<std::time_t>(s.Int(r, 11));
    d.updated = static_cast<std::time_t>(s.Int(r, 12));
    d.version = s.Int(r, 13);
    return d;
  }

  /// Puts a row of CERTIFICATE_COLUMNS into the device member its slot names.
  static Status PlaceCertificate(const Connection& c, const Rows& s, int r, Device& d) {
    const std::string slot = s.Text(r, 1);
    const Slot* known = rules::FindSlot(slot);
    if (known == nullptr) {
      return Fail(c.where() + ": device " + d.name + ": unknown certificate slot '" + slot + "'");
    }
    StoredCertificate cert;
    cert.pem = s.Text(r, 2);
    cert.serial_hex = s.Text(r, 3);
    cert.subject = s.Text(r, 4);
    cert.issuer = s.Text(r, 5);
    cert.not_before = static_cast<std::time_t>(s.Int(r, 6));
    cert.not_after = static_cast<std::time_t>(s.Int(r, 7));
    d.*(known->member) = std::move(cert);
    return Status::Ok();
  }

  /// Writes the device's certificates; `replace` first deletes the stored ones.
  static Status WriteCertificates(Connection& c, const Device& d, const std::string& doing,
                                  bool replace) {
    if (replace) {
      auto del =
          c.Query(kDeleteCertificates, Params().Add(d.name), doing + ": replacing certificates");
      if (!del.ok()) return del.error();
    }
    for (const Slot& slot : kSlots) {
      const auto& cert = d.*(slot.member);
      if (!cert) continue;
      auto ins = c.Query(kInsertCertificate,
                         Params()
                             .Add(d.name)
                             .Add(slot.name)
                             .Add(cert->pem)
                             .Add(cert->serial_hex)
                             .Add(cert->subject)
                             .Add(cert->issuer)
                             .Add(static_cast<std::int64_t>(cert->not_before))
                             .Add(static_cast<std::int64_t>(cert->not_after)),
                         doing + ": storing the " + std::string(slot.name) + " certificate");
      if (!ins.ok()) return ins.error();
    }
    return Status::Ok();
  }

  /// Inserts an event; `at` 0 becomes `now`.
  static Status InsertEvent(Connection& c, const Event& e, std::time_t now,
                            const std::string& doing) {
    auto ins = c.Query(kInsertEvent,
                       Params()
                           .Add(e.device)
                           .Add(static_cast<std::int64_t>(e.at == 0 ? now : e.at))
                           .Add(e.peer)
                           .Add(e.operation)
                           .Add(e.result)
                           .Add(e.reason)
                           .Add(e.duration_ms),
                       doing);
    if (!ins.ok()) return ins.error();
    return Status::Ok();
  }

  /// The stored version of a device, or nullopt when there is none.
  static Result<std::optional<std::int64_t>> StoredVersion(Connection& c, const std::string& name,
                                                           const std::string& doing) {
    auto rows = c.Query(kSelectVersion, Params().Add(name), doing);
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(rows->Int(0, 0));
  }

  Pool pool_;
  const Clock& clock_;
  std::unique_ptr<Connection> listener_;
};

}  // namespace
}  // namespace pg

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string DescribePostgresUrl(const std::string& url) { return pg::DescribeTarget(url); }

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const Clock& clock,
                                                 const PostgresOptions& options) {
  auto conn = pg::Connection::Open(url, options.connect_timeout);
  if (!conn.ok()) return conn.error();
  Status migrated = pg::Migrate(*conn);
  if (!migrated.ok()) return migrated.error();
  PostgresOptions bounded = options;
  if (bounded.connections == 0) bounded.connections = 1;
  return std::unique_ptr<Store>(
      std::make_unique<pg::PostgresStore>(url, bounded, std::move(*conn), clock));
}

}  // namespace opencapf::store
