#include "store/store.h"

namespace opencapf::store {

Store::~Store() = default;

Cluster::~Cluster() = default;

}  // namespace opencapf::store
