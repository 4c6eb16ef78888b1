#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "sgn/signed_file.h"

namespace opencapf::sgn {

/// A signed file's header the way `show itl` prints one (checksums, length, the BYTEPOS TAG
/// LENGTH VALUE rows), the encryption elements of an `.enc.sgn`, where the content starts, and
/// the verdict when a certificate was given to check it with.
std::string RenderShow(ByteView file, const SignedFile& parsed,
                       const std::optional<Verification>& verification);

/// The same facts as JSON; "header" has the field names of `itl show --json`.
nlohmann::json ToJson(ByteView file, const SignedFile& parsed,
                      const std::optional<Verification>& verification);

}  // namespace opencapf::sgn
