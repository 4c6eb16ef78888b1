#pragma once

// Test support: the shared TVS vectors (testdata/tvs) and their transcripts.

#include <string>
#include <vector>

#include "base/framed_transcript.h"
#include "tvs/message.h"

namespace opencapf::tvs::testing {

/// A file of the shared TVS test vectors (OPENCAPF_TESTDATA/tvs/NAME).
std::string TvsVector(const std::string& name);

using framed::testing::TranscriptMessage;
/// `phone->tvs HEX` / `tvs->phone HEX` lines as whole messages.
inline Result<std::vector<TranscriptMessage>> ReadTranscript(const std::string& path) {
  return framed::testing::ReadTranscript(Framing::kWire, path);
}

}  // namespace opencapf::tvs::testing
