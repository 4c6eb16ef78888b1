#pragma once

// Encrypted Configuration (CUCM's "Encrypted TFTP Configuration", wire-formats.md §6): the
// certificate a phone's configuration is encrypted to, and why it cannot be, in the words the
// CLI, the administration pages and doctor all show.

#include <string>

#include "base/result.h"
#include "pki/certificate.h"
#include "store/device.h"

namespace opencapf::service {

/// The certificate `device`'s configuration is encrypted to: its installed LSC, else its MIC.
/// An error when it has neither, when that certificate cannot be read, or when its key is not
/// RSA (only an RSA key can carry the file's AES key); the message is EncryptedConfigProblem's.
Result<pki::Certificate> ConfigEncryptionCertificate(const store::Device& device);

/// Why `device`'s configuration cannot be served encrypted, as a sentence about the device
/// ("its LSC is EC: ...") that says what to do; empty when it can. It does not look at
/// device.encrypted_config: callers warn only for devices that have it on.
std::string EncryptedConfigProblem(const store::Device& device);

}  // namespace opencapf::service
