#pragma once

// A cluster's certificate files: every node's certs/ is a copy of the set the store holds, so
// all nodes present the same CAPF, TVS and CallManager certificates and sign the same ITL. The
// set is published by the node where `opencapf init` or `opencapf cert` changed it, and every
// `serve` brings its own certs/ up to the set's generation. Private keys travel sealed with the
// cluster key (pki/cluster_key.h); the administration page's certificate stays each node's own
// (it names the node's host).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/cluster_key.h"
#include "service/data_dir.h"
#include "store/cluster.h"
#include "store/store.h"

namespace opencapf::service {

/// DATA/cluster.key: the cluster key, on every node of a cluster (0600).
std::filesystem::path ClusterKeyPath(const DataDir& dir);

/// The files of certs/ the cluster shares, keys sealed.
Result<std::vector<store::SharedFile>> CollectCertificateFiles(const DataDir& dir,
                                                               const pki::ClusterKey& key);

/// Makes certs/ hold exactly `set`'s shared files: writes those whose bytes differ (keys 0600,
/// others 0644, each atomically) and removes shared files the set no longer has. Returns the
/// number of files written or removed.
Result<std::size_t> MaterializeCertificateFiles(const DataDir& dir, const pki::ClusterKey& key,
                                                const store::CertificateSet& set);

/// The node's cluster key, checked against the cluster's: a node with another cluster's key, or
/// none, is refused with a message that says what to copy.
Result<pki::ClusterKey> LoadClusterKey(const DataDir& dir, const store::ClusterRecord& cluster);

/// After `opencapf cert` changed certs/ on a node of a cluster: the node's files become the
/// cluster's (every other node follows within seconds). Nothing to do for a node's own store
/// (SQLite). Returns a line saying what was published, or nullopt.
Result<std::optional<std::string>> PublishCertificateFiles(const DataDir& dir, store::Store& store);

/// `init --store URL` on an empty database: this node's certificates (made by init) become the
/// cluster's files and a new key goes to cluster.key. Returns what it did, in lines.
Result<std::vector<std::string>> CreateCluster(const DataDir& dir, store::Cluster& cluster,
                                               const Clock& clock);

/// `init --store URL --cluster-key FILE` on a database that holds a cluster: the key is checked
/// and copied to cluster.key, the cluster's certificate files to certs/. Returns what it did.
Result<std::vector<std::string>> JoinCluster(const DataDir& dir, store::Cluster& cluster,
                                             const store::ClusterRecord& record,
                                             const std::filesystem::path& cluster_key_file);

}  // namespace opencapf::service
