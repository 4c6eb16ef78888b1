#include "store/store.h"

namespace opencapf::store {

Store::~Store() = default;

}  // namespace opencapf::store
