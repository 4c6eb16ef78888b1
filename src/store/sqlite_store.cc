#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/sqlite.h"
#include "store/sqlite_admin.h"
#include "store/sqlite_revocation.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_trust.h"
#include "store/store_rules.h"

namespace opencapf::store {

namespace {

using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;

// Column lists shared by the statements below (constants, never values).
#define DEVICE_COLUMNS                                                               \
  "name, operation, auth, auth_string, key_order, rsa_bits, ec_curve, complete_by, " \
  "operation_status, lsc_status, encrypted_config, created, updated, version"
#define CERTIFICATE_COLUMNS "device, slot, pem, serial_hex, subject, issuer, not_before, not_after"
#define EVENT_COLUMNS "id, device, at, peer, operation, result, reason, duration_ms"

// ?1 lsc_status, ?2 operation_status, ?3 auth_string, ?4 encrypted_config; a NULL parameter
// matches everything.
#define DEVICE_FILTER                                                                 \
  " WHERE (?1 IS NULL OR lsc_status = ?1)"                                            \
  " AND (?2 IS NULL OR operation_status COLLATE NOCASE = ?2"                          \
  "      OR substr(operation_status, 1, length(?2) + 2) COLLATE NOCASE = ?2 || ': ')" \
  " AND (?3 IS NULL OR auth_string = ?3)"                                             \
  " AND (?4 IS NULL OR encrypted_config = ?4)"

constexpr const char* kSelectDevice = "SELECT " DEVICE_COLUMNS " FROM devices WHERE name = ?1";
constexpr const char* kSelectCertificates =
    "SELECT " CERTIFICATE_COLUMNS " FROM certificates WHERE device = ?1";
constexpr const char* kListDevices =
    "SELECT " DEVICE_COLUMNS " FROM devices" DEVICE_FILTER " ORDER BY name";
constexpr const char* kListCertificates =
    "SELECT " CERTIFICATE_COLUMNS
    " FROM certificates WHERE device IN (SELECT name FROM devices" DEVICE_FILTER ")";
constexpr const char* kInsertDevice =
    "INSERT INTO devices (" DEVICE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr const char* kUpdateDevice =
    "UPDATE devices SET operation = ?2, auth = ?3, auth_string = ?4, key_order = ?5, "
    "rsa_bits = ?6, ec_curve = ?7, complete_by = ?8, operation_status = ?9, lsc_status = ?10, "
    "encrypted_config = ?11, updated = ?12, version = version + 1 WHERE name = ?1 AND "
    "version = ?13";
constexpr const char* kSelectVersion = "SELECT version FROM devices WHERE name = ?1";
constexpr const char* kDeleteDevice = "DELETE FROM devices WHERE name = ?1";
constexpr const char* kDeleteCertificates = "DELETE FROM certificates WHERE device = ?1";
constexpr const char* kInsertCertificate =
    "INSERT INTO certificates (" CERTIFICATE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kInsertEvent =
    "INSERT INTO events (device, at, peer, operation, result, reason, duration_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kHistory = "SELECT " EVENT_COLUMNS
                                 " FROM events WHERE device = ?1 ORDER BY at DESC, id DESC "
                                 "LIMIT ?2";

#undef DEVICE_COLUMNS
#undef CERTIFICATE_COLUMNS
#undef EVENT_COLUMNS
#undef DEVICE_FILTER

using rules::kSlots;
using rules::Slot;
using rules::StoredName;

class SqliteStore final : public Store {
 public:
  SqliteStore(Database db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

  Result<std::optional<Device>> Get(std::string_view name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const std::string key = StoredName(name);
    const std::string doing = "reading device " + key;
    auto tx = Transaction::Begin(db_, Transaction::Kind::kRead, doing);
    if (!tx.ok()) return tx.error();
    auto stmt = db_.Prepare(kSelectDevice, doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, key);
    auto row = stmt->Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Device>();
    auto device = ReadDevice(*stmt);
    if (!device.ok()) return device.error();

    auto certs = db_.Prepare(kSelectCertificates, doing);
    if (!certs.ok()) return certs.error();
    certs->Bind(1, key);
    for (;;) {
      auto more = certs->Step(doing);
      if (!more.ok()) return more.error();
      if (!*more) break;
      Status placed = PlaceCertificate(*certs, *device);
      if (!placed.ok()) return placed.error();
    }
    Status done = tx->Commit(doing);
    if (!done.ok()) return done.error();
    return std::optional<Device>(std::move(*device));
  }

  Status Add(const Device& device) override { return AddAll({device}); }

  void RunBatch(std::span<BatchedCall* const> calls) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (calls.size() == 1) {
      calls[0]->Run(*this);
      return;
    }
    const std::string doing = "writing a batch of " + std::to_string(calls.size()) + " changes";
    auto tx = Transaction::Begin(db_, Transaction::Kind::kWrite, doing);
    if (!tx.ok()) {
      for (BatchedCall* call : calls) call->Abandon(tx.error());
      return;
    }
    for (BatchedCall* call : calls) {
      call->Run(*this);
      // SQLite rolls the whole transaction back after some errors (full disk, I/O): every call
      // made so far went with it, and the rest would each commit on their own.
      if (db_.AutoCommit()) {
        const Error lost = Fail(db_.path().string() + ": " + doing +
                                ": the transaction was rolled back by an error; nothing of the "
                                "batch was written");
        for (BatchedCall* each : calls) each->Abandon(lost);
        return;
      }
    }
    Status committed = tx->Commit(doing);
    if (!committed.ok()) {
      for (BatchedCall* call : calls) call->Abandon(committed.error());
    }
  }
  std::size_t batch_limit() const override { return 256; }

  Status Save(const Device& device, const std::optional<Event>& event) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status valid = rules::CheckSave(device, event);
    if (!valid.ok()) return valid;
    const std::string doing = "saving device " + device.name;
    const std::time_t now = clock_.Now();

    auto tx = Transaction::Begin(db_, Transaction::Kind::kWrite, doing);
    if (!tx.ok()) return tx.error();
    auto update = db_.Prepare(kUpdateDevice, doing);
    if (!update.ok()) return update.error();
    BindDeviceFields(*update, device);
    update->Bind(12, static_cast<std::int64_t>(now)).Bind(13, device.version);
    Status updated = update->Run(doing);
    if (!updated.ok()) return updated;
    if (db_.Changes() == 0) {
      auto stored = StoredVersion(device.name, doing);
      if (!stored.ok()) return stored.error();
      return rules::NotSaved(device, *stored);
    }
    Status certs = WriteCertificates(device, doing, /*replace=*/true);
    if (!certs.ok()) return certs;
    if (event) {
      Event e = *event;
      e.device = device.name;
      Status recorded = InsertEvent(e, now, doing + ": recording the event");
      if (!recorded.ok()) return recorded;
    }
    return tx->Commit(doing);
  }

  Status Remove(std::string_view name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const std::string key = StoredName(name);
    const std::string doing = "removing device " + key;
    auto tx = Transaction::Begin(db_, Transaction::Kind::kWrite, doing);
    if (!tx.ok()) return tx.error();
    // Its LSC is revoked before its certificates go: a removed phone's LSC must stop opening
    // ports as soon as the CRLs are refreshed.
    auto revoked =
        sqlite::RevokeSlots(db_, key, RevocationReason::kCessationOfOperation, clock_.Now(), doing);
    if (!revoked.ok()) return revoked.error();
    auto stmt = db_.Prepare(kDeleteDevice, doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, key);
    Status ran = stmt->Run(doing);
    if (!ran.ok()) return ran;
    if (db_.Changes() == 0) return Fail("there is no device " + key + " to remove");
    return tx->Commit(doing);  // its certificates go with it (ON DELETE CASCADE)
  }

  Result<std::vector<Device>> List(const DeviceFilter& filter) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const std::string doing = "listing devices";
    auto tx = Transaction::Begin(db_, Transaction::Kind::kRead, doing);
    if (!tx.ok()) return tx.error();

    std::vector<Device> out;
    std::unordered_map<std::string, std::size_t> index;
    auto devices = db_.Prepare(kListDevices, doing);
    if (!devices.ok()) return devices.error();
    BindFilter(*devices, filter);
    for (;;) {
      auto row = devices->Step(doing);
      if (!row.ok()) return row.error();
      if (!*row) break;
      auto device = ReadDevice(*devices);
      if (!device.ok()) return device.error();
      index.emplace(device->name, out.size());
      out.push_back(std::move(*device));
    }

    auto certs = db_.Prepare(kListCertificates, doing);
    if (!certs.ok()) return certs.error();
    BindFilter(*certs, filter);
    for (;;) {
      auto row = certs->Step(doing);
      if (!row.ok()) return row.error();
      if (!*row) break;
      auto it = index.find(certs->Text(0));
      if (it == index.end()) continue;  // cannot happen inside one snapshot
      Status placed = PlaceCertificate(*certs, out[it->second]);
      if (!placed.ok()) return placed.error();
    }
    Status done = tx->Commit(doing);
    if (!done.ok()) return done.error();
    return out;
  }

  Status AddAll(const std::vector<Device>& devices) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Status valid = rules::CheckAddAll(devices);
    if (!valid.ok()) return valid;
    if (devices.empty()) return Status::Ok();
    const std::string doing = rules::AddAllDoing(devices);
    const std::time_t now = clock_.Now();
    auto tx = Transaction::Begin(db_, Transaction::Kind::kWrite, doing);
    if (!tx.ok()) return tx.error();

    std::vector<std::string> existing;
    for (const Device& device : devices) {
      auto stored = StoredVersion(device.name, doing);
      if (!stored.ok()) return stored.error();
      if (*stored) existing.push_back(device.name);
    }
    if (!existing.empty()) return rules::AlreadyExist(devices, existing);

    for (const Device& device : devices) {
      auto insert = db_.Prepare(kInsertDevice, doing);
      if (!insert.ok()) return insert.error();
      BindDeviceFields(*insert, device);
      insert->Bind(12, static_cast<std::int64_t>(now))
          .Bind(13, static_cast<std::int64_t>(now))
          .Bind(14, std::int64_t{1});
      Status inserted = insert->Run(doing + ": " + device.name);
      if (!inserted.ok()) return inserted;
      Status certs = WriteCertificates(device, doing, /*replace=*/false);
      if (!certs.ok()) return certs;
    }
    return tx->Commit(doing);
  }

  Status AppendEvent(const Event& event) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Event e = event;
    e.device = StoredName(event.device);
    return InsertEvent(e, clock_.Now(), "recording an event for " + e.device);
  }

  Result<std::vector<Event>> History(std::string_view device, std::size_t limit) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const std::string key = StoredName(device);
    const std::string doing = "reading the history of " + key;
    auto stmt = db_.Prepare(kHistory, doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, key).Bind(2, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
    std::vector<Event> out;
    for (;;) {
      auto row = stmt->Step(doing);
      if (!row.ok()) return row.error();
      if (!*row) break;
      Event e;
      e.id = stmt->Int(0);
      e.device = stmt->Text(1);
      e.at = static_cast<std::time_t>(stmt->Int(2));
      e.peer = stmt->Text(3);
      e.operation = stmt->Text(4);
      e.result = stmt->Text(5);
      e.reason = stmt->Text(6);
      e.duration_ms = stmt->Int(7);
      out.push_back(std::move(e));
    }
    return out;
  }

  // Trusted certificates: the statements live in sqlite_trust.cc.
  Result<TrustChange> PutTrusted(const TrustedCertificate& entry) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::PutTrusted(db_, entry, clock_.Now());
  }
  Result<TrustChange> ReplaceServiceTrusted(
      const std::vector<TrustedCertificate>& entries) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::ReplaceServiceTrusted(db_, entries, clock_.Now());
  }
  Result<std::vector<TrustedCertificate>> ListTrusted() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::ListTrusted(db_);
  }
  Result<std::optional<TrustedCertificate>> FindTrusted(std::string_view sha256) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::FindTrusted(db_, sha256);
  }
  Result<TrustedCertificate> RemoveTrusted(std::string_view sha256) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::RemoveTrusted(db_, sha256);
  }
  Result<std::int64_t> TrustGeneration() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::TrustGeneration(db_);
  }

  // Revocations: the statements live in sqlite_revocation.cc.
  Result<std::vector<Revocation>> RevokeDeviceCertificates(
      std::string_view name, RevocationReason reason, const std::optional<Event>& event) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const std::string key = StoredName(name);
    const std::string doing = "revoking the LSC of " + key;
    const std::time_t now = clock_.Now();
    auto tx = Transaction::Begin(db_, Transaction::Kind::kWrite, doing);
    if (!tx.ok()) return tx.error();
    auto stored = StoredVersion(key, doing);
    if (!stored.ok()) return stored.error();
    if (!*stored) return Fail("there is no device " + key);
    auto revoked = sqlite::RevokeSlots(db_, key, reason, now, doing);
    if (!revoked.ok()) return revoked.error();
    if (event) {
      Event e = *event;
      e.device = key;
      Status recorded = InsertEvent(e, now, doing + ": recording the event");
      if (!recorded.ok()) return recorded.error();
    }
    Status done = tx->Commit(doing);
    if (!done.ok()) return done.error();
    return std::move(*revoked);
  }
  Result<std::optional<Revocation>> RevokeCertificate(const Revocation& revocation,
                                                      const std::optional<Event>& event) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    Revocation r = revocation;
    r.device = StoredName(revocation.device);
    r.revoked_at = std::max(revocation.revoked_at, clock_.Now());
    const std::string doing = "revoking certificate " + r.serial_hex + " of " + r.device;
    auto tx = Transaction::Begin(db_, Transaction::Kind::kWrite, doing);
    if (!tx.ok()) return tx.error();
    auto recorded = sqlite::InsertRevocation(db_, r, doing);
    if (!recorded.ok()) return recorded.error();
    if (event) {
      Event e = *event;
      if (e.device.empty()) e.device = r.device;
      Status appended = InsertEvent(e, clock_.Now(), doing + ": recording the event");
      if (!appended.ok()) return appended.error();
    }
    Status done = tx->Commit(doing);
    if (!done.ok()) return done.error();
    return std::move(*recorded);
  }
  Result<std::vector<Revocation>> ListRevocations() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::ListRevocations(db_);
  }
  Result<std::optional<Revocation>> FindRevocation(std::string_view issuer,
                                                   std::string_view serial_hex) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::FindRevocation(db_, issuer, serial_hex);
  }
  Result<std::int64_t> RevocationGeneration() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::RevocationGeneration(db_);
  }

  // Administration: the statements live in sqlite_admin.cc.
  Status SetAdminPassword(std::string_view hash) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::SetAdminPassword(db_, hash, clock_.Now());
  }
  Result<std::optional<std::string>> AdminPasswordHash() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::AdminPasswordHash(db_);
  }
  Status AddApiToken(const ApiToken& token) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::AddApiToken(db_, token, clock_.Now());
  }
  Result<std::vector<ApiToken>> ListApiTokens() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::ListApiTokens(db_);
  }
  Status RemoveApiToken(std::string_view name) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::RemoveApiToken(db_, name);
  }
  Status TouchApiToken(std::string_view name, std::time_t at) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::TouchApiToken(db_, name, at);
  }
  Status AppendAudit(const AuditEntry& entry) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::AppendAudit(db_, entry, clock_.Now());
  }
  Result<std::vector<AuditEntry>> ListAudit(std::size_t limit) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return sqlite::ListAudit(db_, limit);
  }

 private:
  /// Parameters 1-11 of kInsertDevice and kUpdateDevice, in DEVICE_COLUMNS order.
  static void BindDeviceFields(Statement& s, const Device& d) {
    s.Bind(1, d.name)
        .Bind(2, ToText(d.operation))
        .Bind(3, ToText(d.auth))
        .Bind(4, d.auth_string)
        .Bind(5, ToText(d.key_order))
        .Bind(6, d.rsa_bits)
        .Bind(7, d.ec_curve);
    if (d.complete_by) {
      s.Bind(8, static_cast<std::int64_t>(*d.complete_by));
    } else {
      s.BindNull(8);
    }
    s.Bind(9, d.operation_status)
        .Bind(10, ToText(d.lsc_status))
        .Bind(11, d.encrypted_config ? 1 : 0);
  }

  static void BindFilter(Statement& s, const DeviceFilter& f) {
    if (f.lsc_status) {
      s.Bind(1, ToText(*f.lsc_status));
    } else {
      s.BindNull(1);
    }
    s.Bind(2, f.operation_status).Bind(3, f.auth_string);
    if (f.encrypted_config) {
      s.Bind(4, *f.encrypted_config ? 1 : 0);
    } else {
      s.BindNull(4);
    }
  }

  /// A row of kSelectDevice/kListDevices. Enum texts the CHECKs should have kept out are
  /// reported, not guessed at.
  Result<Device> ReadDevice(const Statement& s) const {
    Device d;
    d.name = s.Text(0);
    auto where = [&](const Error& e) {
      return Fail(db_.path().string() + ": device " + d.name + ": stored " + e.message);
    };
    auto operation = ParseOperation(s.Text(1));
    if (!operation.ok()) return where(operation.error());
    auto auth = ParseAuthMode(s.Text(2));
    if (!auth.ok()) return where(auth.error());
    auto key_order = ParseKeyOrder(s.Text(4));
    if (!key_order.ok()) return where(key_order.error());
    auto lsc_status = ParseLscStatus(s.Text(9));
    if (!lsc_status.ok()) return where(lsc_status.error());
    d.operation = *operation;
    d.auth = *auth;
    d.auth_string = s.OptionalText(3);
    d.key_order = *key_order;
    d.rsa_bits = static_cast<int>(s.Int(5));
    d.ec_curve = static_cast<int>(s.Int(6));
    if (auto t = s.OptionalInt(7)) d.complete_by = static_cast<std::time_t>(*t);
    d.operation_status = s.Text(8);
    d.lsc_status = *lsc_status;
    d.encrypted_config = s.Int(10) != 0;
    d.created = static_cast<std::time_t>(s.Int(11));
    d.updated = static_cast<std::time_t>(s.Int(12));
    d.version = s.Int(13);
    return d;
  }

  /// Puts a row of CERTIFICATE_COLUMNS into the device member its slot names.
  Status PlaceCertificate(const Statement& s, Device& d) const {
    const std::string slot = s.Text(1);
    const Slot* known = rules::FindSlot(slot);
    if (known == nullptr) {
      return Fail(db_.path().string() + ": device " + d.name + ": unknown certificate slot '" +
                  slot + "'");
    }
    StoredCertificate c;
    c.pem = s.Text(2);
    c.serial_hex = s.Text(3);
    c.subject = s.Text(4);
    c.issuer = s.Text(5);
    c.not_before = static_cast<std::time_t>(s.Int(6));
    c.not_after = static_cast<std::time_t>(s.Int(7));
    d.*(known->member) = std::move(c);
    return Status::Ok();
  }

  /// Writes the device's certificates; `replace` first deletes the stored ones.
  Status WriteCertificates(const Device& d, const std::string& doing, bool replace) {
    if (replace) {
      auto del = db_.Prepare(kDeleteCertificates, doing);
      if (!del.ok()) return del.error();
      del->Bind(1, d.name);
      Status ran = del->Run(doing + ": replacing certificates");
      if (!ran.ok()) return ran;
    }
    for (const Slot& slot : kSlots) {
      const auto& cert = d.*(slot.member);
      if (!cert) continue;
      auto ins = db_.Prepare(kInsertCertificate, doing);
      if (!ins.ok()) return ins.error();
      ins->Bind(1, d.name)
          .Bind(2, slot.name)
          .Bind(3, cert->pem)
          .Bind(4, cert->serial_hex)
          .Bind(5, cert->subject)
          .Bind(6, cert->issuer)
          .Bind(7, static_cast<std::int64_t>(cert->not_before))
          .Bind(8, static_cast<std::int64_t>(cert->not_after));
      Status ran = ins->Run(doing + ": storing the " + std::string(slot.name) + " certificate");
      if (!ran.ok()) return ran;
    }
    return Status::Ok();
  }

  /// Inserts an event; `at` 0 becomes `now`.
  Status InsertEvent(const Event& e, std::time_t now, const std::string& doing) {
    auto ins = db_.Prepare(kInsertEvent, doing);
    if (!ins.ok()) return ins.error();
    ins->Bind(1, e.device)
        .Bind(2, static_cast<std::int64_t>(e.at == 0 ? now : e.at))
        .Bind(3, e.peer)
        .Bind(4, e.operation)
        .Bind(5, e.result)
        .Bind(6, e.reason)
        .Bind(7, e.duration_ms);
    return ins->Run(doing);
  }

  /// The stored version of a device, or nullopt when there is none.
  Result<std::optional<std::int64_t>> StoredVersion(const std::string& name,
                                                    const std::string& doing) {
    auto stmt = db_.Prepare(kSelectVersion, doing);
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, name);
    auto row = stmt->Step(doing);
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(stmt->Int(0));
  }

  // Recursive: RunBatch holds it across the calls it makes, which take it again.
  std::recursive_mutex mu_;
  Database db_;
  const Clock& clock_;
};

/// Creates the file with mode 0600 before SQLite sees it (SQLite would create it 0644 less the
/// umask). SQLite gives its -wal and -shm files the database file's mode.
Status CreatePrivate(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();
    return Fail(path.string() + ": cannot create the database: " + std::strerror(errno));
  }
  Status out = Status::Ok();
  if (::fchmod(fd, 0600) != 0) {
    out = Fail(path.string() + ": cannot set mode 0600: " + std::strerror(errno));
  }
  ::close(fd);
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path,
                                               const Clock& clock, const SqliteOptions& options) {
  Status created = CreatePrivate(path);
  if (!created.ok()) return created.error();
  auto db = Database::Open(path, static_cast<int>(options.busy_timeout.count()));
  if (!db.ok()) return db.error();

  Status fk = db->Exec("PRAGMA foreign_keys = ON", "turning on foreign keys");
  if (!fk.ok()) return fk.error();
  auto fk_on = db->QueryInt("PRAGMA foreign_keys", "checking foreign keys");
  if (!fk_on.ok()) return fk_on.error();
  if (*fk_on != 1) {
    return Fail(path.string() +
                ": this SQLite library cannot enforce foreign keys; "
                "use a build with them enabled");
  }

  {
    auto wal = db->Prepare("PRAGMA journal_mode = WAL", "switching to WAL mode");
    if (!wal.ok()) return wal.error();
    auto row = wal->Step("switching to WAL mode");
    if (!row.ok()) return row.error();
    std::string mode = *row ? wal->Text(0) : std::string();
    if (mode != "wal") {
      return Fail(path.string() + ": cannot switch to WAL mode (journal mode stays '" + mode +
                  "'); WAL needs a local file system, not a network share");
    }
  }
  Status sync = db->Exec("PRAGMA synchronous = FULL", "setting synchronous = FULL");
  if (!sync.ok()) return sync.error();

  Status migrated = sqlite::Migrate(*db);
  if (!migrated.ok()) return migrated.error();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(*db), clock));
}

}  // namespace opencapf::store
