#include "ocsp/responder.h"

#include <algorithm>
#include <utility>

namespace opencapf::ocsp {

namespace {

constexpr pki::Digest kCertIdHashes[] = {pki::Digest::kSha1, pki::Digest::kSha256,
                                         pki::Digest::kSha512};
// Enough for every phone of a large site asking without a nonce; beyond it the cache starts over.
constexpr std::size_t kMaxCached = 4096;

}  // namespace

struct Responder::Known {
  Issuer issuer;
  std::map<pki::Digest, std::pair<Bytes, Bytes>> hashes;  // name hash, key hash
  std::map<Bytes, pki::CrlEntry> revoked;

  bool Issued(const pki::OcspCertId& id) const {
    auto it = hashes.find(id.hash);
    return it != hashes.end() && it->second.first == id.issuer_name_hash &&
           it->second.second == id.issuer_key_hash;
  }
};

struct Responder::State {
  std::vector<Known> known;
};

Responder::Responder(const Clock& clock, std::time_t validity_seconds, std::size_t max_ids)
    : clock_(clock), validity_(validity_seconds), max_ids_(max_ids) {}

void Responder::Update(std::vector<Issuer> issuers) {
  auto state = std::make_shared<State>();
  for (auto& issuer : issuers) {
    Known k{std::move(issuer), {}, {}};
    for (pki::Digest hash : kCertIdHashes) {
      k.hashes[hash] = {pki::OcspIssuerNameHash(k.issuer.certificate, hash),
                        pki::OcspIssuerKeyHash(k.issuer.certificate, hash)};
    }
    for (const auto& r : k.issuer.revoked) k.revoked[r.serial] = r;
    state->known.push_back(std::move(k));
  }
  std::lock_guard lock(mu_);
  state_ = std::move(state);
  cache_.clear();
}

std::size_t Responder::issuers() const {
  std::lock_guard lock(mu_);
  return state_ ? state_->known.size() : 0;
}

Answered Responder::Respond(ByteView request) const {
  Answered out;
  auto parsed = pki::ParseOcspRequest(request, max_ids_);
  if (!parsed.ok()) {
    out.response = pki::OcspFailureResponse(pki::OcspFailure::kMalformedRequest);
    out.statuses = {"malformedRequest"};
    out.reason = parsed.message();
    return out;
  }
  const std::time_t now = clock_.Now();
  std::shared_ptr<const State> state;
  {
    std::lock_guard lock(mu_);
    state = state_;
    if (!parsed->nonce()) {
      auto it = cache_.find(parsed->der());
      if (it != cache_.end() && now >= it->second.made &&
          now - it->second.made <= std::max<std::time_t>(validity_ / 10, 1)) {
        out.response = it->second.response;
        out.statuses = it->second.statuses;
        out.cached = true;
        return out;
      }
    }
  }
  if (!state || state->known.empty()) {
    out.response = pki::OcspFailureResponse(pki::OcspFailure::kTryLater);
    out.statuses = {"tryLater"};
    out.reason = "the responder has no CAPF certificate to answer for yet";
    return out;
  }

  // One response has one signer: the CAPF certificate that issued the first certificate asked
  // about (the current one when it issued none of them). Certificates of another CAPF
  // certificate in the same request are answered unknown, as a client could not verify an
  // answer about them signed by this key; clients ask about one certificate at a time.
  const Known* signer = &state->known.front();
  for (const auto& id : parsed->ids()) {
    auto it = std::find_if(state->known.begin(), state->known.end(),
                           [&](const Known& k) { return k.Issued(id); });
    if (it != state->known.end()) {
      signer = &*it;
      break;
    }
  }
  std::vector<pki::OcspAnswer> answers;
  for (const auto& id : parsed->ids()) {
    pki::OcspAnswer a;
    if (!signer->Issued(id)) {
      a.status = pki::OcspStatus::kUnknown;
      out.statuses.push_back("unknown");
    } else if (auto r = signer->revoked.find(id.serial);
               r != signer->revoked.end() && r->second.revoked_at <= now) {
      a.status = pki::OcspStatus::kRevoked;
      a.revoked_at = r->second.revoked_at;
      a.reason = r->second.reason;
      out.statuses.push_back("revoked");
    } else {
      a.status = pki::OcspStatus::kGood;
      out.statuses.push_back("good");
    }
    answers.push_back(a);
  }
  auto response = pki::BuildOcspResponse(*parsed, answers, signer->issuer.certificate,
                                         signer->issuer.key, now, now + validity_);
  if (!response.ok()) {
    out.response = pki::OcspFailureResponse(pki::OcspFailure::kInternalError);
    out.statuses = {"internalError"};
    out.reason = response.message();
    return out;
  }
  out.response = std::move(*response);
  if (!parsed->nonce()) {
    std::lock_guard lock(mu_);
    if (state_ == state) {  // not answered from what an Update has replaced meanwhile
      if (cache_.size() >= kMaxCached) cache_.clear();
      cache_[parsed->der()] = {out.response, out.statuses, now};
    }
  }
  return out;
}

}  // namespace opencapf::ocsp
