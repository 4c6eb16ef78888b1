#pragma once

// The ITLFile.tlv phones get from this server's TFTP now, as the pages (/itl, the certificates'
// "In ITL", the dashboard) and the API (/api/v1/itl, /api/v1/certificates) all read it: one way
// to fetch it, to read it as `show itl` does, and to send it as a download.

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/context.h"
#include "base/bytes.h"
#include "base/result.h"
#include "service/certificates.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::admin {

/// The ITLFile.tlv served now; nullptr when this server serves none (it runs without TFTP, so
/// ctx.served_itl is empty or has nothing yet).
std::shared_ptr<const Bytes> ServedItl(const AdminContext& ctx);

/// The service certificates (`opencapf cert list`), each with whether the served ITL lists it
/// ("-" when none is served).
Result<std::vector<service::CertificateInfo>> DescribeCertificates(const AdminContext& ctx);

/// A served ITL, read: its records and whether its signature verifies.
struct ReadItl {
  std::shared_ptr<const Bytes> file;
  tlv::TrustList list;
  tlv::Verification verification;

  /// What CUCM's `show itl` prints for it (`opencapf itl show`).
  std::string ShowItl() const;
  /// `opencapf itl show --json`.
  nlohmann::json Json() const;
};

/// Parses and verifies `file` (not null). The error says the served file is not a valid trust
/// list, and why (the offset and field at fault).
Result<ReadItl> ReadServedItl(std::shared_ptr<const Bytes> file);

/// Answers with `file` as the download ITLFile.tlv (200, application/octet-stream).
void SendItlFile(httplib::Response& res, const Bytes& file);

}  // namespace opencapf::admin
