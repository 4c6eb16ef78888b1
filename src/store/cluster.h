#pragma once

// What several opencapf nodes on one database share besides devices and trust: the cluster's
// identity, its certificate files (the service certificates, their keys — sealed with the
// cluster key before they reach the store —, chains and earlier CAPF certificates), and the list
// of nodes. Only a store that several processes on several machines can share (PostgreSQL) has
// one; Store::cluster() is null for the SQLite file.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::store {

/// The cluster's identity, made by the first `opencapf init --store`.
struct ClusterRecord {
  std::string id{};         ///< "c-<16 hex>", for messages and `cluster status`
  std::string key_check{};  ///< proves a node holds the cluster key without revealing it
  std::time_t created = 0;

  bool operator==(const ClusterRecord&) const = default;
};

/// One file of the data directory's certs/, by its path relative to certs/ ("capf.pem",
/// "previous/capf-1A2B.key"). `sealed` contents were encrypted by the caller.
struct SharedFile {
  std::string name{};
  Bytes content{};
  bool sealed = false;

  bool operator==(const SharedFile&) const = default;
};

/// The certificate files at one generation. `generation` grows with every change and `changed`
/// is when it was made: the time every node's ITL carries, so all of them build the same bytes.
struct CertificateSet {
  std::int64_t generation = 0;
  std::time_t changed = 0;
  std::vector<SharedFile> files{};
};

/// A node, as it last reported itself.
struct NodeRecord {
  std::string name{};     ///< "<host name>:<CAPF port>"
  std::string address{};  ///< the address its services listen on
  std::string ports{};    ///< "capf=3804 tftp=69 tvs=2445 admin=8443"
  std::string version{};
  std::time_t started = 0;
  std::time_t last_seen = 0;    ///< set by the store
  std::int64_t generation = 0;  ///< the certificate generation it serves
  std::string itl_sha256{};     ///< of the ITLFile.tlv it serves
  std::string capf_sha256{};    ///< of the CAPF certificate it presents

  bool operator==(const NodeRecord&) const = default;
};

/// A node that has not reported for this long has stopped, or cannot reach the database (a
/// running node reports every 2 s).
inline constexpr std::time_t kNodeStaleSeconds = 30;

/// Whether `node` reported within kNodeStaleSeconds of `now`.
bool NodeAnswering(const NodeRecord& node, std::time_t now);

/// The cluster's ITL: the SHA-256 most of the nodes answering at certificate generation
/// `generation` serve ("" when none is). What `cluster status`, the dashboard and `doctor` hold
/// every node to.
std::string ClusterItlSha256(const std::vector<NodeRecord>& nodes, std::int64_t generation,
                             std::time_t now);

class Cluster {
 public:
  virtual ~Cluster();

  /// The cluster, or nullopt when the database holds none yet.
  virtual Result<std::optional<ClusterRecord>> Record() = 0;
  /// Creates the cluster with its first certificate files, in one transaction. Refused, with
  /// nothing written, when the database holds a cluster already (another node got there first).
  virtual Status Create(const ClusterRecord& record, const std::vector<SharedFile>& files) = 0;

  /// The generation of the certificate files (0 before any).
  virtual Result<std::int64_t> CertificatesGeneration() = 0;
  /// The certificate files now.
  virtual Result<CertificateSet> Certificates() = 0;
  /// Replaces every certificate file with `files` in one transaction; returns the new generation.
  virtual Result<std::int64_t> PutCertificates(const std::vector<SharedFile>& files) = 0;

  /// Adds or refreshes a node (its last_seen becomes now).
  virtual Status Heartbeat(const NodeRecord& node) = 0;
  /// Every node, by name.
  virtual Result<std::vector<NodeRecord>> Nodes() = 0;
  /// Forgets a node (one taken out of service); fails when there is none by that name.
  virtual Status RemoveNode(std::string_view name) = 0;

  /// Waits up to `timeout` for word that something changed — certificates, trust, revocations —
  /// on any node (PostgreSQL's NOTIFY); true when it came, false at the timeout. An error (the
  /// database is away) returns at once: the caller falls back to looking every few seconds.
  /// One thread at a time.
  virtual Result<bool> WaitForChange(std::chrono::milliseconds timeout) = 0;
};

}  // namespace opencapf::store
