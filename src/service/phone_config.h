#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.h"
#include "store/device.h"

namespace opencapf::service {

/// Where phones find CAPF: the host name (or address) they connect to, and the port.
struct CapfLocation {
  std::string host;
  std::uint16_t port = 3804;
};

/// The capfAuthMode code a phone's configuration carries for an authentication mode (the
/// AUTH_TYPE codes: 1 authentication string, 2 null string, 3 LSC, 4 MIC).
int CapfAuthModeCode(store::AuthMode mode);

/// The elements of SEP<MAC>.cnf.xml that tell the phone about CAPF, as an XML fragment:
/// <capfAuthMode>, <capfList><capf><phonePort>…</phonePort><processNodeName>…</processNodeName>.
std::string CnfElements(const store::Device& device, const CapfLocation& capf);

/// Writes those elements into `path` (NAME.cnf.xml in the TFTP root): an existing file keeps
/// every other element, attribute and comment as it was; a missing one is created with a
/// <device> root. Elements it sets are replaced, not duplicated. The file is replaced atomically.
Status ApplyCnf(const std::filesystem::path& path, const store::Device& device,
                const CapfLocation& capf);

}  // namespace opencapf::service
