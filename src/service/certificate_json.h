#pragma once

// Service certificates as JSON, with the fields `opencapf cert list --json` and the REST API's
// /api/v1/certificates both write, so scripts read either alike.

#include <ctime>

#include <nlohmann/json.hpp>

#include "pki/certificate.h"
#include "service/certificates.h"

namespace opencapf::service {

/// subject, issuer, serial, key, not_before, not_after, days_left, sha256, sha1.
nlohmann::ordered_json CertificateJson(const pki::Certificate& certificate, std::time_t now);

/// A row of `cert list`: name, role, the fields above, in_itl (true/false/null when no ITL is
/// served), chain (each as above), pending_key; `pem` adds pem and chain_pem.
nlohmann::ordered_json CertificateInfoJson(const CertificateInfo& info, std::time_t now, bool pem);

}  // namespace opencapf::service
