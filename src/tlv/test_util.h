#pragma once

#include <string>

#include "base/file.h"
#include "pki/certificate.h"

namespace opencapf::tlv::testing {

/// A file from the shared vectors, e.g. Vector("itl/ITLFile-sha1.tlv").
inline std::string VectorPath(const std::string& name) {
  return std::string(OPENCAPF_TESTDATA) + "/" + name;
}
inline Bytes Vector(const std::string& name) {
  auto bytes = ReadFile(VectorPath(name));
  if (!bytes.ok()) throw std::runtime_error(bytes.message());
  return *bytes;
}
inline pki::Certificate VectorCert(const std::string& name) {
  auto cert = pki::Certificate::Load(VectorPath(name));
  if (!cert.ok()) throw std::runtime_error(cert.message());
  return *cert;
}

}  // namespace opencapf::tlv::testing
