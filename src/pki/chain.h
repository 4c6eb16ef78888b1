#pragma once

#include <ctime>
#include <filesystem>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"

namespace opencapf::pki {

/// Checks that `leaf` chains to one of `roots` (each trusted as an anchor, self-signed or not),
/// at time `at`. With `check_time` false, expiry is not held against the chain (phones' MICs
/// of many older models have expired; CUCM still accepts them for authentication).
Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& roots, std::time_t at,
                   bool check_time = true);

/// Whether `certificate` belongs to the device `name`: its CN is the name, or ends in "-" +
/// name (MICs say "CP-8845-SEP001122334455"), or a DNS subjectAltName is the name. Letter case
/// is ignored.
bool NamesDevice(const Certificate& certificate, std::string_view name);

/// Loads every certificate of a PEM bundle file; a missing file is an error.
Result<std::vector<Certificate>> LoadBundle(const std::filesystem::path& path);

}  // namespace opencapf::pki
