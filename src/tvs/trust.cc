#include "tvs/trust.h"

#include <algorithm>
#include <map>

#include "pki/digest.h"
#include "tlv/trust_list.h"

namespace opencapf::tvs {

std::string Sha256Hex(ByteView der) { return HexLower(pki::Sha256(der)); }

store::TrustedCertificate MakeTrusted(const pki::Certificate& certificate,
                                      std::vector<std::uint16_t> roles, std::uint32_t ttl,
                                      store::TrustSource source) {
  store::TrustedCertificate t;
  t.sha256 = Sha256Hex(certificate.der());
  t.der = certificate.der();
  t.subject = certificate.Subject();
  t.issuer = certificate.Issuer();
  t.not_before = certificate.not_before();
  t.not_after = certificate.not_after();
  t.roles = std::move(roles);
  t.ttl = ttl;
  t.source = source;
  return t;
}

Status SeedServiceTrust(store::Store& store, const std::vector<ServiceCertificate>& certificates) {
  // One entry per certificate, roles merged in the order first given.
  std::vector<store::TrustedCertificate> entries;
  std::map<std::string, std::size_t> index;
  for (const auto& [certificate, roles] : certificates) {
    store::TrustedCertificate entry =
        MakeTrusted(certificate, {}, store::kDefaultTrustTtl, store::TrustSource::kService);
    auto [it, fresh] = index.emplace(entry.sha256, entries.size());
    if (fresh) entries.push_back(std::move(entry));
    auto& merged = entries[it->second].roles;
    for (std::uint16_t role : roles) {
      if (std::find(merged.begin(), merged.end(), role) == merged.end()) merged.push_back(role);
    }
  }
  auto changed = store.ReplaceServiceTrusted(entries);
  if (!changed.ok())
    return Context("trusting opencapf's own certificates for TVS", changed.error());
  return Status::Ok();
}

std::string RoleList(const std::vector<std::uint16_t>& roles) {
  if (roles.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += ", ";
    out += tlv::RoleName(roles[i]);
  }
  return out;
}

std::optional<std::int64_t> TrustCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

Status TrustCache::RefreshLocked() {
  constexpr auto kBackoff = std::chrono::seconds(2);
  const auto steady = std::chrono::steady_clock::now();
  if (generation_ && steady < retry_after_) return Fail(last_failure_);
  auto generation = store_.TrustGeneration();
  if (!generation.ok()) {
    retry_after_ = steady + kBackoff;
    last_failure_ = generation.message();
    return generation.error();
  }
  if (generation_ && *generation_ == *generation) return Status::Ok();
  auto list = store_.ListTrusted();
  if (!list.ok()) {
    retry_after_ = steady + kBackoff;
    last_failure_ = list.message();
    return list.error();
  }
  std::unordered_map<std::string, Entry> entries;
  for (const store::TrustedCertificate& t : *list) {
    entries.emplace(t.sha256,
                    Entry{t.roles, t.ttl, t.not_before, t.not_after, t.subject, t.source});
  }
  // The list may be newer than the generation read before it (a change in between): the next
  // Check then sees a different generation and reloads once more, which is harmless.
  entries_ = std::move(entries);
  generation_ = *generation;
  return Status::Ok();
}

Answer TrustCache::Check(ByteView der) {
  const std::string sha = Sha256Hex(der);
  const std::time_t now = clock_.Now();
  std::lock_guard lock(mu_);
  Answer answer;
  std::string stale;
  if (Status refreshed = RefreshLocked(); !refreshed.ok()) {
    if (!generation_) {
      answer.reason = "the trust store cannot be read: " + refreshed.message();
      return answer;
    }
    stale = " (the trust store cannot be read: " + refreshed.message() +
            "; answered from the copy of generation " + std::to_string(*generation_) + ")";
  }
  auto it = entries_.find(sha);
  if (it == entries_.end()) {
    answer.reason = "not in the trust store" + stale;
    return answer;
  }
  const Entry& e = it->second;
  answer.subject = e.subject;
  const std::string source(store::ToText(e.source));
  if (now < e.not_before) {
    answer.reason =
        "trusted (" + source + ") but not valid before " + pki::FormatUtc(e.not_before) + stale;
    return answer;
  }
  if (now > e.not_after) {
    answer.reason =
        "trusted (" + source + ") but expired on " + pki::FormatUtc(e.not_after) + stale;
    return answer;
  }
  answer.response.status = Verdict::kValid;
  for (std::uint16_t role : e.roles)
    answer.response.roles.push_back(static_cast<std::uint8_t>(role));
  const auto left = static_cast<std::uint64_t>(e.not_after - now);
  answer.response.ttl = static_cast<std::uint32_t>(std::min<std::uint64_t>(e.ttl, left));
  answer.reason = "trusted (" + source + ") for " + RoleList(e.roles) + " until " +
                  pki::FormatUtc(e.not_after) +
                  (answer.response.ttl < e.ttl ? "; TTL cut to the certificate's expiry" : "") +
                  stale;
  return answer;
}

}  // namespace opencapf::tvs
