#include "store/postgres_cluster.h"

#include <string>

namespace opencapf::store::pg {

namespace {

constexpr const char* kSelectCluster = "SELECT cluster_id, key_check, created FROM cluster";
constexpr const char* kInsertCluster =
    "INSERT INTO cluster (id, cluster_id, key_check, created) "
    "VALUES (1, $1::text, $2::text, $3::bigint) ON CONFLICT (id) DO NOTHING";
constexpr const char* kCertificateGeneration = "SELECT value, changed FROM certificate_generation";
constexpr const char* kFiles = "SELECT name, content, sealed FROM certificate_files ORDER BY name";
constexpr const char* kDeleteFiles = "DELETE FROM certificate_files";
constexpr const char* kInsertFile =
    "INSERT INTO certificate_files (name, content, sealed) VALUES ($1::text, $2::bytea, "
    "$3::boolean)";
constexpr const char* kBump =
    "UPDATE certificate_generation SET value = value + 1, changed = $1::bigint RETURNING value";
constexpr const char* kNotify = "SELECT pg_notify('opencapf', 'certificates')";
constexpr const char* kUpsertNode =
    "INSERT INTO nodes (name, address, ports, version, started, last_seen, generation, "
    "itl_sha256, capf_sha256) VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint, "
    "$6::bigint, $7::bigint, $8::text, $9::text) ON CONFLICT (name) DO UPDATE SET "
    "address = excluded.address, ports = excluded.ports, version = excluded.version, "
    "started = excluded.started, last_seen = excluded.last_seen, "
    "generation = excluded.generation, itl_sha256 = excluded.itl_sha256, "
    "capf_sha256 = excluded.capf_sha256";
constexpr const char* kNodes =
    "SELECT name, address, ports, version, started, last_seen, generation, itl_sha256, "
    "capf_sha256 FROM nodes ORDER BY name";
constexpr const char* kDeleteNode = "DELETE FROM nodes WHERE name = $1::text";

/// Inside the caller's transaction: replaces the files and moves the generation.
Result<std::int64_t> ReplaceFiles(Connection& conn, const std::vector<SharedFile>& files,
                                  std::time_t now, const std::string& doing) {
  auto deleted = conn.Query(kDeleteFiles, doing);
  if (!deleted.ok()) return deleted.error();
  for (const SharedFile& f : files) {
    auto inserted = conn.Query(
        kInsertFile, Params().Add(f.name).AddBytes(f.content).Add(f.sealed ? "true" : "false"),
        doing + ": " + f.name);
    if (!inserted.ok()) return inserted.error();
  }
  auto bumped = conn.Query(kBump, Params().Add(static_cast<std::int64_t>(now)), doing);
  if (!bumped.ok()) return bumped.error();
  auto notified = conn.Query(kNotify, doing);
  if (!notified.ok()) return notified.error();
  return bumped->Int(0, 0);
}

}  // namespace

Result<std::optional<ClusterRecord>> ClusterRecordOf(Connection& conn) {
  auto rows = conn.Query(kSelectCluster, "reading the cluster");
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<ClusterRecord>();
  return std::optional<ClusterRecord>(
      ClusterRecord{rows->Text(0, 0), rows->Text(0, 1), static_cast<std::time_t>(rows->Int(0, 2))});
}

Status CreateCluster(Connection& conn, const ClusterRecord& record,
                     const std::vector<SharedFile>& files, std::time_t now) {
  const std::string doing = "creating cluster " + record.id;
  auto tx = Transaction::Begin(conn, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  auto inserted = conn.Query(
      kInsertCluster,
      Params().Add(record.id).Add(record.key_check).Add(static_cast<std::int64_t>(record.created)),
      doing);
  if (!inserted.ok()) return inserted.error();
  if (inserted->Affected() == 0) {
    auto existing = ClusterRecordOf(conn);
    const std::string id = existing.ok() && *existing ? (*existing)->id : "another cluster";
    return Fail(conn.where() + " already holds cluster " + id +
                "; join it with --cluster-key FILE (the cluster.key of one of its nodes)");
  }
  auto replaced = ReplaceFiles(conn, files, now, doing);
  if (!replaced.ok()) return replaced.error();
  return tx->Commit(doing);
}

Result<std::int64_t> CertificatesGeneration(Connection& conn) {
  auto rows = conn.Query(kCertificateGeneration, "reading the certificate generation");
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return Fail(conn.where() + ": the certificate generation row is missing");
  return rows->Int(0, 0);
}

Result<CertificateSet> Certificates(Connection& conn) {
  const std::string doing = "reading the cluster's certificate files";
  auto tx = Transaction::Begin(conn, Transaction::Kind::kRead, doing);
  if (!tx.ok()) return tx.error();
  auto generation = conn.Query(kCertificateGeneration, doing);
  if (!generation.ok()) return generation.error();
  if (generation->empty())
    return Fail(conn.where() + ": the certificate generation row is missing");
  CertificateSet out;
  out.generation = generation->Int(0, 0);
  out.changed = static_cast<std::time_t>(generation->Int(0, 1));
  auto rows = conn.Query(kFiles, doing);
  if (!rows.ok()) return rows.error();
  for (int r = 0; r < rows->size(); ++r) {
    out.files.push_back({rows->Text(r, 0), rows->Blob(r, 1), rows->Text(r, 2) == "t"});
  }
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return out;
}

Result<std::int64_t> PutCertificates(Connection& conn, const std::vector<SharedFile>& files,
                                     std::time_t now) {
  const std::string doing = "storing the cluster's certificate files";
  auto tx = Transaction::Begin(conn, Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  auto generation = ReplaceFiles(conn, files, now, doing);
  if (!generation.ok()) return generation.error();
  Status done = tx->Commit(doing);
  if (!done.ok()) return done.error();
  return generation;
}

Status Heartbeat(Connection& conn, const NodeRecord& n, std::time_t now) {
  auto rows = conn.Query(kUpsertNode,
                         Params()
                             .Add(n.name)
                             .Add(n.address)
                             .Add(n.ports)
                             .Add(n.version)
                             .Add(static_cast<std::int64_t>(n.started))
                             .Add(static_cast<std::int64_t>(now))
                             .Add(n.generation)
                             .Add(n.itl_sha256)
                             .Add(n.capf_sha256),
                         "recording node " + n.name);
  if (!rows.ok()) return rows.error();
  return Status::Ok();
}

Result<std::vector<NodeRecord>> Nodes(Connection& conn) {
  auto rows = conn.Query(kNodes, "listing the cluster's nodes");
  if (!rows.ok()) return rows.error();
  std::vector<NodeRecord> out;
  for (int r = 0; r < rows->size(); ++r) {
    NodeRecord n;
    n.name = rows->Text(r, 0);
    n.address = rows->Text(r, 1);
    n.ports = rows->Text(r, 2);
    n.version = rows->Text(r, 3);
    n.started = static_cast<std::time_t>(rows->Int(r, 4));
    n.last_seen = static_cast<std::time_t>(rows->Int(r, 5));
    n.generation = rows->Int(r, 6);
    n.itl_sha256 = rows->Text(r, 7);
    n.capf_sha256 = rows->Text(r, 8);
    out.push_back(std::move(n));
  }
  return out;
}

Status RemoveNode(Connection& conn, std::string_view name) {
  auto rows = conn.Query(kDeleteNode, Params().Add(name), "removing node " + std::string(name));
  if (!rows.ok()) return rows.error();
  if (rows->Affected() == 0) {
    return Fail("there is no node named '" + std::string(name) +
                "' ('opencapf cluster status' lists them)");
  }
  return Status::Ok();
}

}  // namespace opencapf::store::pg
