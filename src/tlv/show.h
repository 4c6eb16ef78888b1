#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace opencapf::tlv {

/// "ITL" or "CTL", from the file name in the header.
std::string FileKind(const TrustList& list);

/// The text CUCM's `show itl` prints: a header table, then an "ITL Record #:N" block per record
/// with BYTEPOS TAG LENGTH VALUE rows in file order, the etoken line under SAST records, and last
/// the verdict ("The ITL file was verified successfully." or why not).
std::string RenderShowItl(ByteView file, const TrustList& list, const Verification& verification);

/// The same facts as JSON. The field names of "header" and "records" are those of the shared
/// test vectors' *.expected.json, so other tools' reports compare directly.
nlohmann::json ToJson(ByteView file, const TrustList& list, const Verification& verification);

/// The header's BYTEPOS TAG LENGTH VALUE rows as `show itl` prints them (VERSION and
/// HEADER_LENGTH excepted: they are printed above the table), the padding count last.
std::string RenderHeaderRows(const Header& header);
/// The header's fields under the shared vectors' *.expected.json names (no verdict).
nlohmann::json HeaderJson(const Header& header);

/// The key algorithm of a record: from its certificate, else guessed from PUBLIC_KEY's shape.
std::string RecordKeyAlgorithm(const Record& record);

}  // namespace opencapf::tlv
