#include "store/sqlite_schema.h"

#include <string>

namespace opencapf::store::sqlite {

namespace {

// Version 1. Enum columns hold the CLI spelling ("install", "not-installed") so the file reads
// well in the sqlite3 shell; CHECKs keep anything else out. Times are Unix seconds (UTC).
// Events have no foreign key: they outlive removed devices and may name unknown ones.
constexpr const char* kSchema1 = R"sql(
CREATE TABLE devices (
  name             TEXT PRIMARY KEY NOT NULL,
  operation        TEXT NOT NULL
                   CHECK (operation IN ('none', 'install', 'delete', 'troubleshoot')),
  auth             TEXT NOT NULL
                   CHECK (auth IN ('null-string', 'auth-string', 'existing-lsc', 'existing-mic')),
  auth_string      TEXT,
  key_order        TEXT NOT NULL
                   CHECK (key_order IN ('rsa', 'ec', 'ec-preferred-rsa-backup')),
  rsa_bits         INTEGER NOT NULL,
  ec_curve         INTEGER NOT NULL,
  complete_by      INTEGER,
  operation_status TEXT NOT NULL,
  lsc_status       TEXT NOT NULL CHECK (lsc_status IN ('installed', 'not-installed', 'pending')),
  created          INTEGER NOT NULL,
  updated          INTEGER NOT NULL,
  version          INTEGER NOT NULL CHECK (version >= 1)
);
CREATE INDEX devices_by_lsc_status ON devices (lsc_status);
CREATE INDEX devices_by_operation_status ON devices (operation_status COLLATE NOCASE);
CREATE INDEX devices_by_auth_string ON devices (auth_string) WHERE auth_string IS NOT NULL;

CREATE TABLE certificates (
  device     TEXT NOT NULL REFERENCES devices (name) ON DELETE CASCADE,
  slot       TEXT NOT NULL CHECK (slot IN ('lsc', 'pending-lsc', 'mic')),
  pem        TEXT NOT NULL,
  serial_hex TEXT NOT NULL,
  subject    TEXT NOT NULL,
  issuer     TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after  INTEGER NOT NULL,
  PRIMARY KEY (device, slot)
);
CREATE INDEX certificates_by_serial ON certificates (serial_hex);

CREATE TABLE events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  device      TEXT NOT NULL,
  at          INTEGER NOT NULL CHECK (at >= 0),
  peer        TEXT NOT NULL,
  operation   TEXT NOT NULL,
  result      TEXT NOT NULL,
  reason      TEXT NOT NULL,
  duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX events_by_device ON events (device, at, id);

PRAGMA application_id = 1128353862;
)sql";

// Version 2: the trust store TVS answers from. `roles` holds ITL role codes ("1,3"); `der` the
// certificate itself, keyed by the lowercase hex SHA-256 of those bytes. trust_generation's one
// row is bumped by triggers in the same transaction as every change, whoever makes it (the
// server, `opencapf trust`, the sqlite3 shell), so a running TVS notices by reading one row.
constexpr const char* kSchema2 = R"sql(
CREATE TABLE trusted_certificates (
  sha256     TEXT PRIMARY KEY NOT NULL
             CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  der        BLOB NOT NULL CHECK (length(der) > 0),
  subject    TEXT NOT NULL,
  issuer     TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after  INTEGER NOT NULL,
  roles      TEXT NOT NULL CHECK (roles <> ''),
  ttl        INTEGER NOT NULL DEFAULT 86400 CHECK (ttl BETWEEN 0 AND 4294967295),
  source     TEXT NOT NULL CHECK (source IN ('service', 'admin')),
  added      INTEGER NOT NULL
);
CREATE TABLE trust_generation (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);
INSERT INTO trust_generation (id, value) VALUES (1, 0);
CREATE TRIGGER trusted_certificates_inserted AFTER INSERT ON trusted_certificates
BEGIN UPDATE trust_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER trusted_certificates_updated AFTER UPDATE ON trusted_certificates
BEGIN UPDATE trust_generation SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER trusted_certificates_deleted AFTER DELETE ON trusted_certificates
BEGIN UPDATE trust_generation SET value = value + 1 WHERE id = 1; END;
)sql";

// Version 3: revoked LSCs, kept after their device is removed (a CRL must go on listing them).
// Unique by issuer name and serial; `pem` holds the certificate so a CRL builder can tell which
// of several CAPF keys that share a name signed it.
constexpr const char* kSchema3 = R"sql(
CREATE TABLE revocations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  serial_hex TEXT NOT NULL CHECK (serial_hex <> ''),
  issuer     TEXT NOT NULL,
  device     TEXT NOT NULL,
  reason     TEXT NOT NULL CHECK (reason IN ('unspecified', 'key-compromise',
                                             'affiliation-changed', 'superseded',
                                             'cessation-of-operation')),
  revoked_at INTEGER NOT NULL,
  not_after  INTEGER NOT NULL,
  pem        TEXT NOT NULL,
  UNIQUE (issuer, serial_hex)
);
CREATE INDEX revocations_by_device ON revocations (device);
)sql";

// Version 4: the administration server's credentials and audit log. `admin_password` has at
// most one row (the administrator's scrypt hash, see pki/secret.h); tokens are kept only as
// the SHA-256 of the token, which is shown once when it is made.
constexpr const char* kSchema4 = R"sql(
CREATE TABLE admin_password (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  hash    TEXT NOT NULL CHECK (hash <> ''),
  changed INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  name      TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
  sha256    TEXT NOT NULL UNIQUE
            CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  created   INTEGER NOT NULL,
  last_used INTEGER
);
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL CHECK (at >= 0),
  actor  TEXT NOT NULL,
  peer   TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action <> ''),
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";

// Version 5: the device setting Encrypted Configuration (CUCM's "Encrypted TFTP
// Configuration"): 1 serves the phone's configuration only encrypted to its certificate. Devices
// already stored keep plain configurations.
constexpr const char* kSchema5 = R"sql(
ALTER TABLE devices ADD COLUMN encrypted_config INTEGER NOT NULL DEFAULT 0
  CHECK (encrypted_config IN (0, 1));
)sql";

constexpr Migration kMigrations[] = {
    {1, "devices, certificates and events", kSchema1},
    {2, "trusted certificates for TVS", kSchema2},
    {3, "revoked LSCs", kSchema3},
    {4, "administration password, API tokens and audit log", kSchema4},
    {5, "the devices' Encrypted Configuration setting", kSchema5},
};

std::string Where(int version, const char* what) {
  return "upgrading the schema to version " + std::to_string(version) + " (" + what + ")";
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(Database& db, std::span<const Migration> steps) {
  const int latest = steps.empty() ? 0 : steps.back().version;
  const std::string file = db.path().string();

  auto newer = [&](std::int64_t found) {
    return Fail(file + ": the database has schema version " + std::to_string(found) +
                ", newer than the " + std::to_string(latest) +
                " this opencapf knows; it was written by a newer opencapf. Run that version, "
                "or restore a backup made before the upgrade");
  };

  auto version = db.QueryInt("PRAGMA user_version", "reading the schema version");
  if (!version.ok()) return version.error();
  if (*version > latest) return newer(*version);

  auto app = db.QueryInt("PRAGMA application_id", "reading the application id");
  if (!app.ok()) return app.error();
  if (*app != 0 && *app != kApplicationId) {
    return Fail(file + ": this SQLite file belongs to another application (application_id " +
                std::to_string(*app) + "), not opencapf; give another path");
  }
  if (*version == 0) {
    auto tables = db.QueryInt("SELECT count(*) FROM sqlite_master", "reading the schema");
    if (!tables.ok()) return tables.error();
    if (*tables != 0) {
      return Fail(file +
                  ": this SQLite file already holds tables but is not an opencapf store; "
                  "give another path");
    }
  }

  for (const Migration& step : steps) {
    if (step.version <= *version) continue;
    const std::string where = Where(step.version, step.what);
    auto tx = Transaction::Begin(db, Transaction::Kind::kWrite, where);
    if (!tx.ok()) return tx.error();
    // Another process may have run this step while we waited for the write lock.
    auto now = db.QueryInt("PRAGMA user_version", where);
    if (!now.ok()) return now.error();
    if (*now > latest) return newer(*now);
    if (*now >= step.version) {
      Status done = tx->Commit(where);
      if (!done.ok()) return done;
      continue;
    }
    Status applied = db.Exec(step.sql, where);
    if (!applied.ok()) return applied;
    // PRAGMA takes no bound parameters; the value is this table's own integer, not input.
    Status bumped = db.Exec("PRAGMA user_version = " + std::to_string(step.version), where);
    if (!bumped.ok()) return bumped;
    Status done = tx->Commit(where);
    if (!done.ok()) return done;
  }
  return Status::Ok();
}

}  // namespace opencapf::store::sqlite
