#include "store/revocation.h"

#include <algorithm>
#include <cctype>

namespace opencapf::store {

namespace {
struct Known {
  RevocationReason reason;
  std::string_view text;
  std::string_view rfc;
};
constexpr Known kReasons[] = {
    {RevocationReason::kUnspecified, "unspecified", "unspecified"},
    {RevocationReason::kKeyCompromise, "key-compromise", "keycompromise"},
    {RevocationReason::kAffiliationChanged, "affiliation-changed", "affiliationchanged"},
    {RevocationReason::kSuperseded, "superseded", "superseded"},
    {RevocationReason::kCessationOfOperation, "cessation-of-operation", "cessationofoperation"},
};
}  // namespace

std::string_view ToText(RevocationReason reason) {
  for (const Known& k : kReasons) {
    if (k.reason == reason) return k.text;
  }
  return "unspecified";
}

std::vector<std::string> RevocationReasonChoices() {
  std::vector<std::string> out;
  for (const Known& k : kReasons) out.emplace_back(k.text);
  return out;
}

Result<RevocationReason> ParseRevocationReason(std::string_view text) {
  std::string folded;
  for (char c : text) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    folded.push_back(l == '_' || l == ' ' ? '-' : l);
  }
  std::string squeezed = folded;
  squeezed.erase(std::remove(squeezed.begin(), squeezed.end(), '-'), squeezed.end());
  for (const Known& k : kReasons) {
    if (folded == k.text || squeezed == k.rfc) return k.reason;
  }
  std::string accepted;
  for (const Known& k : kReasons) accepted += (accepted.empty() ? "" : ", ") + std::string(k.text);
  return Fail("revocation reason '" + std::string(text) + "' is not one of " + accepted);
}

}  // namespace opencapf::store
