#pragma once

// A device, its certificates and its events as JSON, with field names as the REST API and the
// CLI's --json write them (the CLI flags with underscores), in the order the page shows them.

#include <ctime>
#include <optional>

#include <nlohmann/json.hpp>

#include "store/device.h"
#include "store/store.h"

namespace opencapf::store {

/// A certificate's serial, subject, issuer, validity and days left; `pem` adds the PEM. null
/// when there is none.
nlohmann::ordered_json CertificateJson(const std::optional<StoredCertificate>& cert,
                                       std::time_t now, bool pem);

/// A device; `pem` adds each certificate's PEM (one device), which lists leave out. The
/// authentication string is included: whoever may read devices may read it (as on CUCM's page).
nlohmann::ordered_json DeviceJson(const Device& d, std::time_t now, bool pem);

/// One session of a device's history.
nlohmann::ordered_json EventJson(const Event& e);

/// One audit log entry: at, actor, peer, action, target, detail (`admin audit --json` and the
/// API).
nlohmann::ordered_json AuditJson(const AuditEntry& e);

}  // namespace opencapf::store
