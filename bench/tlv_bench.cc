// Trust-list costs that matter to a server that rebuilds and serves ITLFile.tlv: parsing,
// verifying (an RSA public-key operation plus hashing), rendering and building (a private-key
// signature). Run: build/release/bench/tlv_bench
#include <benchmark/benchmark.h>

#include <string>

#include "base/file.h"
#include "pki/issuer.h"
#include "tlv/build.h"
#include "tlv/show.h"
#include "tlv/trust_list.h"
#include "tlv/verify.h"

namespace {

using namespace opencapf;

Bytes Vector(const char* name) {
  return *ReadFile(std::string(OPENCAPF_TESTDATA) + "/itl/" + name);
}

void BM_Parse(benchmark::State& state) {
  Bytes file = Vector("ITLFile-sha1.tlv");
  for (auto _ : state) benchmark::DoNotOptimize(tlv::Parse(file));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_Parse);

void BM_ParseAndVerify(benchmark::State& state, const char* name) {
  Bytes file = Vector(name);
  for (auto _ : state) {
    auto list = tlv::Parse(file);
    benchmark::DoNotOptimize(tlv::Verify(file, *list));
  }
}
BENCHMARK_CAPTURE(BM_ParseAndVerify, sha1, "ITLFile-sha1.tlv");
BENCHMARK_CAPTURE(BM_ParseAndVerify, sha512, "ITLFile-sha512.tlv");

void BM_RenderShowItl(benchmark::State& state) {
  Bytes file = Vector("ITLFile-sha1.tlv");
  auto list = tlv::Parse(file);
  auto v = tlv::Verify(file, *list);
  for (auto _ : state) benchmark::DoNotOptimize(tlv::RenderShowItl(file, *list, v));
}
BENCHMARK(BM_RenderShowItl);

void BM_Build(benchmark::State& state) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", "ITLRECOVERY_bench"}};
  auto signer = pki::SelfSigned({pki::KeyAlgorithm::kRsa, 2048}, profile);
  std::vector<tlv::RecordSpec> records;
  for (const char* name : {"ccm.crt", "capf.crt", "tvs.crt", "tftpec.crt"}) {
    records.push_back({tlv::Role::kTftp,
                       *pki::Certificate::Load(std::string(OPENCAPF_TESTDATA) + "/itl/" + name),
                       false, std::nullopt});
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(tlv::Build(signer->certificate, signer->key, records, {}));
  }
}
BENCHMARK(BM_Build);

}  // namespace
