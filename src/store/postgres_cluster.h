#pragma once

// The PostgreSQL store's statements for the cluster's identity, certificate files and nodes
// (store/cluster.h), each run on the caller's connection.

#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/cluster.h"
#include "store/postgres.h"

namespace opencapf::store::pg {

Result<std::optional<ClusterRecord>> ClusterRecordOf(Connection& conn);
Status CreateCluster(Connection& conn, const ClusterRecord& record,
                     const std::vector<SharedFile>& files, std::time_t now);
Result<std::int64_t> CertificatesGeneration(Connection& conn);
Result<CertificateSet> Certificates(Connection& conn);
Result<std::int64_t> PutCertificates(Connection& conn, const std::vector<SharedFile>& files,
                                     std::time_t now);
Status Heartbeat(Connection& conn, const NodeRecord& node, std::time_t now);
Result<std::vector<NodeRecord>> Nodes(Connection& conn);
Status RemoveNode(Connection& conn, std::string_view name);

}  // namespace opencapf::store::pg
