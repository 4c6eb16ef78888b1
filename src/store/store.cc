#include "store/store.h"

#include <map>

namespace opencapf::store {

Store::~Store() = default;

BatchedCall::~BatchedCall() = default;

void Store::RunBatch(std::span<BatchedCall* const> calls) {
  for (BatchedCall* call : calls) call->Run(*this);
}

Cluster::~Cluster() = default;

bool NodeAnswering(const NodeRecord& node, std::time_t now) {
  return now - node.last_seen <= kNodeStaleSeconds;
}

std::string ClusterItlSha256(const std::vector<NodeRecord>& nodes, std::int64_t generation,
                             std::time_t now) {
  std::map<std::string, int> votes;
  for (const NodeRecord& n : nodes) {
    if (n.generation == generation && NodeAnswering(n, now)) ++votes[n.itl_sha256];
  }
  std::string best;
  int most = 0;
  for (const auto& [sha, count] : votes) {
    if (count > most) best = sha, most = count;
  }
  return best;
}

}  // namespace opencapf::store
