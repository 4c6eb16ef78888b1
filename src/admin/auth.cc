#include "admin/auth.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "pki/secret.h"

namespace opencapf::admin {

namespace {

// A token's use is written back at most this often: every API call writing to the store would
// make reads wait on writes for no one's benefit.
constexpr std::time_t kTouchEvery = 60;

}  // namespace

LoginSessions::Session LoginSessions::Create(std::string_view user,
                                             std::string_view password_version, std::time_t now) {
  Session s{pki::RandomToken(),
            pki::RandomToken(),
            std::string(user),
            std::string(password_version),
            now,
            now};
  std::lock_guard lock(mu_);
  // Old sessions go when a new one is made, so the map never grows without bound.
  std::erase_if(sessions_, [&](const auto& entry) {
    const Session& old = entry.second;
    return now - old.last_seen > idle_ || now - old.created > max_;
  });
  sessions_[s.id] = s;
  return s;
}

std::optional<LoginSessions::Session> LoginSessions::Find(std::string_view id, std::time_t now) {
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  // Every session is compared, in constant time each: the lookup must not tell a guesser how
  // close they came.
  Session* found = nullptr;
  for (auto& [key, session] : sessions_) {
    if (pki::ConstantTimeEqual(key, id)) found = &session;
  }
  if (found == nullptr) return std::nullopt;
  if (now - found->last_seen > idle_ || now - found->created > max_) {
    sessions_.erase(found->id);
    return std::nullopt;
  }
  found->last_seen = now;
  return *found;
}

void LoginSessions::End(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) sessions_.erase(it);
}

void LoginSessions::EndAll() {
  std::lock_guard lock(mu_);
  sessions_.clear();
}

std::size_t LoginSessions::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::string LoginRateLimiter::ClientKey(const std::string& address) {
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return address;
  // An IPv4 address written as IPv6 (::ffff:192.0.2.1) stays one client.
  if (IN6_IS_ADDR_V4MAPPED(&v6)) return address;
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), 0);
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, &v6, text, sizeof(text));
  return std::string(text) + "/64";
}

void LoginRateLimiter::Prune(std::time_t now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    std::erase_if(it->second, [&](std::time_t t) { return now - t >= window_; });
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  // Still too many (a flood from many addresses): forget the ones whose newest failure is
  // oldest, so the map's size stays bounded whatever arrives.
  while (failures_.size() >= kMaxClients) {
    auto oldest = std::min_element(
        failures_.begin(), failures_.end(),
        [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
    failures_.erase(oldest);
  }
}

std::time_t LoginRateLimiter::Begin(const std::string& address, std::time_t now) {
  const std::string key = ClientKey(address);
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxClients && !failures_.contains(key)) Prune(now);
  auto& times = failures_[key];
  std::erase_if(times, [&](std::time_t t) { return now - t >= window_; });
  if (static_cast<int>(times.size()) >= attempts_) {
    return std::max<std::time_t>(1, times.front() + window_ - now);
  }
  times.push_back(now);
  return 0;
}

void LoginRateLimiter::Succeeded(const std::string& address) {
  std::lock_guard lock(mu_);
  failures_.erase(ClientKey(address));
}

std::size_t LoginRateLimiter::clients() const {
  std::lock_guard lock(mu_);
  return failures_.size();
}

Result<std::optional<std::string>> CheckApiToken(store::Store& store, std::string_view token,
                                                 std::time_t now) {
  auto tokens = store.ListApiTokens();
  if (!tokens.ok()) return tokens.error();
  const std::string presented = pki::Sha256Hex(token);
  const store::ApiToken* match = nullptr;
  for (const auto& t : *tokens) {
    if (pki::ConstantTimeEqual(t.sha256, presented)) match = &t;
  }
  if (match == nullptr) return std::optional<std::string>();
  if (!match->last_used || now - *match->last_used >= kTouchEvery) {
    (void)store.TouchApiToken(match->name, now);  // bookkeeping only; the request goes on
  }
  return std::optional<std::string>(match->name);
}

Result<std::string> CreateApiToken(store::Store& store, std::string_view name) {
  const bool valid =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!valid) {
    return Fail("'" + std::string(name) +
                "' is not a token name; use 1-64 letters, digits, '.', '_' or '-', e.g. "
                "ci-script");
  }
  const std::string token = "ocf_" + pki::RandomToken(32);
  store::ApiToken record{.name = std::string(name), .sha256 = pki::Sha256Hex(token)};
  if (Status st = store.AddApiToken(record); !st.ok()) return st.error();
  return token;
}

Result<bool> CheckAdminPassword(store::Store& store, std::string_view password) {
  auto hash = store.AdminPasswordHash();
  if (!hash.ok()) return hash.error();
  if (!*hash) {
    return Fail("no administrator password is set; set one with 'opencapf admin passwd'");
  }
  return pki::VerifyPassword(password, **hash);
}

Result<std::string> AdminPasswordVersion(store::Store& store) {
  auto hash = store.AdminPasswordHash();
  if (!hash.ok()) return hash.error();
  return *hash ? pki::Sha256Hex(**hash) : std::string();
}

}  // namespace opencapf::admin
