#include "store/postgres_schema.h"

#include <string>

namespace opencapf::store::pg {

namespace {

// Version 1: what SQLite's versions 1-4 hold, in PostgreSQL's types. Times are Unix seconds,
// enums the CLI spelling, as in SQLite, so both stores read and write the same values. Texts
// that are sorted or compared by byte use COLLATE "C" (SQLite's BINARY). The generations a
// running server watches are counters bumped by row triggers in the same transaction as the
// change, whoever makes it; the triggers also NOTIFY opencapf so other nodes can look at once.
constexpr const char* kSchema1 = R"sql(
CREATE TABLE devices (
  name             TEXT COLLATE "C" PRIMARY KEY,
  operation        TEXT NOT NULL
                   CHECK (operation IN ('none', 'install', 'delete', 'troubleshoot')),
  auth             TEXT NOT NULL
                   CHECK (auth IN ('null-string', 'auth-string', 'existing-lsc', 'existing-mic')),
  auth_string      TEXT,
  key_order        TEXT NOT NULL
                   CHECK (key_order IN ('rsa', 'ec', 'ec-preferred-rsa-backup')),
  rsa_bits         INTEGER NOT NULL,
  ec_curve         INTEGER NOT NULL,
  complete_by      BIGINT,
  operation_status TEXT NOT NULL,
  lsc_status       TEXT NOT NULL CHECK (lsc_status IN ('installed', 'not-installed', 'pending')),
  created          BIGINT NOT NULL,
  updated          BIGINT NOT NULL,
  version          BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX devices_by_lsc_status ON devices (lsc_status);
CREATE INDEX devices_by_operation_status ON devices (lower(operation_status));
CREATE INDEX devices_by_auth_string ON devices (auth_string) WHERE auth_string IS NOT NULL;

CREATE TABLE certificates (
  device     TEXT COLLATE "C" NOT NULL REFERENCES devices (name) ON DELETE CASCADE,
  slot       TEXT NOT NULL CHECK (slot IN ('lsc', 'pending-lsc', 'mic')),
  pem        TEXT NOT NULL,
  serial_hex TEXT NOT NULL,
  subject    TEXT NOT NULL,
  issuer     TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  not_after  BIGINT NOT NULL,
  PRIMARY KEY (device, slot)
);
CREATE INDEX certificates_by_serial ON certificates (serial_hex);

CREATE TABLE events (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device      TEXT COLLATE "C" NOT NULL,
  at          BIGINT NOT NULL CHECK (at >= 0),
  peer        TEXT NOT NULL,
  operation   TEXT NOT NULL,
  result      TEXT NOT NULL,
  reason      TEXT NOT NULL,
  duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX events_by_device ON events (device, at, id);

CREATE TABLE generations (
  name  TEXT PRIMARY KEY CHECK (name IN ('trust', 'revocation')),
  value BIGINT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('trust', 0), ('revocation', 0);
CREATE FUNCTION opencapf_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE generations SET value = value + 1 WHERE name = TG_ARGV[0];
  PERFORM pg_notify('opencapf', TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TABLE trusted_certificates (
  sha256     TEXT COLLATE "C" PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  der        BYTEA NOT NULL CHECK (length(der) > 0),
  subject    TEXT COLLATE "C" NOT NULL,
  issuer     TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  not_after  BIGINT NOT NULL,
  roles      TEXT NOT NULL CHECK (roles <> ''),
  ttl        BIGINT NOT NULL DEFAULT 86400 CHECK (ttl BETWEEN 0 AND 4294967295),
  source     TEXT NOT NULL CHECK (source IN ('service', 'admin')),
  added      BIGINT NOT NULL
);
CREATE TRIGGER trusted_certificates_changed
  AFTER INSERT OR UPDATE OR DELETE ON trusted_certificates
  FOR EACH ROW EXECUTE FUNCTION opencapf_bump_generation('trust');

CREATE TABLE revocations (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial_hex TEXT NOT NULL CHECK (serial_hex <> ''),
  issuer     TEXT NOT NULL,
  device     TEXT COLLATE "C" NOT NULL,
  reason     TEXT NOT NULL CHECK (reason IN ('unspecified', 'key-compromise',
                                             'affiliation-changed', 'superseded',
                                             'cessation-of-operation')),
  revoked_at BIGINT NOT NULL,
  not_after  BIGINT NOT NULL,
  pem        TEXT NOT NULL,
  UNIQUE (issuer, serial_hex)
);
CREATE INDEX revocations_by_device ON revocations (device);
CREATE TRIGGER revocations_changed
  AFTER INSERT OR UPDATE OR DELETE ON revocations
  FOR EACH ROW EXECUTE FUNCTION opencapf_bump_generation('revocation');

CREATE TABLE admin_password (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  hash    TEXT NOT NULL CHECK (hash <> ''),
  changed BIGINT NOT NULL
);
CREATE TABLE api_tokens (
  name      TEXT COLLATE "C" PRIMARY KEY CHECK (name <> ''),
  sha256    TEXT NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created   BIGINT NOT NULL,
  last_used BIGINT
);
CREATE TABLE audit (
  id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at     BIGINT NOT NULL CHECK (at >= 0),
  actor  TEXT NOT NULL,
  peer   TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action <> ''),
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";

// Version 2: what the nodes of a cluster share besides devices and trust (store/cluster.h).
// A certificate file's key is sealed by the node before it gets here; the CHECK refuses a PEM
// private key in the clear, whoever tries to write one.
constexpr const char* kSchema2 = R"sql(
CREATE TABLE cluster (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  cluster_id TEXT NOT NULL CHECK (cluster_id <> ''),
  key_check  TEXT NOT NULL CHECK (key_check <> ''),
  created    BIGINT NOT NULL
);
CREATE TABLE certificate_files (
  name    TEXT COLLATE "C" PRIMARY KEY
          CHECK (name <> '' AND left(name, 1) <> '/' AND position('..' IN name) = 0),
  content BYTEA NOT NULL,
  sealed  BOOLEAN NOT NULL,
  CHECK (sealed OR position('PRIVATE KEY'::bytea IN content) = 0)
);
CREATE TABLE certificate_generation (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  value   BIGINT NOT NULL,
  changed BIGINT NOT NULL
);
INSERT INTO certificate_generation (id, value, changed) VALUES (1, 0, 0);
CREATE TABLE nodes (
  name        TEXT COLLATE "C" PRIMARY KEY CHECK (name <> ''),
  address     TEXT NOT NULL,
  ports       TEXT NOT NULL,
  version     TEXT NOT NULL,
  started     BIGINT NOT NULL,
  last_seen   BIGINT NOT NULL,
  generation  BIGINT NOT NULL,
  itl_sha256  TEXT NOT NULL,
  capf_sha256 TEXT NOT NULL
);
)sql";

// Version 3: the device setting Encrypted Configuration (CUCM's "Encrypted TFTP
// Configuration"): true serves the phone's configuration only encrypted to its certificate.
// Devices already stored keep plain configurations; a node of the previous release, which
// names its columns, goes on reading and writing the others.
constexpr const char* kSchema3 = R"sql(
ALTER TABLE devices ADD COLUMN encrypted_config BOOLEAN NOT NULL DEFAULT false;
)sql";

constexpr Migration kMigrations[] = {
    {1, "devices, trust, revocations and administration", kSchema1},
    {2, "the cluster: its identity, certificate files and nodes", kSchema2},
    {3, "the devices' Encrypted Configuration setting", kSchema3},
};

constexpr const char* kHasSchemaTable =
    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
    "AND tablename = 'opencapf_schema'";
constexpr const char* kTableCount =
    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()";
constexpr const char* kCreateSchemaTable =
    "CREATE TABLE opencapf_schema (version INTEGER PRIMARY KEY, what TEXT NOT NULL, "
    "applied BIGINT NOT NULL)";
constexpr const char* kVersion = "SELECT coalesce(max(version), 0) FROM opencapf_schema";
constexpr const char* kRecordStep =
    "INSERT INTO opencapf_schema (version, what, applied) "
    "VALUES ($1::integer, $2::text, extract(epoch FROM now())::bigint)";

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(Connection& conn, std::span<const Migration> steps) {
  const int latest = steps.empty() ? 0 : steps.back().version;
  const std::string doing = "bringing the schema up to version " + std::to_string(latest);
  auto tx = Transaction::Begin(conn, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  auto locked = conn.Query("SELECT pg_advisory_xact_lock($1::bigint)",
                           Params().Add(static_cast<std::int64_t>(kMigrationLock)),
                           doing + ": waiting for another node's migration");
  if (!locked.ok()) return locked.error();

  auto has = conn.Query(kHasSchemaTable, doing);
  if (!has.ok()) return has.error();
  if (has->Int(0, 0) == 0) {
    auto tables = conn.Query(kTableCount, doing);
    if (!tables.ok()) return tables.error();
    if (tables->Int(0, 0) != 0) {
      return Fail(conn.where() +
                  ": this database already holds tables but is not an opencapf store; give "
                  "another database in [store] url (CREATE DATABASE opencapf)");
    }
    Status created = conn.Exec(kCreateSchemaTable, doing);
    if (!created.ok()) return created;
  }
  auto version = conn.Query(kVersion, doing);
  if (!version.ok()) return version.error();
  const std::int64_t found = version->Int(0, 0);
  if (found > latest) {
    return Fail(conn.where() + ": the database has schema version " + std::to_string(found) +
                ", newer than the " + std::to_string(latest) +
                " this opencapf knows; it was written by a newer opencapf. Run that version on "
                "every node, or restore a backup made before the upgrade");
  }
  for (const Migration& step : steps) {
    if (step.version <= found) continue;
    const std::string where =
        "upgrading the schema to version " + std::to_string(step.version) + " (" + step.what + ")";
    Status applied = conn.Exec(step.sql, where);
    if (!applied.ok()) return applied;
    auto recorded = conn.Query(kRecordStep, Params().Add(step.version).Add(step.what), where);
    if (!recorded.ok()) return recorded.error();
  }
  return tx->Commit(doing);
}

}  // namespace opencapf::store::pg
