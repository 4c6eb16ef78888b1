#include "tvs/transcript.h"

#include <cstdlib>

namespace opencapf::tvs::testing {

std::string TvsVector(const std::string& name) {
  const char* env = std::getenv("OPENCAPF_TESTDATA");
#ifdef OPENCAPF_TESTDATA
  const std::string root = env ? env : OPENCAPF_TESTDATA;
#else
  const std::string root = env ? env : "../shared/testdata";
#endif
  return root + "/tvs/" + name;
}

}  // namespace opencapf::tvs::testing
